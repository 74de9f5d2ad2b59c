using System.Numerics;
using System.Security.Cryptography;
using Engine.BigInt;
using Engine.BigInt.Native;
using NUnit.Framework;

namespace Engine.Tests.BigInt;

/// <summary>
/// The generated Montgomery products (one per limb count 4 … 128; 1 … 70 and 126 … 128 here) against BigInteger: r·R ≡ a·b (mod m) and r &lt; m for
/// every size, full-width and sparse moduli, the extreme operands and aliasing. Under ENGINE_NATIVE=0 or without
/// ADX/BMI2 the same assertions check the managed code (and that no kernel was made).
/// </summary>
[TestFixture, Category("Kernels"), Category("Differential")]
public sealed unsafe class NativeMontgomeryKernelTests
{
    private static BigInteger Big(ReadOnlySpan<ulong> limbs) => new(System.Runtime.InteropServices.MemoryMarshal.AsBytes(limbs), isUnsigned: true);

    private static ulong[] Limbs(BigInteger value, int n)
    {
        var limbs = new ulong[n];
        value.TryWriteBytes(System.Runtime.InteropServices.MemoryMarshal.AsBytes(limbs.AsSpan()), out _, isUnsigned: true);
        return limbs;
    }

    [Test]
    public void EveryLimbCount_AgreesWithBigInteger([Range(1, 70)] int n) => Check(n);

    [Test]
    public void LargestLimbCounts_AgreeWithBigInteger([Range(126, 128)] int n) => Check(n);

    private static void Check(int n)
    {
        var random = new Random(n);
        for (int trial = 0; trial < 6; trial++)
        {
            ulong[] m = new ulong[n];
            for (int i = 0; i < n; i++) m[i] = (ulong)random.NextInt64() ^ ((ulong)random.Next() << 40);
            m[n - 1] = trial switch { 0 => ulong.MaxValue, 1 => 1UL << 63, 2 => 1, _ => m[n - 1] | 1 };
            m[0] |= 1;
            if (n == 1 && m[0] == 1) m[0] = 3;
            var ctx = new MontgomeryContext(m);
            Assert.That(ctx.UsesNativeKernel, Is.EqualTo(NativeKernels.Allowed && CpuFeatures.Bmi2 && CpuFeatures.Adx && n >= 4 && n <= 128), $"n = {n}");
            BigInteger mb = Big(m), r = BigInteger.One << (64 * n);
            BigInteger[] operands = [0, 1, mb - 1, mb - 2, new BigInteger(RandomNumberGenerator.GetBytes(8 * n + 8), isUnsigned: true) % mb];
            foreach (BigInteger x in operands)
            {
                foreach (BigInteger y in operands)
                {
                    ulong[] a = Limbs(x, n), b = Limbs(y, n), result = new ulong[n];
                    ctx.Multiply(a, b, result);
                    BigInteger got = Big(result);
                    Assert.That(got < mb && (got * r - x * y) % mb == 0, Is.True, $"n = {n}, trial {trial}");
                    ctx.Square(a, result);
                    got = Big(result);
                    Assert.That(got < mb && (got * r - x * x) % mb == 0, Is.True, $"square, n = {n}");
                    ctx.Multiply(a, b, result);
                    ulong[] aliased = (ulong[])a.Clone();
                    ctx.Multiply(aliased, b, aliased);                        // the result may alias an operand
                    Assert.That(aliased, Is.EqualTo(result), $"aliasing, n = {n}");
                }
            }
        }
    }

    /// <summary>
    /// The square kernel directly, at every limb count it is made for: r·R ≡ a² (mod m), r &lt; m, in place too, for
    /// full-width, all-ones and sparse moduli and the operands with the most carries (m − 1, all ones below m).
    /// </summary>
    [Test]
    public void SquareKernel_EveryLimbCount_AgreesWithBigInteger([Range(MontgomeryKernels.MinLimbs, MontgomeryKernels.MaxLimbs)] int n)
    {
        var kernel = MontgomeryKernels.SquareFor(n);
        if (kernel is null) Assert.Ignore($"no square kernel here: {CpuFeatures.Describe()}, ENGINE_NATIVE allowed: {NativeKernels.Allowed}");
        var random = new Random(1000 + n);
        BigInteger r = BigInteger.One << (64 * n);
        for (int trial = 0; trial < 4; trial++)
        {
            ulong[] m = new ulong[n];
            for (int i = 0; i < n; i++) m[i] = (ulong)random.NextInt64() ^ ((ulong)random.Next() << 40);
            m[n - 1] = trial switch { 0 => ulong.MaxValue, 1 => 1UL << 63, 2 => 1, _ => m[n - 1] | 1 };
            if (trial == 0) Array.Fill(m, ulong.MaxValue);                            // 2^(64n) − 1: carries everywhere
            m[0] |= 1;
            var ctx = new MontgomeryContext(m);
            ulong[] context = new ulong[n + 1];
            context[0] = ctx.MInv;
            m.CopyTo(context, 1);
            BigInteger mb = Big(m);
            BigInteger allOnes = ((BigInteger.One << (64 * n)) - 1) % mb;
            BigInteger[] operands = [0, 1, mb - 1, allOnes, new BigInteger(RandomNumberGenerator.GetBytes(8 * n + 8), isUnsigned: true) % mb];
            foreach (BigInteger x in operands)
            {
                ulong[] a = Limbs(x, n), result = new ulong[n];
                fixed (ulong* pr = result, pa = a, pc = context)
                {
                    kernel(pr, pa, pa, pc);
                    BigInteger got = Big(result);
                    Assert.That(got < mb && (got * r - x * x) % mb == 0, Is.True, $"n = {n}, trial {trial}");
                    kernel(pa, pa, pa, pc);
                }
                Assert.That(a, Is.EqualTo(result), $"in place, n = {n}");
            }
        }
    }
}
