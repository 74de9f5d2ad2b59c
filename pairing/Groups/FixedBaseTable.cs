using System.Runtime.CompilerServices;
using Engine.BigInt;
using Engine.Pairing.Fields;

namespace Engine.Pairing.Groups;

/// <summary>
/// A comb of precomputed multiples for a long-lived base point P: entry (i, j) = j·16^i·P in affine form, for the
/// 64 windows i of a 256-bit scalar and digits j = 0…15. [k]P is then 64 mixed additions and no doublings.
/// </summary>
/// <remarks>
/// Constant time: each window's entry is read with a masked scan of its 16 entries, and the complete mixed
/// addition takes the identity entry (j = 0) through a mask, not a branch.
/// </remarks>
internal sealed class FixedBaseTable<F> where F : unmanaged, IField<F>
{
    private const int Window = 4, Digits = 1 << Window, Windows = 256 / Window;
    private readonly Affine<F>[] _entries = new Affine<F>[Windows * Digits];

    public FixedBaseTable(in Projective<F> point, in F b3)
    {
        var projective = new Projective<F>[_entries.Length];
        Projective<F> windowBase = point;
        for (int i = 0; i < Windows; i++)
        {
            projective[i * Digits] = Projective<F>.Identity;
            for (int j = 1; j < Digits; j++) projective[i * Digits + j] = Projective<F>.Add(projective[i * Digits + j - 1], windowBase, b3);
            for (int d = 0; d < Window; d++) windowBase = windowBase.Double(b3);
        }
        BatchNormalize.Run<F>(projective, _entries);
    }

    public int SizeInBytes => _entries.Length * Unsafe.SizeOf<Affine<F>>();

    /// <summary>[k]P for a secret scalar: canonical limbs on the stack, wiped after use.</summary>
    [SkipLocalsInit]
    public Projective<F> Multiply(in Fr scalar, in F b3)
    {
        Span<ulong> k = stackalloc ulong[4];
        scalar.ToCanonicalLimbs(k);
        Projective<F> result = Multiply(k, b3);
        k.Clear();
        return result;
    }

    public Projective<F> Multiply(ReadOnlySpan<ulong> k, in F b3)
    {
        Projective<F> acc = Projective<F>.Identity;
        ReadOnlySpan<Affine<F>> entries = _entries;
        for (int i = 0; i < Windows; i++)
        {
            ulong digit = Limbs.GetBits(k, i * Window, Window);
            ReadOnlySpan<Affine<F>> window = entries.Slice(i * Digits, Digits);
            F x = window[0].X, y = window[0].Y;
            ulong inf = window[0].InfinityMask;
            for (int j = 1; j < Digits; j++)
            {
                ulong hit = Ct.EqualMask((ulong)j, digit);
                x = F.Select(window[j].X, x, hit);
                y = F.Select(window[j].Y, y, hit);
                inf = (window[j].InfinityMask & hit) | (inf & ~hit);
            }
            acc = Projective<F>.AddAffine(acc, x, y, inf, b3);
        }
        return acc;
    }
}

/// <summary>
/// Precomputed multiples of a fixed G1 point (a generator, a long-lived public key) for fast constant-time
/// [k]P: 64 mixed additions instead of 128 doublings and 64 additions. 96 KiB per point; immutable, thread-safe.
/// </summary>
public sealed class G1FixedBase
{
    private readonly FixedBaseTable<Fp> _table;

    /// <summary>Builds the table (about 1 000 additions and one batched inversion).</summary>
    public G1FixedBase(in G1Affine point) { _table = new FixedBaseTable<Fp>(point.ToProjective().P, Bls12381.B3G1); }

    /// <summary>The table of the standard generator, built on first use.</summary>
    public static G1FixedBase Generator => GeneratorHolder.Table;

    /// <summary>Memory held by the table.</summary>
    public int SizeInBytes => _table.SizeInBytes;

    /// <summary>[k]P for a secret scalar, constant time.</summary>
    public G1Projective Multiply(in Fr scalar) => new(_table.Multiply(scalar, Bls12381.B3G1));

    private static class GeneratorHolder
    {
        public static readonly G1FixedBase Table = new(G1Affine.Generator);
    }
}

/// <summary>Precomputed multiples of a fixed G2 point (192 KiB); see <see cref="G1FixedBase"/>.</summary>
public sealed class G2FixedBase
{
    private readonly FixedBaseTable<Fp2> _table;

    /// <summary>Builds the table.</summary>
    public G2FixedBase(in G2Affine point) { _table = new FixedBaseTable<Fp2>(point.ToProjective().P, Bls12381.B3G2); }

    /// <summary>The table of the standard generator, built on first use.</summary>
    public static G2FixedBase Generator => GeneratorHolder.Table;

    /// <summary>Memory held by the table.</summary>
    public int SizeInBytes => _table.SizeInBytes;

    /// <summary>[k]Q for a secret scalar, constant time.</summary>
    public G2Projective Multiply(in Fr scalar) => new(_table.Multiply(scalar, Bls12381.B3G2));

    private static class GeneratorHolder
    {
        public static readonly G2FixedBase Table = new(G2Affine.Generator);
    }
}
