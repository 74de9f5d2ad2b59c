using System.Buffers.Binary;
using System.Security.Cryptography;
using Engine.BigInt;
using Engine.Primitives.Aead;
using NUnit.Framework;

namespace Engine.Tests.Primitives;

/// <summary>
/// The AES-NI keystream against OpenSSL's AES (through .NET's ECB mode, an independent implementation), at every
/// offset inside a block and across the eight-block interleave; and the portable path against the same oracle.
/// </summary>
[TestFixture, Category("Kernels"), NonParallelizable]
public sealed class AesCtrTests
{
    /// <summary>keystream[offset, offset + length) built block by block with OpenSSL.</summary>
    private static byte[] Oracle(byte[] key, long offset, int length, ulong nonce)
    {
        long first = offset / 16, last = (offset + length + 15) / 16;
        byte[] blocks = new byte[(last - first) * 16];
        for (long b = first; b < last; b++)
        {
            BinaryPrimitives.WriteUInt64BigEndian(blocks.AsSpan((int)(b - first) * 16), nonce);
            BinaryPrimitives.WriteInt64BigEndian(blocks.AsSpan((int)(b - first) * 16 + 8), b);
        }
        using Aes aes = Aes.Create();
        aes.Key = key;
        byte[] stream = aes.EncryptEcb(blocks, PaddingMode.None);
        return stream.AsSpan((int)(offset % 16), length).ToArray();
    }

    [Test]
    public void Keystream_MatchesOpenSsl_AtEveryOffsetAndLength([Values(false, true)] bool forcePortable)
    {
        bool saved = Kernels.ForceScalar;
        Kernels.ForceScalar = forcePortable;
        try
        {
            var rng = new Random(20261122);
            foreach (int length in new[] { 1, 15, 16, 17, 127, 128, 129, 255, 369, 1000, 4099 })
            {
                foreach (long offset in new long[] { 0, 1, 15, 16, 31, 4096 + 7, 1L << 40 })
                {
                    byte[] key = new byte[32], data = new byte[length];
                    rng.NextBytes(key);
                    rng.NextBytes(data);
                    ulong nonce = (ulong)rng.NextInt64();
                    byte[] expected = Oracle(key, offset, length, nonce);
                    for (int i = 0; i < length; i++) expected[i] ^= data[i];
                    AesCtr.Xor(key, offset, data, nonce);
                    Assert.That(data, Is.EqualTo(expected), $"length {length}, offset {offset}, portable {forcePortable}");
                }
            }
        }
        finally { Kernels.ForceScalar = saved; }
    }

    [Test]
    public void Keystream_RefusesBadArguments()
    {
        Assert.Throws<ArgumentException>(() => AesCtr.Xor(new byte[16], 0, new byte[4]));
        Assert.Throws<ArgumentOutOfRangeException>(() => AesCtr.Xor(new byte[32], -1, new byte[4]));
    }

    [Test]
    public void AesNiPath_AllocatesNothing()
    {
        if (!AesCtr.UsesAesNi) Assert.Ignore("No AES-NI on this machine (or intrinsics disabled): the portable path allocates by design.");
        byte[] key = new byte[32], data = new byte[1000];
        AesCtr.Xor(key, 3, data, 9);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++) AesCtr.Xor(key, i, data, (ulong)i);
        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.Zero);
    }
}
