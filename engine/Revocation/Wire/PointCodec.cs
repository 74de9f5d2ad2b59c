using Engine.Pairing.Fields;
using Engine.Pairing.Groups;
using Engine.Pairing.Pairings;
using Engine.Primitives.Wire;

namespace Engine.Revocation.Wire;

/// <summary>Reads and writes Protocol 4's group elements; every read validates (canonical, on the curve, in the subgroup).</summary>
internal static class PointCodec
{
    public static void Write(WireWriter w, in G1Affine p)
    {
        Span<byte> b = stackalloc byte[G1Affine.CompressedSizeInBytes];
        p.EncodeCompressed(b);
        w.Fixed(b);
    }

    public static void Write(WireWriter w, in G2Affine p)
    {
        Span<byte> b = stackalloc byte[G2Affine.CompressedSizeInBytes];
        p.EncodeCompressed(b);
        w.Fixed(b);
    }

    public static void Write(WireWriter w, in Gt z)
    {
        Span<byte> b = stackalloc byte[Gt.SizeInBytes];
        z.Encode(b);
        w.Fixed(b);
    }

    public static void Write(WireWriter w, in Fr s)
    {
        Span<byte> b = stackalloc byte[Fr.SizeInBytes];
        s.WriteBigEndian(b);
        w.Fixed(b);
    }

    private delegate EngineStatus Decoder<T>(ReadOnlySpan<byte> source, out T value);

    /// <summary>Reads a fixed-size field and decodes it; a failed decode fails the reader and keeps the first status.</summary>
    private static T Read<T>(ref WireReader r, ref EngineStatus status, int size, Decoder<T> decode) where T : struct
    {
        ReadOnlySpan<byte> b = r.Fixed(size);
        if (!r.Ok) return default;
        EngineStatus s = decode(b, out T value);
        if (s != EngineStatus.Ok) { Keep(ref status, s); r.Fail(); }
        return value;
    }

    public static G1Affine ReadG1(ref WireReader r, ref EngineStatus status) => Read<G1Affine>(ref r, ref status, G1Affine.CompressedSizeInBytes, G1Affine.Decode);

    public static G2Affine ReadG2(ref WireReader r, ref EngineStatus status) => Read<G2Affine>(ref r, ref status, G2Affine.CompressedSizeInBytes, G2Affine.Decode);

    /// <summary>A Gt element with its subgroup check (public keys).</summary>
    public static Gt ReadGt(ref WireReader r, ref EngineStatus status) => Read<Gt>(ref r, ref status, Gt.SizeInBytes, Gt.Decode);

    /// <summary>
    /// A ciphertext's C1 row: canonical coefficients only. C1 enters decryption only as a factor of the KEM key, so a
    /// value outside Gt just yields a wrong key that the AEAD refuses; skipping the r-th power saves ~1 ms a row.
    /// </summary>
    public static Gt ReadGtCanonical(ref WireReader r, ref EngineStatus status) => Read<Gt>(ref r, ref status, Gt.SizeInBytes, Gt.DecodeCanonical);

    public static Fr ReadScalar(ref WireReader r, ref EngineStatus status) => Read<Fr>(ref r, ref status, Fr.SizeInBytes, Fr.Decode);

    private static void Keep(ref EngineStatus status, EngineStatus s)
    {
        if (status == EngineStatus.Ok) status = s;
    }
}
