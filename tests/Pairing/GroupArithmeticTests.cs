using System.Numerics;
using Engine.Pairing.Fields;
using Engine.Pairing.Groups;
using Engine.Tests.Support;
using NUnit.Framework;
using static Engine.Tests.Pairing.PairingOracles;

namespace Engine.Tests.Pairing;

/// <summary>Path equalities for G1 and G2 (noble's multiply == multiplyUnsafe): every fast path against a plain one.</summary>
[TestFixture, Category("Property")]
public sealed class GroupArithmeticTests
{
    private const int Cases = 64;

    private static IEnumerable<Fr> Scalars(Random rng)
    {
        yield return Fr.Zero; yield return Fr.One; yield return -Fr.One; yield return Fr.FromUInt64(2);
        yield return ToFr(BigInteger.Pow(2, 128) - 1);
        yield return ToFr(BigInteger.Pow(Engine.Pairing.Bls12381.AbsX, 2));                 // exactly ζ = x²
        yield return ToFr(BigInteger.Pow(Engine.Pairing.Bls12381.AbsX, 2) - 1);
        yield return ToFr(BigInteger.Pow(Engine.Pairing.Bls12381.AbsX, 3));
        yield return ToFr(R - BigInteger.Pow(Engine.Pairing.Bls12381.AbsX, 2));
        for (int i = 0; i < Cases; i++) yield return RandomFr(rng);
    }

    /// <summary>Plain double-and-add over the canonical bits: the reference for every multiplication path.</summary>
    private static G1Projective DoubleAndAdd(G1Projective p, Fr k)
    {
        BigInteger e = FromFr(k);
        G1Projective acc = G1Projective.Identity;
        for (int i = (int)e.GetBitLength() - 1; i >= 0; i--) { acc = acc.Double(); if (!((e >> i) & 1).IsZero) acc += p; }
        return acc;
    }

    private static G2Projective DoubleAndAdd(G2Projective p, Fr k)
    {
        BigInteger e = FromFr(k);
        G2Projective acc = G2Projective.Identity;
        for (int i = (int)e.GetBitLength() - 1; i >= 0; i--) { acc = acc.Double(); if (!((e >> i) & 1).IsZero) acc += p; }
        return acc;
    }

    [Test]
    public void G1_MultiplicationPaths_AgreeWithDoubleAndAdd()
    {
        var rng = new Random(41);
        G1Projective p = RandomG1(rng);
        int i = 0;
        foreach (Fr k in Scalars(rng))
        {
            G1Projective expected = DoubleAndAdd(p, k);
            Assert.That(p.Multiply(k), Is.EqualTo(expected), $"GLV, scalar {i}");
            Assert.That(p.MultiplyPlain(k), Is.EqualTo(expected), $"plain windows, scalar {i}");
            Assert.That(p.MultiplyVarTime(k), Is.EqualTo(expected), $"wNAF, scalar {i}");
            i++;
        }
    }

    [Test]
    public void G2_MultiplicationPaths_AgreeWithDoubleAndAdd()
    {
        var rng = new Random(42);
        G2Projective p = RandomG2(rng);
        int i = 0;
        foreach (Fr k in Scalars(rng).Take(30))
        {
            G2Projective expected = DoubleAndAdd(p, k);
            Assert.That(p.Multiply(k), Is.EqualTo(expected), $"ψ split, scalar {i}");
            Assert.That(p.MultiplyPlain(k), Is.EqualTo(expected), $"plain windows, scalar {i}");
            Assert.That(p.MultiplyVarTime(k), Is.EqualTo(expected), $"wNAF, scalar {i}");
            i++;
        }
    }

    [Test]
    public void FixedBaseTables_AgreeWithVariableBaseMultiplication()
    {
        var rng = new Random(49);
        G1Affine p = RandomG1(rng).ToAffine();
        G2Affine q = RandomG2(rng).ToAffine();
        var t1 = new G1FixedBase(p);
        var t2 = new G2FixedBase(q);
        int i = 0;
        foreach (Fr k in Scalars(rng).Take(40))
        {
            Assert.That(t1.Multiply(k), Is.EqualTo(p.ToProjective().MultiplyVarTime(k)), $"G1 table, scalar {i}");
            Assert.That(G1FixedBase.Generator.Multiply(k), Is.EqualTo(G1Projective.Generator.MultiplyVarTime(k)), $"G1 generator, scalar {i}");
            Assert.That(t2.Multiply(k), Is.EqualTo(q.ToProjective().MultiplyVarTime(k)), $"G2 table, scalar {i}");
            Assert.That(G2FixedBase.Generator.Multiply(k), Is.EqualTo(G2Projective.Generator.MultiplyVarTime(k)), $"G2 generator, scalar {i}");
            i++;
        }
        Assert.That(t1.SizeInBytes, Is.EqualTo(64 * 16 * 104));
    }

    [Test]
    public void Addition_IsCompleteAndConsistent()
    {
        var rng = new Random(43);
        for (int i = 0; i < Cases; i++)
        {
            G1Projective a = RandomG1(rng), b = RandomG1(rng);
            Assert.That(a + a, Is.EqualTo(a.Double()), $"doubling through add, case {i}");
            Assert.That(a + G1Projective.Identity, Is.EqualTo(a), $"identity, case {i}");
            Assert.That((a - a).IsIdentity, Is.True, $"inverse, case {i}");
            Assert.That(a + b.ToAffine(), Is.EqualTo(a + b), $"mixed addition, case {i}");
            Assert.That(a + G1Affine.Identity, Is.EqualTo(a), $"mixed identity, case {i}");
            Assert.That((a + b).IsOnCurve && (a + b).IsTorsionFree, Is.True, $"closure, case {i}");
            G2Projective c = RandomG2(rng), d = RandomG2(rng);
            Assert.That(c + c, Is.EqualTo(c.Double()), $"G2 doubling, case {i}");
            Assert.That(c + d.ToAffine(), Is.EqualTo(c + d), $"G2 mixed addition, case {i}");
            Assert.That((c + d).IsTorsionFree, Is.True, $"G2 closure, case {i}");
        }
    }

    [Test]
    public void SubgroupChecks_AgreeWithMultiplicationByR()
    {
        var rng = new Random(44);
        Fr rMinusOne = -Fr.One;                                       // [r]P = [r − 1]P + P
        for (int i = 0; i < 16; i++)
        {
            G1Affine outside = RandomCurvePointOutsideG1(rng);
            G1Projective o = outside.ToProjective();
            Assert.That((o.MultiplyVarTime(rMinusOne) + o).IsIdentity, Is.False, $"G1 point outside, case {i}");
            Assert.That(o.IsTorsionFree, Is.False);
            Assert.That(o.ClearCofactor().IsTorsionFree, Is.True, $"G1 cofactor clearing, case {i}");
            G2Affine outside2 = RandomCurvePointOutsideG2(rng);
            G2Projective o2 = outside2.ToProjective();
            Assert.That((o2.MultiplyVarTime(rMinusOne) + o2).IsIdentity, Is.False, $"G2 point outside, case {i}");
            Assert.That(o2.ClearCofactor().IsTorsionFree, Is.True, $"G2 cofactor clearing, case {i}");
            G1Projective inside = RandomG1(rng);
            Assert.That((inside.MultiplyVarTime(rMinusOne) + inside).IsIdentity && inside.IsTorsionFree, Is.True);
        }
    }

    [Test]
    public void Endomorphisms_ActAsTheirEigenvalues()
    {
        var rng = new Random(45);
        BigInteger x = -(BigInteger)Engine.Pairing.Bls12381.AbsX;
        G2Projective q = RandomG2(rng);
        Assert.That(q.Psi(), Is.EqualTo(q.MultiplyVarTime(ToFr(((x % R) + R) % R))), "ψ = [x] on G2");
        G1Projective p = RandomG1(rng);
        Fr minusXSquared = ToFr(((-(x * x)) % R + R) % R);
        Assert.That(new G1Projective(Endomorphisms.Phi(p.P)), Is.EqualTo(p.MultiplyVarTime(minusXSquared)), "φ = [−x²] on G1");
    }

    [TestCase(1), TestCase(7), TestCase(8), TestCase(33), TestCase(300)]
    public void Msm_EqualsTheSumOfProducts(int n)
    {
        var rng = new Random(46 + n);
        var points = new G1Affine[n];
        var points2 = new G2Affine[n];
        var scalars = new Fr[n];
        G1Projective expected = G1Projective.Identity;
        G2Projective expected2 = G2Projective.Identity;
        for (int i = 0; i < n; i++)
        {
            points[i] = i % 5 == 3 ? G1Affine.Identity : RandomG1(rng).ToAffine();
            points2[i] = RandomG2(rng).ToAffine();
            scalars[i] = i % 4 == 1 ? Fr.Zero : RandomFr(rng);
            expected += points[i].ToProjective().MultiplyVarTime(scalars[i]);
            expected2 += points2[i].ToProjective().MultiplyVarTime(scalars[i]);
        }
        Assert.That(G1Projective.MsmVarTime(points, scalars), Is.EqualTo(expected));
        if (n <= 33) Assert.That(G2Projective.MsmVarTime(points2, scalars), Is.EqualTo(expected2));
    }

    [Test]
    public void BatchToAffine_EqualsOneAtATime_IncludingIdentities()
    {
        var rng = new Random(47);
        var points = Enumerable.Range(0, 100).Select(i => i % 9 == 0 ? G1Projective.Identity : RandomG1(rng)).ToArray();
        var affine = new G1Affine[points.Length];
        G1Projective.BatchToAffine(points, affine);
        for (int i = 0; i < points.Length; i++) Assert.That(affine[i], Is.EqualTo(points[i].ToAffine()), $"index {i}");
        var scalars = Enumerable.Range(0, 10).Select(_ => RandomFr(rng)).ToArray();
        var many = new G1Projective[10];
        G1Projective.MultiplyMany(points[1], scalars, many);
        for (int i = 0; i < 10; i++) Assert.That(many[i], Is.EqualTo(points[1].Multiply(scalars[i])), $"multiply many {i}");
    }

    [Test]
    public void GlvSplit_DivRemMatchesBigInteger()
    {
        var rng = new Random(48);
        BigInteger zeta = BigInteger.Pow(Engine.Pairing.Bls12381.AbsX, 2);
        ulong[] d = [(ulong)(zeta & ulong.MaxValue), (ulong)(zeta >> 64)];
        ulong[] mu = Oracles.ToLimbs(BigInteger.Pow(2, 384) / zeta, 5);
        for (int i = 0; i < 2000; i++)
        {
            BigInteger k = i == 0 ? R - 1 : i == 1 ? zeta : RandomBelow(rng, BigInteger.Pow(2, 256), 32);
            ulong[] q = new ulong[4], rem = new ulong[2];
            Glv.DivRem(Oracles.ToLimbs(k, 4), d, mu, q, rem);
            Assert.That(Oracles.ToBig(q), Is.EqualTo(k / zeta), $"quotient case {i}");
            Assert.That(Oracles.ToBig(rem), Is.EqualTo(k % zeta), $"remainder case {i}");
        }
    }
}
