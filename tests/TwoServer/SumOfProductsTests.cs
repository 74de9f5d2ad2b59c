using System.Numerics;
using Engine.TwoServer.Records;
using NUnit.Framework;

namespace Engine.Tests.TwoServer;

/// <summary>The exact Σ a_i·b_i behind batched verification: the AVX-512 kernel and the scalar one against BigInteger, extremes included.</summary>
[TestFixture, Category("Kernels"), NonParallelizable]
public sealed class SumOfProductsTests
{
    private static BigInteger Big(ReadOnlySpan<ulong> limbs) => new(System.Runtime.InteropServices.MemoryMarshal.AsBytes(limbs), isUnsigned: true);

    [TestCase(34, 33, 1), TestCase(34, 33, 7), TestCase(34, 33, 8), TestCase(34, 33, 9), TestCase(34, 33, 64), TestCase(3, 2, 17), TestCase(17, 16, 256), TestCase(34, 33, 0)]
    public void BothKernels_MatchBigInteger(int aLimbs, int bLimbs, int count)
    {
        foreach (bool allOnes in new[] { false, true }) Check(allOnes, aLimbs, bLimbs, count);
    }

    private static void Check(bool allOnes, int aLimbs, int bLimbs, int count)
    {
        var rng = new Random(aLimbs * 1000 + count);
        ulong[] a = new ulong[count * aLimbs], b = new ulong[count * bLimbs];
        for (int i = 0; i < a.Length; i++) a[i] = allOnes ? ulong.MaxValue : (ulong)rng.NextInt64() ^ ((ulong)rng.Next() << 40);
        for (int i = 0; i < b.Length; i++) b[i] = allOnes ? ulong.MaxValue : (ulong)rng.NextInt64() ^ ((ulong)rng.Next() << 40);
        BigInteger expected = BigInteger.Zero;
        for (int i = 0; i < count; i++) expected += Big(a.AsSpan(i * aLimbs, aLimbs)) * Big(b.AsSpan(i * bLimbs, bLimbs));
        ulong[] scalar = new ulong[SumOfProducts.ResultLimbs(aLimbs, bLimbs)], vector = new ulong[scalar.Length], dispatched = new ulong[scalar.Length];
        SumOfProducts.ComputeScalar(a, aLimbs, b, bLimbs, count, scalar);
        Assert.That(Big(scalar), Is.EqualTo(expected), "scalar");
        SumOfProducts.Compute(a, aLimbs, b, bLimbs, count, dispatched);
        Assert.That(Big(dispatched), Is.EqualTo(expected), "dispatched");
        if (!System.Runtime.Intrinsics.X86.Avx512F.IsSupported || !System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated) return;   // the CI re-runs without AVX-512 reach only the scalar kernel
        SumOfProducts.ComputeVector512(a, aLimbs, b, bLimbs, count, vector);
        Assert.That(Big(vector), Is.EqualTo(expected), $"vector, all ones: {allOnes}");
    }
}
