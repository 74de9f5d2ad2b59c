using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Engine.BigInt;
using Engine.Pairing.Fields;

namespace Engine.Pairing.Groups;

/// <summary>
/// Constant-time scalar multiplication with endomorphism splits (Gallant–Lambert–Vanstone for G1,
/// Galbraith–Lin–Scott with ψ for G2).
/// </summary>
/// <remarks>
/// G1: with ζ = x² (128 bits), write k = k0 + k1·ζ (0 ≤ k0 &lt; ζ, k1 &lt; ζ since r &lt; ζ²). As φ = [−ζ] on G1,
/// [k]P = [k0]P + [k1]φ(−P). G2: with |x| (64 bits), k = k0 + k1·|x| + k2·|x|² + k3·|x|³ (r &lt; |x|⁴), and since
/// ψ = [x] = [−|x|] on G2, [|x|^i]P = (−ψ)^i(P). The digits come from constant-time Barrett division by the public
/// divisor; the short multiplications run together (Straus) with 4-bit windows and masked table reads.
/// </remarks>
internal static class Glv
{
    private const int Window = 4, TableSize = 1 << Window;

    private static readonly ulong[] ZetaLimbs, ZetaMu, AbsXLimbs, AbsXMu;

    /// <summary>ζ = x² (two limbs) and ⌊2^384/ζ⌋, for callers that split scalars themselves (<see cref="G1Straus"/>).</summary>
    internal static ReadOnlySpan<ulong> Zeta => ZetaLimbs;

    /// <summary>⌊2^384/ζ⌋.</summary>
    internal static ReadOnlySpan<ulong> ZetaReciprocal => ZetaMu;

    static Glv()
    {
        BigInteger absX = Bls12381.AbsX;
        BigInteger zeta = absX * absX;
        ZetaLimbs = Fixed(zeta, 2);
        ZetaMu = Fixed(BigInteger.Pow(2, 384) / zeta, 5);
        AbsXLimbs = Fixed(absX, 1);
        AbsXMu = Fixed(BigInteger.Pow(2, 384) / absX, 6);
    }

    private static ulong[] Fixed(BigInteger v, int limbs)
    {
        ulong[] raw = Frobenius.ToLimbs(v);
        var r = new ulong[limbs];
        raw.AsSpan(0, Math.Min(limbs, raw.Length)).CopyTo(r);
        return r;
    }

    /// <summary>
    /// q = ⌊k/d⌋ and rem = k mod d for k &lt; 2^256 and a public d with μ = ⌊2^384/d⌋, in constant time.
    /// Barrett: q̂ = ⌊k·μ/2^384⌋ satisfies q − 1 ≤ q̂ ≤ q because k·μ/2^384 &gt; k/d − k/2^384 &gt; k/d − 1; two
    /// masked corrections are run anyway (one would do), so the code path never depends on k.
    /// </summary>
    [SkipLocalsInit]
    internal static void DivRem(ReadOnlySpan<ulong> k, ReadOnlySpan<ulong> d, ReadOnlySpan<ulong> mu, Span<ulong> q, Span<ulong> rem)
    {
        Span<ulong> product = stackalloc ulong[k.Length + mu.Length];
        Limbs.Multiply(product, k, mu);
        // q̂ = product >> 384 (limb 6 onwards); it is below 2^256, four limbs.
        q.Clear();
        product.Slice(6, Math.Min(q.Length, product.Length - 6)).CopyTo(q);
        Span<ulong> qd = stackalloc ulong[q.Length + d.Length];
        Limbs.Multiply(qd, q, d);
        Span<ulong> r = stackalloc ulong[k.Length];
        Limbs.Sub(r, k, qd[..k.Length]);
        Span<ulong> dWide = stackalloc ulong[k.Length];
        dWide.Clear();
        d.CopyTo(dWide);
        Span<ulong> t = stackalloc ulong[k.Length];
        for (int pass = 0; pass < 2; pass++)
        {
            ulong borrow = Limbs.Sub(t, r, dWide);
            ulong keep = Ct.MaskFromBit(borrow);                 // r < d: keep r
            Ct.Select(r, r, t, keep);
            Limbs.AddWord(q, 1 & ~keep);
        }
        r[..rem.Length].CopyTo(rem);
        product.Clear(); qd.Clear(); r.Clear(); t.Clear();
    }

    /// <summary>[k]P on G1, constant time: k = k0 + k1·ζ, [k]P = [k0]P + [k1]φ(−P).</summary>
    [SkipLocalsInit]
    public static Projective<Fp> MultiplyG1(in Projective<Fp> p, in Fr scalar)
    {
        Span<ulong> k = stackalloc ulong[4];
        scalar.ToCanonicalLimbs(k);
        Span<ulong> k1 = stackalloc ulong[4];
        Span<ulong> k0 = stackalloc ulong[2];
        DivRem(k, ZetaLimbs, ZetaMu, k1, k0);

        Span<Projective<Fp>> t0 = stackalloc Projective<Fp>[TableSize];
        Span<Projective<Fp>> t1 = stackalloc Projective<Fp>[TableSize];
        BuildTable(p, t0, Bls12381.B3G1);
        for (int i = 0; i < TableSize; i++) t1[i] = Endomorphisms.Phi(t0[i]).Negate();

        Projective<Fp> acc = Projective<Fp>.Identity;
        for (int w = 128 / Window - 1; w >= 0; w--)
        {
            for (int d = 0; d < Window; d++) acc = acc.Double(Bls12381.B3G1);
            acc = Projective<Fp>.Add(acc, ScalarMultiplication.Lookup<Fp>(t0, Limbs.GetBits(k0, w * Window, Window)), Bls12381.B3G1);
            acc = Projective<Fp>.Add(acc, ScalarMultiplication.Lookup<Fp>(t1, Limbs.GetBits(k1[..2], w * Window, Window)), Bls12381.B3G1);
        }
        k.Clear(); k0.Clear(); k1.Clear();
        CryptographicOperations.ZeroMemory(MemoryMarshal.AsBytes(t0));
        CryptographicOperations.ZeroMemory(MemoryMarshal.AsBytes(t1));
        return acc;
    }

    /// <summary>[k]P on G2, constant time: four 64-bit digits of k in base |x|, [|x|^i]P = (−ψ)^i(P).</summary>
    [SkipLocalsInit]
    public static Projective<Fp2> MultiplyG2(in Projective<Fp2> p, in Fr scalar)
    {
        Span<ulong> k = stackalloc ulong[4];
        scalar.ToCanonicalLimbs(k);
        Span<ulong> digits = stackalloc ulong[4];
        Span<ulong> q = stackalloc ulong[4];
        for (int i = 0; i < 3; i++)
        {
            DivRem(k, AbsXLimbs, AbsXMu, q, digits.Slice(i, 1));
            q.CopyTo(k);
        }
        digits[3] = k[0];                                          // the last quotient is below |x|

        Span<Projective<Fp2>> tables = stackalloc Projective<Fp2>[4 * TableSize];
        BuildTable(p, tables[..TableSize], Bls12381.B3G2);
        for (int t = 1; t < 4; t++)
            for (int i = 0; i < TableSize; i++)
                tables[t * TableSize + i] = Endomorphisms.Psi(tables[(t - 1) * TableSize + i]).Negate();

        Projective<Fp2> acc = Projective<Fp2>.Identity;
        for (int w = 64 / Window - 1; w >= 0; w--)
        {
            for (int d = 0; d < Window; d++) acc = acc.Double(Bls12381.B3G2);
            for (int t = 0; t < 4; t++)
            {
                ulong digit = (digits[t] >> (w * Window)) & (TableSize - 1);
                acc = Projective<Fp2>.Add(acc, ScalarMultiplication.Lookup<Fp2>(tables.Slice(t * TableSize, TableSize), digit), Bls12381.B3G2);
            }
        }
        k.Clear(); q.Clear(); digits.Clear();
        CryptographicOperations.ZeroMemory(MemoryMarshal.AsBytes(tables));
        return acc;
    }

    private static void BuildTable<F>(in Projective<F> p, Span<Projective<F>> table, in F b3) where F : unmanaged, IField<F>
    {
        table[0] = Projective<F>.Identity;
        table[1] = p;
        for (int i = 2; i < table.Length; i++)
            table[i] = (i & 1) == 0 ? table[i / 2].Double(b3) : Projective<F>.Add(table[i - 1], p, b3);
    }
}
