using Engine.Pairing.Groups;
using Engine.Pairing.HashToCurve;
using Engine.Pairing.Pairings;
using Engine.Primitives.Wire;
using Engine.Revocation.Wire;

namespace Engine.Revocation.Signatures;

/// <summary>
/// The signature authority's public key (MPR, SPEC §4.1): C = g1^c, A0 = h0^a0, Aj = hj^a and Bj = hj^b for the
/// columns j = 1 … t_max of a ring policy, and the number d − 1 of default attributes Ω. The bases h_j ∈ G2 are hashed
/// from the authority's name (nobody knows their discrete logarithms); only h0 and h1 enter verification.
/// Immutable; the Miller-loop lines of every G2 element are prepared on first use and cached.
/// </summary>
public sealed class RingPublicKey
{
    /// <summary>Largest t_max a key may have.</summary>
    public const int MaxColumnsLimit = 1024;

    private readonly G2Affine[] _a, _b;
    private readonly G2Prepared?[] _preparedA, _preparedB;
    private G2Prepared? _h0, _h1, _a0;

    internal RingPublicKey(string name, int defaultCount, in G1Affine c, in G2Affine a0, G2Affine[] a, G2Affine[] b)
    {
        Name = name;
        DefaultCount = defaultCount;
        C = c;
        A0 = a0;
        _a = a;
        _b = b;
        _preparedA = new G2Prepared?[a.Length];
        _preparedB = new G2Prepared?[b.Length];
        H0 = Base(name, 0);
        H1 = Base(name, 1);
    }

    /// <summary>The signature authority's name (the authority of the default attributes).</summary>
    public string Name { get; }

    /// <summary>|Ω| = d − 1: a "k of ring" policy is signed as "d of (ring ∪ d − k defaults)".</summary>
    public int DefaultCount { get; }

    /// <summary>t_max: the most columns a ring policy may have.</summary>
    public int MaxColumns => _a.Length;

    /// <summary>C = g1^c.</summary>
    public G1Affine C { get; }

    /// <summary>A0 = h0^a0.</summary>
    public G2Affine A0 { get; }

    /// <summary>h0.</summary>
    public G2Affine H0 { get; }

    /// <summary>h1.</summary>
    public G2Affine H1 { get; }

    /// <summary>Aj for column j (0-based: column 0 is the paper's j = 1).</summary>
    public G2Affine A(int column) => _a[column];

    /// <summary>Bj for column j.</summary>
    public G2Affine B(int column) => _b[column];

    /// <summary>True for <c>default-i@</c><see cref="Name"/> with 1 ≤ i ≤ <see cref="DefaultCount"/> (allocates nothing).</summary>
    public bool IsDefaultAttribute(string attribute)
    {
        ReadOnlySpan<char> text = attribute;
        if (!text.StartsWith("default-") || !text.EndsWith(Name) || text.Length < 10 + Name.Length || text[^(Name.Length + 1)] != '@') return false;
        return int.TryParse(text[8..^(Name.Length + 1)], System.Globalization.NumberStyles.None, null, out int i) && i >= 1 && i <= DefaultCount;
    }

    /// <summary>The default attribute Ω_i (1-based), <c>default-i@</c><see cref="Name"/>.</summary>
    public string DefaultAttribute(int i) => $"default-{i}@{Name}";

    internal G2Prepared PreparedA(int column) => _preparedA[column] ??= new G2Prepared(_a[column]);
    internal G2Prepared PreparedB(int column) => _preparedB[column] ??= new G2Prepared(_b[column]);
    internal G2Prepared PreparedH0 => _h0 ??= new G2Prepared(H0);
    internal G2Prepared PreparedH1 => _h1 ??= new G2Prepared(H1);
    internal G2Prepared PreparedA0 => _a0 ??= new G2Prepared(A0);

    /// <summary>h_j = hash_to_G2(name ‖ j).</summary>
    internal static G2Affine Base(string name, int j)
    {
        var w = new WireWriter(RevocationParameters.Version).Name(name).Int32(j);
        return HashToGroup.HashToG2(w.WrittenSpan, RevocationParameters.RingBaseDst).ToAffine();
    }

    /// <summary>version ‖ name ‖ d − 1 (2) ‖ t_max (2) ‖ C ‖ A0 ‖ (Aj ‖ Bj)*.</summary>
    public byte[] Encode()
    {
        var w = new WireWriter(RevocationParameters.Version).Name(Name).UInt16((ushort)DefaultCount).UInt16((ushort)MaxColumns);
        PointCodec.Write(w, C);
        PointCodec.Write(w, A0);
        for (int j = 0; j < MaxColumns; j++) { PointCodec.Write(w, _a[j]); PointCodec.Write(w, _b[j]); }
        return w.ToArray();
    }

    /// <summary>Decodes and validates (lengths before any decompression, then every point).</summary>
    public static EngineStatus Decode(ReadOnlySpan<byte> encoded, out RingPublicKey? key)
    {
        key = null;
        var r = new WireReader(encoded, RevocationParameters.Version);
        if (r.VersionMismatch) return EngineStatus.UnsupportedVersion;
        string name = r.Name();
        int defaults = r.UInt16(), columns = r.UInt16();
        if (!r.Ok || columns == 0 || columns > MaxColumnsLimit) return EngineStatus.Malformed;
        if (r.Remaining != RevocationParameters.G1Size + (1 + 2 * columns) * RevocationParameters.G2Size) return EngineStatus.BadLength;
        EngineStatus status = EngineStatus.Ok;
        G1Affine c = PointCodec.ReadG1(ref r, ref status);
        G2Affine a0 = PointCodec.ReadG2(ref r, ref status);
        var a = new G2Affine[columns];
        var b = new G2Affine[columns];
        for (int j = 0; j < columns && r.Ok; j++) { a[j] = PointCodec.ReadG2(ref r, ref status); b[j] = PointCodec.ReadG2(ref r, ref status); }
        if (status != EngineStatus.Ok) return status;
        if (!r.AtEndOk) return EngineStatus.Malformed;
        if (c.IsIdentity || a0.IsIdentity || a.Any(p => p.IsIdentity) || b.Any(p => p.IsIdentity)) return EngineStatus.IdentityElement;
        key = new RingPublicKey(name, defaults, c, a0, a, b);
        return EngineStatus.Ok;
    }
}
