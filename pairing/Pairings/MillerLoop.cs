using System.Buffers;
using System.Runtime.CompilerServices;
using Engine.Pairing.Fields;
using Engine.Pairing.Groups;

namespace Engine.Pairing.Pairings;

/// <summary>
/// The optimal ate Miller loop f_{|x|,Q}(P) over the bits of |x| = 0xd201000000010000, conjugated at the end because
/// x &lt; 0. The multi-loop variants square f once per bit for all pairs.
/// </summary>
/// <remarks>
/// Pairs in which P or Q is the identity contribute 1 and are skipped: the timing depends on which inputs are the
/// identity (public in every protocol here), not on their coordinates.
/// </remarks>
public static class MillerLoop
{
    private const int StackPairs = 8;

    /// <summary>Π f_{|x|,Qi}(Pi) for unprepared Q: lines are computed on the fly, nothing is allocated up to 8 pairs.</summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public static MillerLoopResult Multi(ReadOnlySpan<G1Affine> g1, ReadOnlySpan<G2Affine> g2) => Multi([], [], g1, g2);

    /// <summary>Π f_{|x|,Qi}(Pi) for prepared Q.</summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public static MillerLoopResult Multi(ReadOnlySpan<G1Affine> g1, ReadOnlySpan<G2Prepared> g2) => Multi(g1, g2, [], []);

    /// <summary>
    /// Π f(Pi, Qi) over prepared pairs and unprepared pairs together, with one shared squaring chain: for products
    /// that mix long-lived G2 points (keys) with fresh ones (ciphertext or signature elements).
    /// </summary>
    /// <exception cref="ArgumentException">A pair of spans differs in length.</exception>
    [SkipLocalsInit]
    public static MillerLoopResult Multi(ReadOnlySpan<G1Affine> preparedG1, ReadOnlySpan<G2Prepared> preparedG2,
                                         ReadOnlySpan<G1Affine> g1, ReadOnlySpan<G2Affine> g2)
    {
        if (preparedG1.Length != preparedG2.Length) throw new ArgumentException("Both prepared spans must have the same length.", nameof(preparedG2));
        if (g1.Length != g2.Length) throw new ArgumentException("Both spans must have the same length.", nameof(g2));
        Projective<Fp2>[]? rented = null;
        Span<Projective<Fp2>> t = g1.Length <= StackPairs
            ? stackalloc Projective<Fp2>[StackPairs]
            : (rented = ArrayPool<Projective<Fp2>>.Shared.Rent(g1.Length));
        for (int j = 0; j < g1.Length; j++) t[j] = g2[j].ToProjective().P;

        Fp12 f = Fp12.One;
        int n = 0;
        for (int i = 62; i >= 0; i--)
        {
            if (i != 62) f = f.Square();
            bool add = ((Bls12381.AbsX >> i) & 1) != 0;
            for (int j = 0; j < preparedG1.Length; j++)
            {
                if (preparedG1[j].IsIdentity || preparedG2[j].IsIdentity) continue;
                f = LineFunctions.Evaluate(f, preparedG2[j].Lines[n], preparedG1[j]);
                if (add) f = LineFunctions.Evaluate(f, preparedG2[j].Lines[n + 1], preparedG1[j]);
            }
            n += add ? 2 : 1;
            for (int j = 0; j < g1.Length; j++)
            {
                if (g1[j].IsIdentity || g2[j].IsIdentity) continue;
                f = LineFunctions.Evaluate(f, LineFunctions.Double(ref t[j]), g1[j]);
                if (add) f = LineFunctions.Evaluate(f, LineFunctions.Add(ref t[j], g2[j].X, g2[j].Y), g1[j]);
            }
        }
        if (rented is not null) ArrayPool<Projective<Fp2>>.Shared.Return(rented);
        return new MillerLoopResult(f.Conjugate());
    }

    /// <summary>f_{|x|,Q}(P) for one pair.</summary>
    public static MillerLoopResult Run(in G1Affine p, in G2Affine q)
        => Multi(new ReadOnlySpan<G1Affine>(in p), new ReadOnlySpan<G2Affine>(in q));

    /// <summary>f_{|x|,Q}(P) for one pair with prepared Q.</summary>
    public static MillerLoopResult Run(in G1Affine p, G2Prepared q)
        => Multi(new ReadOnlySpan<G1Affine>(in p), new ReadOnlySpan<G2Prepared>(in q));
}
