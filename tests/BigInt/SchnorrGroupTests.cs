using System.Numerics;
using Engine.BigInt;
using Engine.Tests.Support;
using NUnit.Framework;

namespace Engine.Tests.BigInt;

/// <summary>The named groups regenerate from their seed and counter (FIPS 186-4 A.1.1.2 / A.2.3) and validate
/// elements as SPEC.md §0 says.</summary>
[TestFixture, Category("Vectors")]
public sealed class SchnorrGroupTests
{
    public static IEnumerable<TestCaseData> Groups() =>
        SchnorrGroups.All.Select(g => new TestCaseData(g.Name).SetName($"Regenerate_{g.Name}"));

    [TestCaseSource(nameof(Groups))]
    public void Parameters_RegenerateFromSeedAndCounter_AndValidate(string name)
    {
        SchnorrGroup g = SchnorrGroups.Find(name)!;
        byte[] seed = SchnorrGroupGenerator.SeedFor(g.SeedLabel, g.SeedIndex);
        Assert.That(seed, Is.EqualTo(g.Seed), "seed = SHA-256(label ‖ index)");
        ulong[] q = SchnorrGroupGenerator.CandidateQ(seed);
        Assert.That(q, Is.EqualTo(g.Order.ToArray()), "q from the seed");
        ulong[]? p = SchnorrGroupGenerator.CandidateP(seed, q, g.P.BitLength, g.Counter);
        Assert.That(p, Is.EqualTo(g.Modulus.ToArray()), "p from the counter");

        BigInteger P = Oracles.ToBig(g.Modulus), Q = Oracles.ToBig(g.Order), G = Oracles.ToBig(g.Generator);
        Assert.That(P.GetBitLength(), Is.EqualTo(g.P.BitLength == 2048 ? 2048 : 3072));
        Assert.That(Q.GetBitLength(), Is.EqualTo(256));
        Assert.That((P - 1) % Q, Is.EqualTo(BigInteger.Zero), "q | p − 1");
        Assert.That(G, Is.GreaterThan(BigInteger.One));
        Assert.That(BigInteger.ModPow(G, Q, P), Is.EqualTo(BigInteger.One), "g^q = 1");
        Assert.That(MillerRabin.IsProbablePrimeVarTime(g.Order, SchnorrGroupGenerator.RoundsForQ), Is.True, "q prime");
        Assert.That(MillerRabin.IsProbablePrimeVarTime(g.Modulus, SchnorrGroupGenerator.RoundsForP(g.P.BitLength)), Is.True, "p prime");

        ulong[] cofactor = SchnorrGroupGenerator.Cofactor(g.Modulus, g.Order);
        ulong[] regenerated = SchnorrGroupGenerator.CanonicalGenerator(g.P, cofactor, seed, 1);
        Assert.That(regenerated, Is.EqualTo(g.Generator.ToArray()), "g by A.2.3");
    }

    [Test, Category("Soak")]
    public void Counter_IsTheFirstPrimeCandidate_ForModp2048()
    {
        SchnorrGroup g = SchnorrGroups.Modp2048Q256;
        for (int counter = 0; counter < g.Counter; counter++)
        {
            ulong[]? p = SchnorrGroupGenerator.CandidateP(g.Seed, g.Order, 2048, counter);
            Assert.That(p is null || !MillerRabin.IsProbablePrimeVarTime(p, 8), Is.True, $"counter {counter}");
        }
    }

    [Test, Category("Malformed")]
    public void DecodeElement_ReturnsExactStatus()
    {
        SchnorrGroup g = SchnorrGroups.Modp2048Q256;
        int size = g.ElementSizeInBytes;
        var y = new ulong[g.P.LimbCount];
        byte[] enc = new byte[size];
        BigEndian.TryFromLimbs(g.Generator, enc);
        Assert.That(g.DecodeElement(enc, y), Is.EqualTo(EngineStatus.Ok), "g");
        Assert.That(g.DecodeElement(enc.AsSpan(1), y), Is.EqualTo(EngineStatus.BadLength), "truncated");
        Assert.That(g.DecodeElement(new byte[size + 1], y), Is.EqualTo(EngineStatus.BadLength), "oversized");
        byte[] pBytes = new byte[size];
        BigEndian.TryFromLimbs(g.Modulus, pBytes);
        Assert.That(g.DecodeElement(pBytes, y), Is.EqualTo(EngineStatus.NotCanonical), "y = p");
        Assert.That(g.DecodeElement(Enumerable.Repeat((byte)0xff, size).ToArray(), y), Is.EqualTo(EngineStatus.NotCanonical), "y > p");
        Assert.That(g.DecodeElement(new byte[size], y), Is.EqualTo(EngineStatus.IdentityElement), "y = 0");
        byte[] one = new byte[size]; one[^1] = 1;
        Assert.That(g.DecodeElement(one, y), Is.EqualTo(EngineStatus.IdentityElement), "y = 1");
        byte[] minusOne = (byte[])pBytes.Clone(); minusOne[^1] -= 1;   // p − 1 has order 2
        Assert.That(g.DecodeElement(minusOne, y), Is.EqualTo(EngineStatus.NotInSubgroup), "y = p − 1");
        byte[] two = new byte[size]; two[^1] = 2;
        Assert.That(g.DecodeElement(two, y), Is.EqualTo(EngineStatus.NotInSubgroup), "y = 2 (not a q-th power here)");
    }

    [Test]
    public void PowGenerator_MatchesBigInteger()
    {
        SchnorrGroup g = SchnorrGroups.Modp3072Q256;
        var x = new ulong[4];
        var r = new ulong[g.P.LimbCount];
        for (int i = 0; i < 5; i++)
        {
            g.RandomScalar(x);
            g.PowGenerator(x, r);
            g.P.FromMontgomery(r, r);
            Assert.That(Oracles.ToBig(r), Is.EqualTo(BigInteger.ModPow(Oracles.ToBig(g.Generator), Oracles.ToBig(x), Oracles.ToBig(g.Modulus))));
        }
    }
}
