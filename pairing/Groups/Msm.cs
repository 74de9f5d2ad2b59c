using System.Buffers;
using System.Runtime.InteropServices;
using Engine.BigInt;
using Engine.Pairing.Fields;

namespace Engine.Pairing.Groups;

/// <summary>
/// Multi-scalar multiplication Σ [kᵢ]Pᵢ for public scalars: Pippenger's bucket method (windows of c bits, each
/// point added to the bucket of its digit, buckets summed by running sums), with Straus-style separate
/// multiplications below <see cref="PippengerThreshold"/> terms. Variable time.
/// </summary>
internal static class Msm
{
    internal static int PippengerThreshold = 8;

    public static Projective<F> RunVarTime<F>(ReadOnlySpan<Affine<F>> points, ReadOnlySpan<Fr> scalars, in F b3)
        where F : unmanaged, IField<F>
    {
        int n = points.Length;
        if (n < PippengerThreshold)
        {
            Projective<F> sum = Projective<F>.Identity;
            Span<ulong> k = stackalloc ulong[4];
            for (int i = 0; i < n; i++)
            {
                scalars[i].ToCanonicalLimbs(k);
                var p = Projective<F>.FromAffine(points[i].X, points[i].Y, points[i].InfinityMask);
                sum = Projective<F>.Add(sum, ScalarMultiplication.MultiplyVarTime(p, k, b3), b3);
            }
            return sum;
        }

        int c = WindowBits(n);
        ulong[] limbs = ArrayPool<ulong>.Shared.Rent(4 * n);
        Projective<F>[] buckets = ArrayPool<Projective<F>>.Shared.Rent((1 << c) - 1);
        try
        {
            for (int i = 0; i < n; i++) scalars[i].ToCanonicalLimbs(limbs.AsSpan(4 * i, 4));
            Projective<F> acc = Projective<F>.Identity;
            int windows = (255 + c - 1) / c;
            for (int w = windows - 1; w >= 0; w--)
            {
                for (int d = 0; d < c; d++) acc = acc.Double(b3);
                Span<Projective<F>> bucket = buckets.AsSpan(0, (1 << c) - 1);
                bucket.Fill(Projective<F>.Identity);
                for (int i = 0; i < n; i++)
                {
                    if (points[i].InfinityMask != 0) continue;
                    int bits = Math.Min(c, 256 - w * c);
                    ulong digit = Limbs.GetBits(limbs.AsSpan(4 * i, 4), w * c, bits);
                    if (digit != 0) bucket[(int)digit - 1] = Projective<F>.AddAffine(bucket[(int)digit - 1], points[i].X, points[i].Y, b3);
                }
                // Σ j·bucket[j−1] as running sums from the top bucket down.
                Projective<F> running = Projective<F>.Identity, total = Projective<F>.Identity;
                for (int j = bucket.Length - 1; j >= 0; j--)
                {
                    running = Projective<F>.Add(running, bucket[j], b3);
                    total = Projective<F>.Add(total, running, b3);
                }
                acc = Projective<F>.Add(acc, total, b3);
            }
            return acc;
        }
        finally
        {
            ArrayPool<ulong>.Shared.Return(limbs);
            ArrayPool<Projective<F>>.Shared.Return(buckets);
        }
    }

    /// <summary>Window size ≈ log₂(n) − 2, clamped to 3…12 (bucket memory and the running-sum cost grow as 2^c).</summary>
    internal static int WindowBits(int n) => Math.Clamp((int)Math.Log2(n) - 2, 3, 12);
}

public readonly partial struct G1Projective
{
    /// <summary>Σ [kᵢ]Pᵢ for public scalars (Pippenger). Variable time.</summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public static G1Projective MsmVarTime(ReadOnlySpan<G1Affine> points, ReadOnlySpan<Fr> scalars)
    {
        if (points.Length != scalars.Length) throw new ArgumentException("One scalar per point.", nameof(scalars));
        return new(Msm.RunVarTime(MemoryMarshal.Cast<G1Affine, Affine<Fp>>(points), scalars, Bls12381.B3G1));
    }

    /// <summary>[kᵢ]P for many secret scalars with one base (batch entry point): constant time per item.</summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public static void MultiplyMany(in G1Projective point, ReadOnlySpan<Fr> scalars, Span<G1Projective> destination)
    {
        if (scalars.Length != destination.Length) throw new ArgumentException("One destination per scalar.", nameof(destination));
        for (int i = 0; i < scalars.Length; i++) destination[i] = point.Multiply(scalars[i]);
    }
}

public readonly partial struct G2Projective
{
    /// <summary>Σ [kᵢ]Qᵢ for public scalars (Pippenger). Variable time.</summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public static G2Projective MsmVarTime(ReadOnlySpan<G2Affine> points, ReadOnlySpan<Fr> scalars)
    {
        if (points.Length != scalars.Length) throw new ArgumentException("One scalar per point.", nameof(scalars));
        return new(Msm.RunVarTime(MemoryMarshal.Cast<G2Affine, Affine<Fp2>>(points), scalars, Bls12381.B3G2));
    }
}
