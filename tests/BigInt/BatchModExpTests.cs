using System.Numerics;
using Engine.BigInt;
using Engine.Tests.Support;
using NUnit.Framework;

namespace Engine.Tests.BigInt;

/// <summary>
/// Batched exponentiation on every tier (AVX-512, AVX2, scalar) against GMP and against the single path: 10 000
/// items per size class spread over the three tiers, counts that leave partial lane groups, and both variants.
/// </summary>
[TestFixture, Category("Differential"), Category("Kernels"), NonParallelizable]
public sealed class BatchModExpTests
{
    public static IEnumerable<TestCaseData> SizesAndTiers()
    {
        foreach (int bits in Oracles.SizeClasses)
            foreach (Tier tier in Enum.GetValues<Tier>())
                yield return new TestCaseData(bits, tier).SetName($"BatchPow_{bits}_{tier}");
    }

    [TestCaseSource(nameof(SizesAndTiers))]
    public void BatchPow_EveryLane_MatchesGmpAndSinglePath(int bits, Tier tier)
    {
        if (tier == Tier.AsFound && !Kernels.Use512) Assert.Ignore("No AVX-512 on this machine; the No512 and Scalar cases cover the other tiers.");
        var rng = new Random(bits * 3 + (int)tier);
        int maxExp = Oracles.ExponentBitsFor(bits), el = (maxExp + 63) / 64;
        int items = (Oracles.CasesPerSize + 2) / 3, done = 0, failures = 0;
        using var scope = new KernelScope(tier);
        while (done < items)
        {
            ulong[] m = Oracles.RandomOddModulus(rng, bits);
            var ctx = new MontgomeryContext(m);
            int n = ctx.LimbCount, count = Math.Min(items - done, 1 + rng.Next(37));   // partial lane groups too
            var bases = new ulong[count * n];
            var exps = new ulong[count * el];
            for (int k = 0; k < count; k++)
            {
                Oracles.RandomBelow(rng, m).CopyTo(bases, k * n);
                Oracles.RandomExponent(rng, maxExp, out _).CopyTo(exps, k * el);
            }
            var ct = new ulong[count * n];
            var vt = new ulong[count * n];
            BatchModExp.Pow(ctx, bases, exps, el, maxExp, ct);
            BatchModExp.PowVarTime(ctx, bases, exps, el, vt);
            BigInteger M = Oracles.ToBig(m);
            for (int k = 0; k < count; k++)
            {
                BigInteger expected = Oracles.GmpPowMod(Oracles.ToBig(bases.AsSpan(k * n, n)), Oracles.ToBig(exps.AsSpan(k * el, el)), M);
                if (Oracles.ToBig(ct.AsSpan(k * n, n)) != expected) failures++;
                if (Oracles.ToBig(vt.AsSpan(k * n, n)) != expected) failures++;
            }
            done += count;
        }
        Assert.That(failures, Is.Zero, $"bits {bits} tier {tier} ({Kernels.Describe()})");
    }

    [TestCase(Tier.AsFound)]
    [TestCase(Tier.No512)]
    [TestCase(Tier.Scalar)]
    public void BatchPow_SchnorrGroupSecretExponents_EqualsSingleConstantTimePath(Tier tier)
    {
        SchnorrGroup g = SchnorrGroups.Modp2048Q256;
        int n = g.P.LimbCount, count = 19;
        var bases = new ulong[count * n];
        var exps = new ulong[count * 4];
        for (int k = 0; k < count; k++)
        {
            g.RandomScalar(exps.AsSpan(k * 4, 4));
            g.PowGenerator(exps.AsSpan(k * 4, 4), bases.AsSpan(k * n, n));
            g.P.FromMontgomery(bases.AsSpan(k * n, n), bases.AsSpan(k * n, n));
            g.RandomScalar(exps.AsSpan(k * 4, 4));
        }
        var batched = new ulong[count * n];
        using (new KernelScope(tier)) BatchModExp.Pow(g.P, bases, exps, 4, 256, batched);
        var x = new ulong[n]; var r = new ulong[n];
        for (int k = 0; k < count; k++)
        {
            g.P.ToMontgomery(bases.AsSpan(k * n, n), x);
            g.P.Pow(x, exps.AsSpan(k * 4, 4), 256, r);
            g.P.FromMontgomery(r, r);
            Assert.That(batched.AsSpan(k * n, n).SequenceEqual(r), Is.True, $"item {k} tier {tier}");
        }
    }

    [Test]
    public void BatchPow_RejectsUnreducedBaseAndMismatchedLengths()
    {
        var ctx = new MontgomeryContext([0xffff_ffff_ffff_ffc5UL, 1UL]);
        Assert.Throws<ArgumentException>(() => BatchModExp.Pow(ctx, [0xffff_ffff_ffff_ffc5UL, 1UL], [3UL], 1, 64, new ulong[2]));
        Assert.Throws<ArgumentException>(() => BatchModExp.Pow(ctx, new ulong[4], [3UL], 1, 64, new ulong[4]));
        Assert.Throws<ArgumentOutOfRangeException>(() => BatchModExp.Pow(ctx, new ulong[2], [3UL], 1, 65, new ulong[2]));
    }
}
