using System.Buffers;
using System.Runtime.CompilerServices;
using Engine.Pairing.Fields;

namespace Engine.Pairing.Groups;

/// <summary>
/// Σ [kᵢ]Pᵢ on G1 for public scalars and a few points (Σ-proof and Schnorr verifications): Straus' interleaving with
/// the GLV split of <see cref="Glv"/>. Each kᵢ = kᵢ₀ + kᵢ₁·ζ becomes two 128-bit width-5 NAFs, on Pᵢ and on
/// φ(−Pᵢ), so n points share one chain of 128 doublings and add about 2n·128/6 table entries, against 256
/// doublings per point for separate multiplications. Variable time.
/// </summary>
internal static class G1Straus
{
    private const int Width = 5, OddMultiples = 1 << (Width - 2), DigitsPerHalf = 130;

    /// <summary>Σ [kᵢ]Pᵢ; the spans have the same length.</summary>
    [SkipLocalsInit]
    public static Projective<Fp> RunVarTime(ReadOnlySpan<G1Projective> points, ReadOnlySpan<Fr> scalars)
    {
        int n = points.Length, halves = 2 * n;
        if (n == 0) return Projective<Fp>.Identity;
        Projective<Fp>[] tables = ArrayPool<Projective<Fp>>.Shared.Rent(halves * OddMultiples);
        sbyte[] digits = ArrayPool<sbyte>.Shared.Rent(halves * DigitsPerHalf);
        try
        {
            // Pooled arrays come back dirty and WNaf.Encode writes only up to each half's last digit.
            digits.AsSpan(0, halves * DigitsPerHalf).Clear();
            Span<ulong> k = stackalloc ulong[4], quotient = stackalloc ulong[4], remainder = stackalloc ulong[2];
            int longest = 0;
            for (int i = 0; i < n; i++)
            {
                scalars[i].ToCanonicalLimbs(k);
                Glv.DivRem(k, Glv.Zeta, Glv.ZetaReciprocal, quotient, remainder);
                longest = Math.Max(longest, WNaf.Encode(remainder, Width, digits.AsSpan(2 * i * DigitsPerHalf, DigitsPerHalf)));
                longest = Math.Max(longest, WNaf.Encode(quotient[..2], Width, digits.AsSpan((2 * i + 1) * DigitsPerHalf, DigitsPerHalf)));

                // Odd multiples P, 3P, …, 15P, and their images under φ(−·) for the high half: [k₁ζ]P = [k₁]φ(−P).
                Span<Projective<Fp>> low = tables.AsSpan(2 * i * OddMultiples, OddMultiples);
                Span<Projective<Fp>> high = tables.AsSpan((2 * i + 1) * OddMultiples, OddMultiples);
                low[0] = points[i].P;
                Projective<Fp> twice = low[0].Double(Bls12381.B3G1);
                for (int j = 1; j < OddMultiples; j++) low[j] = Projective<Fp>.Add(low[j - 1], twice, Bls12381.B3G1);
                for (int j = 0; j < OddMultiples; j++) high[j] = Endomorphisms.Phi(low[j]).Negate();
            }

            Projective<Fp> acc = Projective<Fp>.Identity;
            for (int bit = longest - 1; bit >= 0; bit--)
            {
                acc = acc.Double(Bls12381.B3G1);
                for (int h = 0; h < halves; h++)
                {
                    int d = digits[h * DigitsPerHalf + bit];
                    if (d > 0) acc = Projective<Fp>.Add(acc, tables[h * OddMultiples + (d >> 1)], Bls12381.B3G1);
                    else if (d < 0) acc = Projective<Fp>.Add(acc, tables[h * OddMultiples + ((-d) >> 1)].Negate(), Bls12381.B3G1);
                }
            }
            return acc;
        }
        finally
        {
            ArrayPool<Projective<Fp>>.Shared.Return(tables);
            ArrayPool<sbyte>.Shared.Return(digits);
        }
    }
}

public readonly partial struct G1Projective
{
    /// <summary>
    /// Σ [kᵢ]Pᵢ for public scalars and projective points, by Straus' method with the GLV split: the fastest choice
    /// for up to a few dozen points (<see cref="MsmVarTime"/> for more). Variable time.
    /// </summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public static G1Projective MultiplySumVarTime(ReadOnlySpan<G1Projective> points, ReadOnlySpan<Fr> scalars)
    {
        if (points.Length != scalars.Length) throw new ArgumentException("One scalar per point.", nameof(scalars));
        return new(G1Straus.RunVarTime(points, scalars));
    }
}
