using System.Numerics;
using Engine.BigInt;
using Engine.Tests.Support;
using NUnit.Framework;

namespace Engine.Tests.BigInt;

/// <summary>Limb primitives, big-endian and hex conversions, constant-time helpers on every tier.</summary>
[TestFixture, NonParallelizable]
public sealed class LimbsAndEncodingTests
{
    [Test, Category("Differential")]
    public void AddSubShift_MatchBigInteger()
    {
        var rng = new Random(5);
        for (int c = 0; c < Oracles.CasesPerSize; c++)
        {
            int n = 1 + rng.Next(10);
            ulong[] a = Oracles.RandomLimbs(rng, n), b = Oracles.RandomLimbs(rng, n), r = new ulong[n];
            if (c % 7 == 0) Array.Fill(a, ulong.MaxValue);
            BigInteger A = Oracles.ToBig(a), B = Oracles.ToBig(b), mod = BigInteger.One << (64 * n);
            ulong carry = Limbs.Add(r, a, b);
            Assert.That(Oracles.ToBig(r) + ((BigInteger)carry << (64 * n)), Is.EqualTo(A + B));
            ulong borrow = Limbs.Sub(r, a, b);
            Assert.That(Oracles.ToBig(r), Is.EqualTo(((A - B) % mod + mod) % mod));
            Assert.That(borrow, Is.EqualTo(A < B ? 1UL : 0UL));
            Assert.That(Limbs.LessThanMask(a, b) != 0, Is.EqualTo(A < B));
            Assert.That(Limbs.CompareVarTime(a, b), Is.EqualTo(A.CompareTo(B)));
            int s = rng.Next(64);
            a.CopyTo(r, 0);
            Limbs.ShiftRight(r, s);
            Assert.That(Oracles.ToBig(r), Is.EqualTo(A >> s));
            a.CopyTo(r, 0);
            Limbs.ShiftLeft(r, s);
            Assert.That(Oracles.ToBig(r), Is.EqualTo((A << s) % mod));
            var wide = new ulong[2 * n];
            Limbs.Multiply(wide, a, b);
            Assert.That(Oracles.ToBig(wide), Is.EqualTo(A * B));
        }
    }

    [Test]
    public void BigEndianAndHex_RoundTrip()
    {
        var rng = new Random(6);
        for (int c = 0; c < 2000; c++)
        {
            byte[] bytes = Oracles.RandomBytes(rng, rng.Next(1, 80));
            var limbs = new ulong[BigEndian.LimbsForBytes(bytes.Length)];
            Assert.That(BigEndian.TryToLimbs(bytes, limbs), Is.True);
            Assert.That(Oracles.ToBig(limbs), Is.EqualTo(new BigInteger(bytes, true, true)));
            var back = new byte[bytes.Length];
            Assert.That(BigEndian.TryFromLimbs(limbs, back), Is.True);
            Assert.That(back, Is.EqualTo(bytes));
            string hex = BigEndian.ToHex(limbs);
            var parsed = new ulong[limbs.Length];
            Assert.That(BigEndian.TryParseHex(hex, parsed), Is.True);
            Assert.That(parsed, Is.EqualTo(limbs));
        }
        Assert.That(BigEndian.TryToLimbs([1, 0, 0, 0, 0, 0, 0, 0, 0], new ulong[1]), Is.False, "9 bytes in one limb");
        Assert.That(BigEndian.TryFromLimbs([0x1_0000UL], new byte[2]), Is.False, "needs 3 bytes");
        Assert.That(BigEndian.TryParseHex("12g4", new ulong[1]), Is.False);
        Assert.That(BigEndian.TryParseHex("", new ulong[1]), Is.False);
        Assert.That(BigEndian.TryParseHex("0x" + new string('f', 17), new ulong[1]), Is.False);
        Assert.That(BigEndian.ToHex([0UL, 0UL]), Is.EqualTo("0"));
    }

    [TestCase(Tier.AsFound)]
    [TestCase(Tier.No512)]
    [TestCase(Tier.Scalar)]
    [Category("Kernels")]
    public void CtLookup_EveryTier_ReturnsTheEntry(Tier tier)
    {
        var rng = new Random(7);
        using var scope = new KernelScope(tier);
        foreach (int entryLimbs in new[] { 1, 3, 4, 7, 8, 9, 16, 33 })
        {
            int entries = 1 + rng.Next(40);
            ulong[] table = Oracles.RandomLimbs(rng, entries * entryLimbs);
            var dst = new ulong[entryLimbs];
            for (int e = 0; e < entries; e++)
            {
                Ct.Lookup(dst, table, entryLimbs, (ulong)e);
                Assert.That(dst, Is.EqualTo(table.AsSpan(e * entryLimbs, entryLimbs).ToArray()), $"entry {e} of {entries}, {entryLimbs} limbs, {tier}");
            }
            Ct.Lookup(dst, table, entryLimbs, (ulong)entries);
            Assert.That(dst.All(x => x == 0), Is.True, "an index past the table reads as zero");
        }
    }

    [Test]
    public void CtHelpers_SelectSwapEqual()
    {
        ulong[] a = [1, 2, 3], b = [4, 5, 6], r = new ulong[3];
        Ct.Select(r, a, b, ulong.MaxValue); Assert.That(r, Is.EqualTo(a));
        Ct.Select(r, a, b, 0); Assert.That(r, Is.EqualTo(b));
        Ct.Swap(a, b, ulong.MaxValue); Assert.That(a, Is.EqualTo(new ulong[] { 4, 5, 6 }));
        Ct.Swap(a, b, 0); Assert.That(b, Is.EqualTo(new ulong[] { 1, 2, 3 }));
        Assert.That(Ct.EqualMask(a, a), Is.EqualTo(ulong.MaxValue));
        Assert.That(Ct.EqualMask(a, b), Is.Zero);
        Assert.That(Ct.IsZeroMask(0UL), Is.EqualTo(ulong.MaxValue));
        Assert.That(Ct.IsZeroMask(1UL << 63), Is.Zero);
    }
}
