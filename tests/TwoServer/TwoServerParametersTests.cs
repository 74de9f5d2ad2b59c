using System.Numerics;
using Engine.TwoServer;
using NUnit.Framework;

namespace Engine.Tests.TwoServer;

/// <summary>SPEC.md §2.1: q = 2^(8B+1) + δ prime, regenerated and validated.</summary>
[TestFixture]
public sealed class TwoServerParametersTests
{
    [TestCase(16), TestCase(32), TestCase(64), TestCase(128)]
    public void RecordedOffsets_AreTheSmallestPrimeOffsets(int blockSize)
    {
        Assert.That(TwoServerParameters.FindPrimeOffset(blockSize), Is.EqualTo(TwoServerParameters.ForBlockSize(blockSize).PrimeOffset));
    }

    [TestCase(16), TestCase(64), TestCase(256), TestCase(512), TestCase(24)]
    public void Q_IsPrime_AboveTwoToThe8BPlus1_AndFieldsFit(int blockSize)
    {
        TwoServerParameters p = TwoServerParameters.ForBlockSize(blockSize);
        Assert.That(p.Validate(), Is.True);
        var q = new BigInteger(p.Q.Modulus.ToArray().SelectMany(BitConverter.GetBytes).ToArray(), isUnsigned: true);
        Assert.That(q, Is.EqualTo(BigInteger.Pow(2, 8 * blockSize + 1) + p.PrimeOffset));
        // Independent check with BigInteger: a Fermat test to a few bases.
        foreach (int a in new[] { 2, 3, 5, 7 }) Assert.That(BigInteger.ModPow(a, q - 1, q), Is.EqualTo(BigInteger.One), $"base {a}");
        Assert.That((p.FieldSize, p.RecordSize, p.MaxPayload), Is.EqualTo((blockSize + 1, 3 * (blockSize + 1), blockSize - 2)));
    }

    [TestCase(8), TestCase(17), TestCase(1024)]
    public void UnsupportedBlockSizes_Throw(int blockSize)
        => Assert.Throws<ArgumentOutOfRangeException>(() => TwoServerParameters.ForBlockSize(blockSize));
}
