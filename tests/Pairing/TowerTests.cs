using System.Numerics;
using Engine.Pairing.Fields;
using NUnit.Framework;
using static Engine.Tests.Pairing.PairingOracles;

namespace Engine.Tests.Pairing;

/// <summary>F_p², F_p⁶, F_p¹²: each fast formula against its definition.</summary>
[TestFixture, Category("Property")]
public sealed class TowerTests
{
    private const int Cases = 200;

    private static Fp12 PowVarTime(Fp12 a, BigInteger e)
    {
        Fp12 r = Fp12.One;
        for (int i = (int)e.GetBitLength() - 1; i >= 0; i--)
        {
            r = r * r;
            if (!((e >> i) & 1).IsZero) r *= a;
        }
        return r;
    }

    [Test]
    public void Fp2_MultiplicationSquareInverseAndNonresidue_AgreeWithSchoolbook()
    {
        var rng = new Random(21);
        for (int i = 0; i < 2000; i++)
        {
            Fp2 a = RandomFp2(rng), b = RandomFp2(rng);
            // (a0 + a1u)(b0 + b1u) = a0b0 − a1b1 + (a0b1 + a1b0)u, checked against BigInteger.
            BigInteger a0 = FromFp(a.C0), a1 = FromFp(a.C1), b0 = FromFp(b.C0), b1 = FromFp(b.C1);
            Fp2 ab = a * b;
            Assert.That(FromFp(ab.C0), Is.EqualTo(((a0 * b0 - a1 * b1) % P + P) % P), $"c0 case {i}");
            Assert.That(FromFp(ab.C1), Is.EqualTo((a0 * b1 + a1 * b0) % P), $"c1 case {i}");
            Assert.That(a.Square(), Is.EqualTo(a * a), $"square case {i}");
            Assert.That(a * a.Invert(), Is.EqualTo(Fp2.One), $"inverse case {i}");
            Assert.That(a.MulByNonresidue(), Is.EqualTo(a * new Fp2(Fp.One, Fp.One)), $"xi case {i}");
        }
    }

    [Test]
    public void Fp2_Sqrt_FindsRootsOfSquaresAndFlagsNonSquares()
    {
        var rng = new Random(22);
        int nonSquares = 0;
        for (int i = 0; i < Cases; i++)
        {
            Fp2 a = RandomFp2(rng);
            Fp2 root = a.Square().Sqrt(out ulong ok);
            Assert.That(ok, Is.Not.Zero, $"case {i}");
            Assert.That(root == a || root == -a, Is.True, $"case {i}");
            Fp2 b = RandomFp2(rng);
            b.Sqrt(out ulong isSquare);
            Assert.That(isSquare != 0, Is.EqualTo(b.IsSquareMask != 0), $"is_square agrees, case {i}");
            if (isSquare == 0) nonSquares++;
        }
        Assert.That(nonSquares, Is.GreaterThan(Cases / 4), "about half of random elements are non-squares");
    }

    [Test]
    public void Fp2_Sqrt_HandlesRealInputsZeroAndPureImaginarySquares()
    {
        var rng = new Random(27);
        Assert.That(Fp2.Zero.Sqrt(out ulong zeroOk), Is.EqualTo(Fp2.Zero));
        Assert.That(zeroOk, Is.Not.Zero);
        for (int i = 0; i < 50; i++)
        {
            // Every element of F_p is a square in F_p²: a0 square in F_p gives a real root, a non-square an imaginary one.
            Fp a0 = RandomFp(rng);
            Fp2 real = new(a0, Fp.Zero);
            Fp2 root = real.Sqrt(out ulong ok);
            Assert.That(ok, Is.Not.Zero, $"case {i}");
            Assert.That(root.Square(), Is.EqualTo(real), $"case {i}");
            Fp2 imaginary = new(Fp.Zero, a0);                  // (x·u)² = −x², and (x + y·u)² covers the rest
            Fp2 r2 = imaginary.Sqrt(out ulong ok2);
            Assert.That(ok2 != 0, Is.EqualTo(imaginary.IsSquareMask != 0), $"imaginary case {i}");
            if (ok2 != 0) Assert.That(r2.Square(), Is.EqualTo(imaginary), $"imaginary case {i}");
        }
    }

    [Test]
    public void Fp6_SparseProductsSquareAndInverse_AgreeWithGeneralProduct()
    {
        var rng = new Random(23);
        for (int i = 0; i < Cases; i++)
        {
            Fp6 a = RandomFp6(rng), b = RandomFp6(rng);
            Fp2 c0 = RandomFp2(rng), c1 = RandomFp2(rng);
            Assert.That(a.Square(), Is.EqualTo(a * a), $"square case {i}");
            Assert.That(a * a.Invert(), Is.EqualTo(Fp6.One), $"inverse case {i}");
            Assert.That(a.MulBy01(c0, c1), Is.EqualTo(a * new Fp6(c0, c1, Fp2.Zero)), $"mul_by_01 case {i}");
            Assert.That(a.MulBy1(c1), Is.EqualTo(a * new Fp6(Fp2.Zero, c1, Fp2.Zero)), $"mul_by_1 case {i}");
            Assert.That(a.MulByNonresidue(), Is.EqualTo(a * new Fp6(Fp2.Zero, Fp2.One, Fp2.Zero)), $"v case {i}");
            Assert.That((a + b) * a, Is.EqualTo(a * a + b * a), $"distributive case {i}");
        }
    }

    [Test]
    public void Fp12_SquareInverseAndSparseLineProduct_AgreeWithGeneralProduct()
    {
        var rng = new Random(24);
        for (int i = 0; i < Cases; i++)
        {
            Fp12 a = RandomFp12(rng), b = RandomFp12(rng);
            Fp2 c0 = RandomFp2(rng), c1 = RandomFp2(rng), c4 = RandomFp2(rng);
            Assert.That(a.Square(), Is.EqualTo(a * a), $"square case {i}");
            Assert.That(a * a.Invert(), Is.EqualTo(Fp12.One), $"inverse case {i}");
            var line = new Fp12(new Fp6(c0, c1, Fp2.Zero), new Fp6(Fp2.Zero, c4, Fp2.Zero));
            Assert.That(a.MulBy014(c0, c1, c4), Is.EqualTo(a * line), $"mul_by_014 case {i}");
            Assert.That(a * b, Is.EqualTo(b * a), $"commutative case {i}");
        }
    }

    [Test]
    public void Frobenius_EqualsRaisingToP()
    {
        var rng = new Random(25);
        for (int i = 0; i < 5; i++)
        {
            Fp12 a = RandomFp12(rng);
            Fp12 ap = PowVarTime(a, P);
            Assert.That(a.FrobeniusMap(1), Is.EqualTo(ap), $"p case {i}");
            Assert.That(a.FrobeniusMap(2), Is.EqualTo(a.FrobeniusMap(1).FrobeniusMap(1)), $"p² case {i}");
            Assert.That(a.FrobeniusMap(3), Is.EqualTo(a.FrobeniusMap(2).FrobeniusMap(1)), $"p³ case {i}");
            Assert.That(a.FrobeniusMap(3).FrobeniusMap(3), Is.EqualTo(a.Conjugate()), $"p⁶ = conjugation, case {i}");
            Fp6 b = RandomFp6(rng);
            Assert.That(new Fp12(b, Fp6.Zero).FrobeniusMap(1).C0, Is.EqualTo(b.FrobeniusMap(1)), $"Fp6 p case {i}");
        }
    }

    [Test]
    public void CyclotomicSquare_EqualsSquare_InTheCyclotomicSubgroup()
    {
        var rng = new Random(26);
        for (int i = 0; i < Cases; i++)
        {
            Fp12 f = RandomFp12(rng);
            Fp12 t = f.Conjugate() * f.Invert();
            Fp12 c = t.FrobeniusMap(2) * t;                 // f^((p⁶ − 1)(p² + 1))
            Assert.That(c.CyclotomicSquare(), Is.EqualTo(c.Square()), $"case {i}");
            Assert.That(c.CyclotomicPowByAbsX(), Is.EqualTo(PowVarTime(c, Engine.Pairing.Bls12381.AbsX)), $"pow |x| case {i}");
        }
    }
}
