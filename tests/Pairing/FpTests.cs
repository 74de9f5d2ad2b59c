using System.Numerics;
using Engine.Pairing.Fields;
using Engine.Tests.Support;
using NUnit.Framework;
using static Engine.Tests.Pairing.PairingOracles;

namespace Engine.Tests.Pairing;

[TestFixture, Category("Differential"), Category("Kernels")]
public sealed class FpTests
{
    private const int Cases = 10_000;

    private static IEnumerable<BigInteger> Boundaries()
    {
        yield return 0; yield return 1; yield return 2; yield return P - 1; yield return P - 2; yield return (P - 1) / 2;
        yield return (P + 1) / 2; yield return ulong.MaxValue; yield return BigInteger.Pow(2, 380); yield return BigInteger.Pow(2, 64);
    }

    [Test]
    public void Arithmetic_MatchesBigInteger_OnRandomAndBoundaryValues()
    {
        var rng = new Random(381);
        var values = Boundaries().ToList();
        for (int i = 0; i < Cases; i++) values.Add(RandomBelow(rng, P, 48));
        for (int i = 0; i < values.Count; i++)
        {
            BigInteger a = values[i], b = values[(i * 7 + 3) % values.Count];
            Fp fa = ToFp(a), fb = ToFp(b);
            Assert.That(FromFp(fa * fb), Is.EqualTo(a * b % P), $"mul case {i}");
            Assert.That(FromFp(fa + fb), Is.EqualTo((a + b) % P), $"add case {i}");
            Assert.That(FromFp(fa - fb), Is.EqualTo(((a - b) % P + P) % P), $"sub case {i}");
            Assert.That(FromFp(-fa), Is.EqualTo((P - a) % P), $"neg case {i}");
            Assert.That(FromFp(fa.Square()), Is.EqualTo(a * a % P), $"square case {i}");
        }
    }

    [Test]
    public void Invert_MatchesBigIntegerModPow_AndZeroMapsToZero()
    {
        var rng = new Random(2);
        for (int i = 0; i < 500; i++)
        {
            BigInteger a = i == 0 ? 1 : RandomBelow(rng, P, 48);
            Assert.That(FromFp(ToFp(a).Invert()), Is.EqualTo(BigInteger.ModPow(a, P - 2, P)), $"case {i}");
        }
        Assert.That(Fp.Zero.Invert().IsZero, Is.True);
    }

    [Test]
    public void Sqrt_ReturnsARootExactlyForQuadraticResidues()
    {
        var rng = new Random(3);
        for (int i = 0; i < 500; i++)
        {
            BigInteger a = RandomBelow(rng, P, 48);
            bool residue = BigInteger.ModPow(a, (P - 1) / 2, P) <= 1;
            Fp root = ToFp(a).Sqrt(out ulong isSquare);
            Assert.That(isSquare != 0, Is.EqualTo(residue), $"case {i}");
            Assert.That(ToFp(a).IsSquareMask != 0, Is.EqualTo(residue), $"legendre case {i}");
            if (residue) Assert.That(FromFp(root) * FromFp(root) % P, Is.EqualTo(a), $"case {i}");
        }
    }

    [Test]
    public void Decode_RejectsLengthAndNonCanonicalValues()
    {
        Assert.That(Fp.Decode(new byte[47], out _), Is.EqualTo(EngineStatus.BadLength));
        Assert.That(Fp.Decode(Hex.Fp48(Engine.Pairing.Bls12381.ModulusHex), out _), Is.EqualTo(EngineStatus.NotCanonical));
        Assert.That(Fp.Decode(Enumerable.Repeat((byte)0xff, 48).ToArray(), out _), Is.EqualTo(EngineStatus.NotCanonical));
        Assert.That(Fp.Decode(ToBytes(P - 1), out Fp max), Is.EqualTo(EngineStatus.Ok));
        Assert.That(FromFp(max), Is.EqualTo(P - 1));
    }

    [Test]
    public void Sgn0AndLexicographicOrder_FollowTheirDefinitions()
    {
        var rng = new Random(4);
        for (int i = 0; i < 1000; i++)
        {
            BigInteger a = RandomBelow(rng, P, 48);
            Fp f = ToFp(a);
            Assert.That(f.Sgn0Mask != 0, Is.EqualTo(!a.IsEven), $"sgn0 case {i}");
            Assert.That(f.LexicographicallyLargestMask != 0, Is.EqualTo(a > (P - 1) / 2), $"lex case {i}");
        }
    }

    [Test]
    public void FromBigEndian64_ReducesA512BitValue()
    {
        var rng = new Random(5);
        for (int i = 0; i < 1000; i++)
        {
            byte[] wide = new byte[64];
            rng.NextBytes(wide);
            if (i == 0) Array.Fill(wide, (byte)0xff);
            Assert.That(FromFp(Fp.FromBigEndian64(wide)), Is.EqualTo(new BigInteger(wide, true, true) % P), $"case {i}");
        }
    }

    private static byte[] ToBytes(BigInteger v)
    {
        byte[] be = v.ToByteArray(true, true), buf = new byte[48];
        be.CopyTo(buf, 48 - be.Length);
        return buf;
    }
}

[TestFixture, Category("Differential"), Category("Kernels")]
public sealed class FrTests
{
    [Test]
    public void Arithmetic_MatchesBigInteger()
    {
        var rng = new Random(255);
        for (int i = 0; i < 10_000; i++)
        {
            BigInteger a = i < 2 ? i : RandomBelow(rng, R, 32), b = i < 4 ? R - 1 - i : RandomBelow(rng, R, 32);
            Fr fa = ToFr(a), fb = ToFr(b);
            Assert.That(FromFr(fa * fb), Is.EqualTo(a * b % R), $"mul case {i}");
            Assert.That(FromFr(fa + fb), Is.EqualTo((a + b) % R), $"add case {i}");
            Assert.That(FromFr(fa - fb), Is.EqualTo(((a - b) % R + R) % R), $"sub case {i}");
        }
        for (int i = 0; i < 200; i++)
        {
            BigInteger a = RandomBelow(rng, R - 1, 32) + 1;
            Assert.That(FromFr(ToFr(a).Invert()), Is.EqualTo(BigInteger.ModPow(a, R - 2, R)), $"inv case {i}");
        }
    }

    [Test]
    public void Decode_RejectsOutOfRangeScalars_AndReducedReadAcceptsThem()
    {
        byte[] r = Hex.Decode(Engine.Pairing.Bls12381.OrderHex);
        Assert.That(Fr.Decode(r, out _), Is.EqualTo(EngineStatus.ScalarOutOfRange));
        Assert.That(Fr.Decode(new byte[31], out _), Is.EqualTo(EngineStatus.BadLength));
        Assert.That(Fr.FromBigEndianReduced(r).IsZero, Is.True);
        byte[] max = Enumerable.Repeat((byte)0xff, 32).ToArray();
        Assert.That(FromFr(Fr.FromBigEndianReduced(max)), Is.EqualTo((BigInteger.Pow(2, 256) - 1) % R));
    }

    [Test]
    public void FromBigEndian48_ReducesA384BitValue()
    {
        var rng = new Random(6);
        for (int i = 0; i < 1000; i++)
        {
            byte[] wide = new byte[48];
            rng.NextBytes(wide);
            if (i == 0) Array.Fill(wide, (byte)0xff);
            Assert.That(FromFr(Fr.FromBigEndian48(wide)), Is.EqualTo(new BigInteger(wide, true, true) % R), $"case {i}");
        }
    }
}
