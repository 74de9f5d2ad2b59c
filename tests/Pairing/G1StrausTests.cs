using Engine.Pairing.Fields;
using Engine.Pairing.Groups;
using Engine.Primitives.Groups;
using NUnit.Framework;

namespace Engine.Tests.Pairing;

/// <summary>The Straus + GLV sum against plain double-and-add multiplications (no GLV split, no NAF: an independent path).</summary>
[TestFixture, Category("Differential")]
public sealed class G1StrausTests
{
    private static Fr Scalar(Random rng)
    {
        byte[] b = new byte[32];
        rng.NextBytes(b);
        return Fr.FromBigEndianReduced(b);
    }

    [Test]
    public void MultiplySumVarTime_EqualsTheSumOfProducts([Values(1, 2, 3, 4, 5, 8, 13, 48)] int n)
    {
        var rng = new Random(n);
        for (int trial = 0; trial < 4; trial++)
        {
            var points = new G1Projective[n];
            var scalars = new Fr[n];
            G1Projective expected = G1Projective.Identity;
            for (int i = 0; i < n; i++)
            {
                points[i] = G1Projective.Generator.Multiply(Scalar(rng));
                scalars[i] = (trial, i % 4) switch
                {
                    (0, 0) => Fr.Zero,
                    (0, 1) => Fr.One,
                    (0, 2) => -Fr.One,                          // r − 1
                    (1, 3) => Fr.FromUInt64(ulong.MaxValue),
                    _ => Scalar(rng),
                };
                if (trial == 2 && i == 0) points[i] = G1Projective.Identity;
                expected += points[i].MultiplyPlain(scalars[i]);
            }
            Assert.That(G1Projective.MultiplySumVarTime(points, scalars), Is.EqualTo(expected), $"trial {trial}");
        }
    }

    [Test]
    public void GroupMultiPow_AgreesAcrossTheStrausAndPippengerPaths()
    {
        PrimeOrderGroup g = PrimeOrderGroups.Bls12381G1;
        int limbs = g.ElementLimbs;
        foreach (int n in new[] { 47, 48, 49, 70 })
        {
            var rng = new Random(n);
            ulong[] elements = new ulong[n * limbs], scalars = new ulong[n * 4], result = new ulong[limbs], expected = new ulong[limbs], t = new ulong[limbs];
            g.Identity(expected);
            for (int i = 0; i < n; i++)
            {
                g.RandomScalar(scalars.AsSpan(4 * i, 4));
                g.PowGenerator(scalars.AsSpan(4 * i, 4), elements.AsSpan(i * limbs, limbs));
                g.RandomScalar(scalars.AsSpan(4 * i, 4));
                g.Pow(elements.AsSpan(i * limbs, limbs), scalars.AsSpan(4 * i, 4), t);
                g.Multiply(expected, t, expected);
            }
            g.MultiPowVarTime(elements, scalars, result);
            Assert.That(g.AreEqual(result, expected), Is.True, $"n = {n}");
        }
    }
}
