using System.Numerics;
using Engine.Pairing.HashToCurve;
using Engine.Primitives.Groups;
using Engine.Tests.Support;
using NUnit.Framework;

namespace Engine.Tests.Primitives;

/// <summary>Every named group through the abstraction: group laws, the three exponentiation paths, encodings, scalars.</summary>
[TestFixture]
public sealed class PrimeOrderGroupTests
{
    public static IEnumerable<TestCaseData> Groups() => PrimeOrderGroups.All.Select(g => new TestCaseData(g).SetArgDisplayNames(g.Name));

    private static BigInteger ToBig(ReadOnlySpan<ulong> limbs) => Oracles.ToBig(limbs);

    private static ulong[] ToLimbs(BigInteger v) => Oracles.ToLimbs(v, PrimeOrderGroup.ScalarLimbs);

    [TestCaseSource(nameof(Groups)), Category("Property")]
    public void ExponentiationPaths_AgreeAndRespectTheOrder(PrimeOrderGroup group)
    {
        int n = group.ElementLimbs;
        ulong[] g = new ulong[n], a = new ulong[n], b = new ulong[n], c = new ulong[n], one = new ulong[n];
        ulong[] x = new ulong[4], y = new ulong[4], xy = new ulong[4];
        group.Generator(g);
        group.Identity(one);
        for (int i = 0; i < 4; i++)
        {
            group.RandomScalar(x);
            group.RandomScalar(y);
            group.PowGenerator(x, a);
            group.Pow(g, x, b);
            Assert.That(group.AreEqual(a, b), Is.True, "g^x fixed-base = g^x");
            group.PowVarTime(g, x, c);
            Assert.That(group.AreEqual(a, c), Is.True, "Pow = PowVarTime");
            // (g^x)^y = g^(xy)
            group.Pow(a, y, b);
            group.ScalarMultiply(x, y, xy);
            group.PowGenerator(xy, c);
            Assert.That(group.AreEqual(b, c), Is.True, "(g^x)^y = g^(xy)");
            // g^x · (g^x)⁻¹ = 1
            group.Invert(a, b);
            group.Multiply(a, b, c);
            Assert.That(group.AreEqual(c, one), Is.True, "inverse");
        }
        // g^(q−1) · g = 1
        ulong[] qMinus1 = group.Order.ToArray();
        qMinus1[0] -= 1;
        group.PowVarTime(g, qMinus1, a);
        group.Multiply(a, g, b);
        Assert.That(group.AreEqual(b, one), Is.True, "g has order q");
    }

    [TestCaseSource(nameof(Groups)), Category("Malformed")]
    public void Decode_RoundTripsAndRejectsHostileInput(PrimeOrderGroup group)
    {
        int n = group.ElementLimbs;
        ulong[] e = new ulong[n], back = new ulong[n], x = new ulong[4];
        group.RandomScalar(x);
        group.PowGenerator(x, e);
        byte[] encoded = new byte[group.ElementSizeInBytes];
        group.Encode(e, encoded);
        Assert.That(group.Decode(encoded, back), Is.EqualTo(EngineStatus.Ok));
        Assert.That(group.AreEqual(e, back), Is.True);
        Assert.That(group.Decode(encoded.AsSpan(1), back), Is.EqualTo(EngineStatus.BadLength));
        group.Identity(e);
        group.Encode(e, encoded);
        Assert.That(group.Decode(encoded, back), Is.EqualTo(EngineStatus.IdentityElement));
    }

    [TestCaseSource(nameof(Groups)), Category("Differential")]
    public void ScalarArithmeticAndHashToScalar_MatchBigInteger(PrimeOrderGroup group)
    {
        BigInteger q = ToBig(group.Order);
        var rng = new Random(5);
        ulong[] r = new ulong[4];
        for (int i = 0; i < 500; i++)
        {
            byte[] ab = new byte[40], bb = new byte[40];
            rng.NextBytes(ab); rng.NextBytes(bb);
            BigInteger a = new BigInteger(ab, true) % q, b = new BigInteger(bb, true) % q;
            group.ScalarMultiply(ToLimbs(a), ToLimbs(b), r);
            Assert.That(ToBig(r), Is.EqualTo(a * b % q), $"mul {i}");
            group.ScalarAdd(ToLimbs(a), ToLimbs(b), r);
            Assert.That(ToBig(r), Is.EqualTo((a + b) % q), $"add {i}");
            group.ScalarSubtract(ToLimbs(a), ToLimbs(b), r);
            Assert.That(ToBig(r), Is.EqualTo(((a - b) % q + q) % q), $"sub {i}");
        }
        byte[] uniform = new byte[48];
        ExpandMessageXmd.Expand("message"u8, "DST"u8, uniform);
        group.HashToScalar("message"u8, "DST"u8, r);
        Assert.That(ToBig(r), Is.EqualTo(new BigInteger(uniform, true, true) % q));

        byte[] tooBig = group.Order.ToArray().Reverse().SelectMany(l => BitConverter.GetBytes(l).Reverse()).ToArray();
        Assert.That(group.DecodeScalar(tooBig, r), Is.EqualTo(EngineStatus.ScalarOutOfRange));
        Assert.That(group.DecodeScalar(new byte[31], r), Is.EqualTo(EngineStatus.BadLength));
        Assert.That(group.DecodeNonZeroScalar(tooBig, r), Is.EqualTo(EngineStatus.ScalarOutOfRange));
        Assert.That(group.DecodeNonZeroScalar(new byte[32], r), Is.EqualTo(EngineStatus.ScalarOutOfRange), "zero is no private key");
        byte[] one = new byte[32];
        one[31] = 1;
        Assert.That(group.DecodeNonZeroScalar(one, r), Is.EqualTo(EngineStatus.Ok));
        Assert.That(ToBig(r), Is.EqualTo(BigInteger.One));
    }

    [TestCaseSource(nameof(Groups)), Category("Property")]
    public void MultiPowVarTime_EqualsTheProductOfPowers(PrimeOrderGroup group)
    {
        int n = group.ElementLimbs;
        foreach (int count in new[] { 1, 5, 12 })
        {
            ulong[] elements = new ulong[count * n], scalars = new ulong[count * 4], expected = new ulong[n], t = new ulong[n], actual = new ulong[n];
            group.Identity(expected);
            for (int i = 0; i < count; i++)
            {
                group.RandomScalar(scalars.AsSpan(4 * i, 4));
                group.PowGenerator(scalars.AsSpan(4 * i, 4), elements.AsSpan(i * n, n));
                group.RandomScalar(scalars.AsSpan(4 * i, 4));
                group.PowVarTime(elements.AsSpan(i * n, n), scalars.AsSpan(4 * i, 4), t);
                group.Multiply(expected, t, expected);
            }
            group.MultiPowVarTime(elements, scalars, actual);
            Assert.That(group.AreEqual(actual, expected), Is.True, $"{count} terms");
        }
    }
}
