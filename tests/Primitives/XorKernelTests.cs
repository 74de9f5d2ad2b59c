using System.Runtime.Intrinsics;
using Engine.Primitives.Xor;
using Engine.Tests.Support;
using NUnit.Framework;

namespace Engine.Tests.Primitives;

/// <summary>Every XOR kernel against a byte-by-byte reference, at the sizes around each vector width (STYLE.md B4).</summary>
[TestFixture, Category("Kernels"), NonParallelizable]
public sealed class XorKernelTests
{
    private static readonly int[] Sizes = [0, 1, 7, 8, 31, 32, 33, 63, 64, 65, 127, 128, 129, 1000, 4099];

    private static byte[] Reference(byte[] a, byte[] b) => a.Zip(b, (x, y) => (byte)(x ^ y)).ToArray();

    private static (byte[] A, byte[] B) Inputs(int size)
    {
        var rng = new Random(size + 1);
        byte[] a = new byte[size], b = new byte[size];
        rng.NextBytes(a);
        rng.NextBytes(b);
        return (a, b);
    }

    [Test]
    public void EachKernel_MatchesTheReference_WithAndWithoutAliasing()
    {
        foreach (int size in Sizes)
        {
            (byte[] a, byte[] b) = Inputs(size);
            byte[] expected = Reference(a, b);
            var kernels = new List<(string Name, Action<byte[], byte[], byte[]> Run)> { ("scalar", (x, y, d) => XorKernels.XorScalar(x, y, d)) };
            if (Vector256.IsHardwareAccelerated && size >= 32) kernels.Add(("vector256", (x, y, d) => XorKernels.XorVector256(x, y, d)));
            if (Vector512.IsHardwareAccelerated && size >= 64) kernels.Add(("vector512", (x, y, d) => XorKernels.XorVector512(x, y, d)));
            foreach ((string name, Action<byte[], byte[], byte[]> run) in kernels)
            {
                byte[] d = new byte[size];
                run(a, b, d);
                Assert.That(d, Is.EqualTo(expected), $"{name}, {size} bytes");
                byte[] aliased = (byte[])a.Clone();
                run(aliased, b, aliased);
                Assert.That(aliased, Is.EqualTo(expected), $"{name}, {size} bytes, output aliases the input");
            }
        }
    }

    [TestCase(Tier.AsFound), TestCase(Tier.No512), TestCase(Tier.Scalar)]
    public void PublicEntryPoints_AgreeOnEveryTier(Tier tier)
    {
        using var scope = new KernelScope(tier);
        foreach (int size in Sizes)
        {
            (byte[] a, byte[] b) = Inputs(size);
            byte[] expected = Reference(a, b);
            byte[] d = new byte[size];
            XorKernels.Xor(a, b, d);
            Assert.That(d, Is.EqualTo(expected), $"{tier}, {size} bytes");
            byte[] inPlace = (byte[])a.Clone();
            XorKernels.XorInPlace(inPlace, b);
            Assert.That(inPlace, Is.EqualTo(expected), $"{tier} in place, {size} bytes");

            Memory<byte>[] targets = [(byte[])a.Clone(), (byte[])a.Clone(), (byte[])a.Clone()];
            XorKernels.XorInto(b, targets);
            foreach (Memory<byte> t in targets) Assert.That(t.ToArray(), Is.EqualTo(expected), $"{tier} fan-out, {size} bytes");

            byte[] c = Inputs(size + 1000).A[..size];
            byte[] many = new byte[size];
            XorKernels.XorMany(new ReadOnlyMemory<byte>[] { a, b, c }, many);
            Assert.That(many, Is.EqualTo(Reference(expected, c)), $"{tier} many, {size} bytes");
        }
    }

    [Test, Category("Malformed")]
    public void LengthMismatch_Throws()
    {
        Assert.Throws<ArgumentException>(() => XorKernels.Xor(new byte[3], new byte[4], new byte[3]));
        Assert.Throws<ArgumentException>(() => XorKernels.XorInto(new byte[3], new Memory<byte>[] { new byte[3], new byte[2] }));
        Assert.Throws<ArgumentException>(() => XorKernels.XorMany(new ReadOnlyMemory<byte>[] { new byte[5] }, new byte[4]));
    }

    [Test, Category("Allocation")]
    public void Xor_DoesNotAllocate()
    {
        byte[] a = new byte[4096], b = new byte[4096], d = new byte[4096];
        XorKernels.Xor(a, b, d);
        // The least of three rounds: the runtime's one-time tier-up of this loop can allocate inside one round (CI saw
        // 5200 bytes once), while an allocation per call would show in every round.
        long fewest = long.MaxValue;
        for (int round = 0; round < 3; round++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 1000; i++) XorKernels.Xor(a, b, d);
            fewest = Math.Min(fewest, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        Assert.That(fewest, Is.Zero);
    }
}
