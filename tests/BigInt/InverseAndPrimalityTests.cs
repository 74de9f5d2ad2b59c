using System.Numerics;
using Engine.BigInt;
using Engine.Tests.Support;
using NUnit.Framework;

namespace Engine.Tests.BigInt;

/// <summary>Modular inverses against GMP's mpz_invert and a·a⁻¹ ≡ 1; Miller–Rabin on known primes and composites.</summary>
[TestFixture, Category("Differential"), Parallelizable(ParallelScope.Children)]
public sealed class InverseAndPrimalityTests
{
    public static IEnumerable<int> Sizes => Oracles.SizeClasses;

    [TestCaseSource(nameof(Sizes))]
    public void TryInvertVarTime_MatchesGmp(int bits)
    {
        var rng = new Random(bits * 17);
        int failures = 0;
        ulong[] m = [];
        int cases = bits >= 4096 ? Oracles.CasesPerSize / 4 : Oracles.CasesPerSize;   // binary Euclid is O(bits²)
        for (int c = 0; c < cases; c++)
        {
            if (c % 100 == 0) m = Oracles.RandomOddModulus(rng, bits);
            ulong[] a = Oracles.RandomBelow(rng, m);
            var r = new ulong[m.Length];
            BigInteger A = Oracles.ToBig(a), M = Oracles.ToBig(m);
            bool invertible = BigInteger.GreatestCommonDivisor(A, M).IsOne;
            if (ModInverse.TryInvertVarTime(a, m, r) != invertible) { failures++; continue; }
            if (invertible && Oracles.ToBig(r) != Oracles.GmpInvert(A, M)) failures++;
        }
        Assert.That(failures, Is.Zero, $"bits {bits}");
    }

    public static IEnumerable<TestCaseData> Primes()
    {
        yield return new TestCaseData((BigInteger.One << 127) - 1).SetName("InvertPrime_Mersenne127");
        yield return new TestCaseData((BigInteger.One << 255) - 19).SetName("InvertPrime_25519");
        yield return new TestCaseData((BigInteger.One << 521) - 1).SetName("InvertPrime_Mersenne521");
        yield return new TestCaseData(Oracles.ToBig(SchnorrGroups.Modp2048Q256.Modulus)).SetName("InvertPrime_Modp2048");
        yield return new TestCaseData(Oracles.ToBig(SchnorrGroups.Modp3072Q256.Modulus)).SetName("InvertPrime_Modp3072");
        yield return new TestCaseData(Oracles.ToBig(SchnorrGroups.Modp2048Q256.Order)).SetName("InvertPrime_Q256");
    }

    [TestCaseSource(nameof(Primes))]
    public void InvertPrime_ConstantTimeFermat_MatchesGmp(BigInteger p)
    {
        int n = (int)((p.GetBitLength() + 63) / 64);
        var ctx = new MontgomeryContext(Oracles.ToLimbs(p, n));
        var rng = new Random(n);
        int cases = n > 8 ? 300 : Oracles.CasesPerSize;
        for (int c = 0; c < cases; c++)
        {
            ulong[] a = Oracles.RandomBelow(rng, ctx.Modulus);
            var am = new ulong[n]; var r = new ulong[n];
            ctx.ToMontgomery(a, am);
            ModInverse.InvertPrime(ctx, am, r);
            ctx.FromMontgomery(r, r);
            BigInteger A = Oracles.ToBig(a);
            BigInteger expected = A.IsZero ? 0 : Oracles.GmpInvert(A, p);
            Assert.That(Oracles.ToBig(r), Is.EqualTo(expected), $"case {c}");
        }
    }

    [Test]
    public void MillerRabin_KnownPrimesAndComposites()
    {
        Assert.That(MillerRabin.IsProbablePrimeVarTime([2UL], 20), Is.True);
        Assert.That(MillerRabin.IsProbablePrimeVarTime([3UL], 20), Is.True);
        Assert.That(MillerRabin.IsProbablePrimeVarTime([1UL], 20), Is.False);
        Assert.That(MillerRabin.IsProbablePrimeVarTime([0UL], 20), Is.False);
        Assert.That(MillerRabin.IsProbablePrimeVarTime([561UL], 20), Is.False, "Carmichael 561");
        Assert.That(MillerRabin.IsProbablePrimeVarTime([0xffff_ffff_ffff_ffc5UL], 20), Is.True, "2^64 − 59");
        Assert.That(MillerRabin.IsProbablePrimeVarTime(Oracles.ToLimbs((BigInteger.One << 521) - 1, 9), 20), Is.True);
        Assert.That(MillerRabin.IsProbablePrimeVarTime(Oracles.ToLimbs((BigInteger.One << 523) - 1, 9), 20), Is.False);
        // A strong pseudoprime to bases 2..37 (Arnault-style numbers fool fixed bases; random bases catch them).
        BigInteger psp = BigInteger.Parse("3825123056546413051");
        Assert.That(MillerRabin.IsProbablePrimeVarTime(Oracles.ToLimbs(psp, 1), 40), Is.False);
        // Product of two 1024-bit-ish primes from the groups: composite.
        BigInteger semi = Oracles.ToBig(SchnorrGroups.Modp2048Q256.Order) * Oracles.ToBig(SchnorrGroups.Modp3072Q256.Order);
        Assert.That(MillerRabin.IsProbablePrimeVarTime(Oracles.ToLimbs(semi, 8), 20), Is.False);
    }

    [Test]
    public void RandomScalar_StaysInRangeAndCoversIt()
    {
        ulong[] bound = [10UL];
        var seen = new bool[10];
        var r = new ulong[1];
        for (int i = 0; i < 2000; i++)
        {
            RandomScalar.NonZeroBelow(bound, r);
            Assert.That(r[0], Is.InRange(1UL, 9UL));
            seen[r[0]] = true;
        }
        Assert.That(seen[1..].All(s => s), Is.True, "every value in [1, 9] drawn");
        Assert.Throws<ArgumentException>(() => RandomScalar.NonZeroBelow([1UL], r));
    }
}
