using Engine.BigInt;
using Engine.Pairing.Fields;

namespace Engine.Pairing.Pairings;

/// <summary>
/// An element of Gt, the order-r subgroup of F_p¹²*, written multiplicatively (SPEC.md; zkcrypto writes it
/// additively). Values come from the pairing, from products and powers of such values, or from <see cref="Decode"/>.
/// </summary>
/// <remarks>Constant time unless a name ends in <c>VarTime</c>. Gt values may be secret (shared keys): equality uses masks.</remarks>
public readonly struct Gt : IEquatable<Gt>
{
    /// <summary>The encoding: the twelve F_p coefficients, 48 bytes each, big-endian, c0.c0.c0, c0.c0.c1, c0.c1.c0, …, c1.c2.c1.</summary>
    public const int SizeInBytes = 576;

    internal readonly Fp12 Value;

    internal Gt(in Fp12 value) { Value = value; }

    /// <summary>The identity, 1.</summary>
    public static Gt Identity => new(Fp12.One);

    /// <summary>e(G1 generator, G2 generator).</summary>
    public static Gt Generator { get; } = OptimalAte.Pair(Groups.G1Affine.Generator, Groups.G2Affine.Generator);

    /// <summary>True for 1.</summary>
    public bool IsIdentity => Fp12.EqualMask(Value, Fp12.One) != 0;

    /// <summary>a·b.</summary>
    public static Gt operator *(in Gt a, in Gt b) => new(a.Value * b.Value);

    /// <summary>a⁻¹ (conjugation, since Gt lies in the cyclotomic subgroup).</summary>
    public Gt Invert() => new(Value.Conjugate());

    /// <summary>a/b.</summary>
    public static Gt operator /(in Gt a, in Gt b) => new(a.Value * b.Value.Conjugate());

    /// <summary>
    /// this^k for a secret scalar: fixed 4-bit windows with masked table reads and cyclotomic squarings.
    /// Constant time.
    /// </summary>
    public Gt Pow(in Fr scalar)
    {
        Span<ulong> k = stackalloc ulong[4];
        scalar.ToCanonicalLimbs(k);
        Span<Fp12> table = stackalloc Fp12[16];
        table[0] = Fp12.One;
        for (int i = 1; i < 16; i++) table[i] = table[i - 1] * Value;
        Fp12 acc = Fp12.One;
        for (int w = 63; w >= 0; w--)
        {
            for (int d = 0; d < 4; d++) acc = acc.CyclotomicSquare();
            ulong digit = Limbs.GetBits(k, 4 * w, 4);
            Fp12 entry = table[0];
            for (int i = 1; i < 16; i++) entry = Fp12.Select(table[i], entry, Ct.EqualMask((ulong)i, digit));
            acc *= entry;
        }
        k.Clear();
        System.Security.Cryptography.CryptographicOperations.ZeroMemory(System.Runtime.InteropServices.MemoryMarshal.AsBytes(table));
        return new Gt(acc);
    }

    /// <summary>this^k for a public scalar (square and multiply). Timing depends on k.</summary>
    public Gt PowVarTime(in Fr scalar)
    {
        Span<ulong> k = stackalloc ulong[4];
        scalar.ToCanonicalLimbs(k);
        Fp12 acc = Fp12.One;
        for (int i = 255; i >= 0; i--)
        {
            acc = acc.CyclotomicSquare();
            if (((k[i >> 6] >> (i & 63)) & 1) != 0) acc *= Value;
        }
        return new Gt(acc);
    }

    /// <summary>Writes the 576-byte encoding.</summary>
    /// <exception cref="ArgumentException">The destination is not 576 bytes.</exception>
    public void Encode(Span<byte> destination)
    {
        if (destination.Length != SizeInBytes) throw new ArgumentException("Destination must be 576 bytes.", nameof(destination));
        int o = 0;
        foreach (Fp6 half in (ReadOnlySpan<Fp6>)[Value.C0, Value.C1])
            foreach (Fp2 c in (ReadOnlySpan<Fp2>)[half.C0, half.C1, half.C2])
            {
                c.C0.WriteBigEndian(destination.Slice(o, 48)); o += 48;
                c.C1.WriteBigEndian(destination.Slice(o, 48)); o += 48;
            }
    }

    /// <summary>
    /// Decodes 576 bytes: <see cref="EngineStatus.BadLength"/>, <see cref="EngineStatus.NotCanonical"/> (a coefficient
    /// ≥ p), or <see cref="EngineStatus.NotInSubgroup"/> (not of order dividing r, checked as g^r = 1, including 0).
    /// </summary>
    public static EngineStatus Decode(ReadOnlySpan<byte> source, out Gt value)
    {
        value = default;
        if (source.Length != SizeInBytes) return EngineStatus.BadLength;
        Span<Fp> c = stackalloc Fp[12];
        for (int i = 0; i < 12; i++)
            if (Fp.Decode(source.Slice(48 * i, 48), out c[i]) != EngineStatus.Ok) return EngineStatus.NotCanonical;
        var f = new Fp12(new Fp6(new Fp2(c[0], c[1]), new Fp2(c[2], c[3]), new Fp2(c[4], c[5])),
                         new Fp6(new Fp2(c[6], c[7]), new Fp2(c[8], c[9]), new Fp2(c[10], c[11])));
        if (!IsInSubgroupVarTime(f)) return EngineStatus.NotInSubgroup;
        value = new Gt(f);
        return EngineStatus.Ok;
    }

    /// <summary>
    /// Decodes 576 bytes checking only that each coefficient is below p (no subgroup check): for values that enter a
    /// computation only as a factor of a hashed result, where a value outside Gt merely gives a wrong result.
    /// </summary>
    internal static EngineStatus DecodeCanonical(ReadOnlySpan<byte> source, out Gt value)
    {
        value = default;
        if (source.Length != SizeInBytes) return EngineStatus.BadLength;
        Span<Fp> c = stackalloc Fp[12];
        for (int i = 0; i < 12; i++)
            if (Fp.Decode(source.Slice(48 * i, 48), out c[i]) != EngineStatus.Ok) return EngineStatus.NotCanonical;
        value = new Gt(new Fp12(new Fp6(new Fp2(c[0], c[1]), new Fp2(c[2], c[3]), new Fp2(c[4], c[5])),
                                new Fp6(new Fp2(c[6], c[7]), new Fp2(c[8], c[9]), new Fp2(c[10], c[11]))));
        return EngineStatus.Ok;
    }

    /// <summary>f^r = 1 with plain squarings (f is not yet known to be cyclotomic). r is public.</summary>
    private static bool IsInSubgroupVarTime(in Fp12 f)
    {
        ReadOnlySpan<ulong> r = Fr.ModulusLimbs;
        Fp12 acc = Fp12.One;
        for (int i = 254; i >= 0; i--)
        {
            acc = acc.Square();
            if (((r[i >> 6] >> (i & 63)) & 1) != 0) acc *= f;
        }
        return Fp12.EqualMask(acc, Fp12.One) != 0;
    }

    /// <summary>Constant-time equality.</summary>
    public bool Equals(Gt other) => Fp12.EqualMask(Value, other.Value) != 0;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is Gt other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => Value.GetHashCode();

    /// <summary>Constant-time equality.</summary>
    public static bool operator ==(in Gt a, in Gt b) => a.Equals(b);

    /// <summary>Inequality.</summary>
    public static bool operator !=(in Gt a, in Gt b) => !a.Equals(b);

    /// <summary>Gt values may be secret: never printed.</summary>
    public override string ToString() => "Gt(…)";
}
