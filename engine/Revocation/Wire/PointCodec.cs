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

    public static G1Affine ReadG1(ref WireReader r, ref EngineStatus status)
    {
        ReadOnlySpan<byte> b = r.Fixed(G1Affine.CompressedSizeInBytes);
        if (!r.Ok) return default;
        EngineStatus s = G1Affine.Decode(b, out G1Affine p);
        if (s != EngineStatus.Ok) { Keep(ref status, s); r.Fail(); }
        return p;
    }

    public static G2Affine ReadG2(ref WireReader r, ref EngineStatus status)
    {
        ReadOnlySpan<byte> b = r.Fixed(G2Affine.CompressedSizeInBytes);
        if (!r.Ok) return default;
        EngineStatus s = G2Affine.Decode(b, out G2Affine p);
        if (s != EngineStatus.Ok) { Keep(ref status, s); r.Fail(); }
        return p;
    }

    /// <summary>A Gt element with its subgroup check (public keys).</summary>
    public static Gt ReadGt(ref WireReader r, ref EngineStatus status)
    {
        ReadOnlySpan<byte> b = r.Fixed(Gt.SizeInBytes);
        if (!r.Ok) return default;
        EngineStatus s = Gt.Decode(b, out Gt z);
        if (s != EngineStatus.Ok) { Keep(ref status, s); r.Fail(); }
        return z;
    }

    /// <summary>
    /// A ciphertext's C1 row: canonical coefficients only. C1 enters decryption only as a factor of the KEM key, so a
    /// value outside Gt just yields a wrong key that the AEAD refuses; skipping the r-th power saves ~1 ms a row.
    /// </summary>
    public static Gt ReadGtCanonical(ref WireReader r, ref EngineStatus status)
    {
        ReadOnlySpan<byte> b = r.Fixed(Gt.SizeInBytes);
        if (!r.Ok) return default;
        EngineStatus s = Gt.DecodeCanonical(b, out Gt z);
        if (s != EngineStatus.Ok) { Keep(ref status, s); r.Fail(); }
        return z;
    }

    public static Fr ReadScalar(ref WireReader r, ref EngineStatus status)
    {
        ReadOnlySpan<byte> b = r.Fixed(Fr.SizeInBytes);
        if (!r.Ok) return default;
        EngineStatus s = Fr.Decode(b, out Fr v);
        if (s != EngineStatus.Ok) { Keep(ref status, s); r.Fail(); }
        return v;
    }

    private static void Keep(ref EngineStatus status, EngineStatus s)
    {
        if (status == EngineStatus.Ok) status = s;
    }
}
