using System.Security.Cryptography;
using Engine.Pairing.Fields;
using Engine.Pairing.Groups;

namespace Engine.Pairing.Pairings;

/// <summary>
/// The optimal ate pairing e: G1 × G2 → Gt and pairing checks. (Named for the pairing rather than "Pairing", which
/// would clash with the <c>Engine.Pairing</c> namespace inside the engine.)
/// </summary>
public static class OptimalAte
{
    /// <summary>e(P, Q).</summary>
    public static Gt Pair(in G1Affine p, in G2Affine q) => MillerLoop.Run(p, q).FinalExponentiation();

    /// <summary>e(P, Q) with a prepared Q.</summary>
    public static Gt Pair(in G1Affine p, G2Prepared q) => MillerLoop.Run(p, q).FinalExponentiation();

    /// <summary>Π e(Pi, Qi) with one shared Miller loop squaring chain and one final exponentiation.</summary>
    public static Gt MultiPair(ReadOnlySpan<G1Affine> g1, ReadOnlySpan<G2Affine> g2) => MillerLoop.Multi(g1, g2).FinalExponentiation();

    /// <summary>Π e(Pi, Qi) == 1: the check that verifies signatures and proofs. Inputs are public.</summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public static bool Check(ReadOnlySpan<G1Affine> g1, ReadOnlySpan<G2Affine> g2) => MillerLoop.Multi(g1, g2).FinalExponentiation().IsIdentity;

    /// <summary>Π e(Pi, Qi) == 1 with prepared Q.</summary>
    public static bool Check(ReadOnlySpan<G1Affine> g1, ReadOnlySpan<G2Prepared> g2) => MillerLoop.Multi(g1, g2).FinalExponentiation().IsIdentity;

    /// <summary>
    /// Checks many pairing equations at once. Equation j is Π e(Pi, Qi) = 1 over the next
    /// <paramref name="equationLengths"/>[j] pairs. Each equation's G1 points are scaled by a fresh random 128-bit
    /// scalar ρ_j and everything is checked as one product with one final exponentiation: if any equation fails,
    /// the combination passes with probability about 2^−128. Returns true only if all hold (with that probability).
    /// </summary>
    /// <exception cref="ArgumentException">Lengths are inconsistent.</exception>
    public static bool CheckBatch(ReadOnlySpan<G1Affine> g1, ReadOnlySpan<G2Affine> g2, ReadOnlySpan<int> equationLengths)
    {
        if (g1.Length != g2.Length) throw new ArgumentException("Both point spans must have the same length.", nameof(g2));
        int total = 0;
        foreach (int n in equationLengths)
        {
            if (n < 0) throw new ArgumentException("Equation lengths must be non-negative.", nameof(equationLengths));
            total += n;
        }
        if (total != g1.Length) throw new ArgumentException("Equation lengths must add up to the number of pairs.", nameof(equationLengths));

        G1Projective[] scaled = System.Buffers.ArrayPool<G1Projective>.Shared.Rent(g1.Length);
        G1Affine[] affine = System.Buffers.ArrayPool<G1Affine>.Shared.Rent(g1.Length);
        try
        {
            Span<byte> rho = stackalloc byte[Fr.SizeInBytes];
            int index = 0;
            foreach (int n in equationLengths)
            {
                rho.Clear();
                RandomNumberGenerator.Fill(rho[16..]);                        // 128-bit ρ, never zero in practice
                rho[31] |= 1;
                Fr.Decode(rho, out Fr r);
                for (int i = 0; i < n; i++, index++) scaled[index] = g1[index].ToProjective().Multiply(r);
            }
            G1Projective.BatchToAffine(scaled.AsSpan(0, g1.Length), affine.AsSpan(0, g1.Length));
            return Check(affine.AsSpan(0, g1.Length), g2);
        }
        finally
        {
            System.Buffers.ArrayPool<G1Projective>.Shared.Return(scaled);
            System.Buffers.ArrayPool<G1Affine>.Shared.Return(affine);
        }
    }
}
