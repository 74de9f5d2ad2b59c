using Engine.Pairing.Fields;
using Engine.Pairing.Groups;
using Engine.Pairing.Pairings;
using Engine.Tests.Support;
using NUnit.Framework;
using static Engine.Tests.Pairing.PairingOracles;

namespace Engine.Tests.Pairing;

/// <summary>Longer randomized runs and a timing-leak check; CI runs this category in bounded form.</summary>
[TestFixture, Category("Soak"), NonParallelizable]
public sealed class PairingSoakTests
{
    [Test]
    public void RandomScalars_AllMultiplicationPathsAgree_AndPairingsStayBilinear()
    {
        var rng = new Random(71);
        for (int i = 0; i < 300; i++)
        {
            Fr k = RandomFr(rng);
            G1Projective p = RandomG1(rng);
            Assert.That(p.Multiply(k), Is.EqualTo(p.MultiplyVarTime(k)), $"G1 case {i}");
            Assert.That(G1FixedBase.Generator.Multiply(k), Is.EqualTo(G1Projective.Generator.Multiply(k)), $"G1 fixed base case {i}");
            if (i % 3 == 0)
            {
                G2Projective q = RandomG2(rng);
                Assert.That(q.Multiply(k), Is.EqualTo(q.MultiplyVarTime(k)), $"G2 case {i}");
            }
        }
        for (int i = 0; i < 20; i++)
        {
            Fr a = RandomFr(rng), b = RandomFr(rng);
            Gt lhs = OptimalAte.Pair(G1FixedBase.Generator.Multiply(a).ToAffine(), G2FixedBase.Generator.Multiply(b).ToAffine());
            Assert.That(lhs, Is.EqualTo(Gt.Generator.Pow(a * b)), $"bilinearity case {i}");
        }
    }

    /// <summary>
    /// <see cref="TimingLeak"/> on G1 Multiply (generated Fp kernels where the CPU has them): k = 0, the easiest
    /// input for a leaky implementation, against random scalars.
    /// </summary>
    [Test]
    public void G1Multiply_TimingDoesNotDependOnTheScalar()
    {
        var rng = new Random(72);
        G1Projective p = RandomG1(rng);
        Fr[] scalars = [Fr.Zero, RandomFr(rng)];
        for (int i = 0; i < 50; i++) p.Multiply(RandomFr(rng));             // warm up
        double t = TimingLeak.WelchT(rng, 3000, cls => { if (cls == 1) scalars[1] = RandomFr(rng); }, cls => p.Multiply(scalars[cls]));
        TestContext.Out.WriteLine($"Welch t = {t:F2}");
        Assert.That(Math.Abs(t), Is.LessThan(10), "timing of G1 Multiply differs between k = 0 and random k");
    }
}
