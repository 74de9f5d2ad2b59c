using System.Numerics;
using Engine.BigInt;
using Engine.Tests.Support;
using NUnit.Framework;

namespace Engine.Tests.BigInt;

/// <summary>Montgomery multiply, square, reduce, add and subtract against System.Numerics.BigInteger.</summary>
[TestFixture, Category("Differential"), Parallelizable(ParallelScope.Children)]
public sealed class MontgomeryDifferentialTests
{
    public static IEnumerable<int> Sizes => Oracles.SizeClasses;

    [TestCaseSource(nameof(Sizes))]
    public void MultiplyAndSquare_MatchBigInteger(int bits)
    {
        var rng = new Random(bits * 7919);
        int failures = 0;
        ulong[] m = [];
        MontgomeryContext ctx = null!;
        BigInteger rInv = 0;
        for (int c = 0; c < Oracles.CasesPerSize; c++)
        {
            if (c % 500 == 0) Rebuild(rng, bits, out m, out ctx, out rInv);
            ulong[] a = Oracles.RandomBelow(rng, m), b = Oracles.RandomBelow(rng, m);
            BigInteger A = Oracles.ToBig(a), B = Oracles.ToBig(b), M = Oracles.ToBig(m);
            var r = new ulong[ctx.LimbCount];
            ctx.Multiply(a, b, r);
            if (Oracles.ToBig(r) != A * B * rInv % M) failures++;
            ctx.Square(a, r);
            if (Oracles.ToBig(r) != A * A * rInv % M) failures++;
            // Aliasing: the result may be an input.
            var alias = (ulong[])a.Clone();
            ctx.Multiply(alias, b, alias);
            if (Oracles.ToBig(alias) != A * B * rInv % M) failures++;
        }
        Assert.That(failures, Is.Zero, $"bits {bits}");
    }

    [TestCaseSource(nameof(Sizes))]
    public void ReduceAddSubtractAndConversions_MatchBigInteger(int bits)
    {
        var rng = new Random(bits * 104729);
        int failures = 0;
        ulong[] m = [];
        MontgomeryContext ctx = null!;
        BigInteger rInv = 0;
        for (int c = 0; c < Oracles.CasesPerSize; c++)
        {
            if (c % 500 == 0) Rebuild(rng, bits, out m, out ctx, out rInv);
            int n = ctx.LimbCount;
            BigInteger M = Oracles.ToBig(m);
            ulong[] wide = Oracles.RandomLimbs(rng, 1 + rng.Next(3 * n));
            var r = new ulong[n];
            ctx.Reduce(wide, r);
            if (Oracles.ToBig(r) != Oracles.ToBig(wide) % M) failures++;

            ulong[] a = Oracles.RandomBelow(rng, m), b = Oracles.RandomBelow(rng, m);
            BigInteger A = Oracles.ToBig(a), B = Oracles.ToBig(b);
            ctx.Add(a, b, r);
            if (Oracles.ToBig(r) != (A + B) % M) failures++;
            ctx.Subtract(a, b, r);
            if (Oracles.ToBig(r) != ((A - B) % M + M) % M) failures++;
            ctx.ToMontgomery(a, r);
            if (Oracles.ToBig(r) != (A << (64 * n)) % M) failures++;
            ctx.FromMontgomery(r, r);
            if (Oracles.ToBig(r) != A) failures++;
        }
        Assert.That(failures, Is.Zero, $"bits {bits}");
    }

    private static void Rebuild(Random rng, int bits, out ulong[] m, out MontgomeryContext ctx, out BigInteger rInv)
    {
        m = Oracles.RandomOddModulus(rng, bits);
        ctx = new MontgomeryContext(m);
        BigInteger M = Oracles.ToBig(m), R = BigInteger.One << (64 * ctx.LimbCount);
        rInv = Oracles.GmpInvert(R % M, M);
    }

    [Test]
    public void Context_RejectsEvenTinyAndOversizedModuli()
    {
        Assert.Throws<ArgumentException>(() => new MontgomeryContext([10UL]));
        Assert.Throws<ArgumentException>(() => new MontgomeryContext([1UL]));
        Assert.Throws<ArgumentException>(() => new MontgomeryContext([0UL, 0UL]));
        var big = new ulong[MontgomeryContext.MaxLimbs + 1];
        big[0] = 1; big[^1] = 1;
        Assert.Throws<ArgumentException>(() => new MontgomeryContext(big));
        var ctx = new MontgomeryContext([0xffff_ffff_ffff_ffc5UL]);   // largest 64-bit prime
        Assert.Throws<ArgumentException>(() => ctx.Multiply(new ulong[2], new ulong[1], new ulong[1]));
    }

    [TestCase(64)]
    [TestCase(128)]
    [TestCase(1023)]
    [TestCase(2048)]
    [TestCase(8192)]
    public void MersenneLikeModulus_TwoToTheKMinusOne_Works(int k)
    {
        BigInteger M = (BigInteger.One << k) - 1;
        int n = (k + 63) / 64;
        var ctx = new MontgomeryContext(Oracles.ToLimbs(M, n));
        var rng = new Random(k);
        for (int c = 0; c < 200; c++)
        {
            ulong[] a = Oracles.RandomBelow(rng, ctx.Modulus), b = Oracles.RandomBelow(rng, ctx.Modulus);
            var am = new ulong[n]; var bm = new ulong[n]; var r = new ulong[n];
            ctx.ToMontgomery(a, am); ctx.ToMontgomery(b, bm);
            ctx.Multiply(am, bm, r); ctx.FromMontgomery(r, r);
            Assert.That(Oracles.ToBig(r), Is.EqualTo(Oracles.ToBig(a) * Oracles.ToBig(b) % M), $"k {k} case {c}");
        }
    }

    [TestCase(65)]
    [TestCase(129)]
    [TestCase(2049)]
    public void ModulusJustAboveLimbBoundary_Works(int bits)
    {
        var rng = new Random(bits);
        ulong[] m = Oracles.RandomOddModulus(rng, bits);
        var ctx = new MontgomeryContext(m);
        Assert.That(ctx.LimbCount, Is.EqualTo((bits + 63) / 64));
        ulong[] a = Oracles.ToLimbs(Oracles.ToBig(m) - 1, ctx.LimbCount);
        var r = new ulong[ctx.LimbCount];
        ctx.ToMontgomery(a, r); ctx.Square(r, r); ctx.FromMontgomery(r, r);
        Assert.That(Oracles.ToBig(r), Is.EqualTo(BigInteger.One), "(m − 1)² ≡ 1");
    }
}
