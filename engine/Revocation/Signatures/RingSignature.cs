using Engine.Pairing.Groups;
using Engine.Primitives.Wire;
using Engine.Revocation.Wire;

namespace Engine.Revocation.Signatures;

/// <summary>σ = (Y, W, S_1 … S_ℓ, P_1 … P_t) (SPEC §4.4): ℓ = rows and t = columns of the policy's span program.</summary>
public sealed class RingSignature
{
    internal RingSignature(in G1Affine y, in G1Affine w, G1Affine[] s, G2Affine[] p)
    {
        Y = y;
        W = w;
        S = s;
        P = p;
    }

    /// <summary>Y = K_base^r0.</summary>
    public G1Affine Y { get; }

    /// <summary>W = K0^r0.</summary>
    public G1Affine W { get; }

    /// <summary>S_i, one per policy row.</summary>
    public G1Affine[] S { get; }

    /// <summary>P_j, one per policy column.</summary>
    public G2Affine[] P { get; }

    /// <summary>The size of an encoding with ℓ rows and t columns.</summary>
    public static int EncodedSize(int rows, int columns) => 1 + 4 + (2 + rows) * RevocationParameters.G1Size + columns * RevocationParameters.G2Size;

    /// <summary>version ‖ ℓ (2) ‖ t (2) ‖ Y ‖ W ‖ S* ‖ P*.</summary>
    public byte[] Encode()
    {
        var w = new WireWriter(RevocationParameters.Version).UInt16((ushort)S.Length).UInt16((ushort)P.Length);
        PointCodec.Write(w, Y);
        PointCodec.Write(w, W);
        foreach (G1Affine s in S) PointCodec.Write(w, s);
        foreach (G2Affine p in P) PointCodec.Write(w, p);
        return w.ToArray();
    }

    /// <summary>
    /// Decodes and validates: the counts must match the expected policy shape (checked before any point is decompressed),
    /// then every point is checked on the curve and in its subgroup, and Y ≠ 1.
    /// </summary>
    public static EngineStatus Decode(ReadOnlySpan<byte> encoded, int expectedRows, int expectedColumns, out RingSignature? signature)
    {
        signature = null;
        var r = new WireReader(encoded, RevocationParameters.Version);
        if (r.VersionMismatch) return EngineStatus.UnsupportedVersion;
        int rows = r.UInt16(), columns = r.UInt16();
        if (!r.Ok) return EngineStatus.Malformed;
        if (rows != expectedRows || columns != expectedColumns || encoded.Length != EncodedSize(rows, columns)) return EngineStatus.BadLength;
        EngineStatus status = EngineStatus.Ok;
        G1Affine y = PointCodec.ReadG1(ref r, ref status), wPoint = PointCodec.ReadG1(ref r, ref status);
        var s = new G1Affine[rows];
        var p = new G2Affine[columns];
        for (int i = 0; i < rows && r.Ok; i++) s[i] = PointCodec.ReadG1(ref r, ref status);
        for (int j = 0; j < columns && r.Ok; j++) p[j] = PointCodec.ReadG2(ref r, ref status);
        if (status != EngineStatus.Ok) return status;
        if (!r.AtEndOk) return EngineStatus.Malformed;
        if (y.IsIdentity) return EngineStatus.IdentityElement;
        signature = new RingSignature(y, wPoint, s, p);
        return EngineStatus.Ok;
    }
}
