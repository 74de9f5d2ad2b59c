using System.Security.Cryptography;
using Engine.Primitives.Aead;
using NUnit.Framework;

namespace Engine.Tests.Primitives;

/// <summary>STREAM over AES-256-GCM: the stream and in-memory paths write one format, and every chunk-level attack is refused.</summary>
[TestFixture]
public sealed class StreamAeadTests
{
    private static readonly byte[] Key = RandomNumberGenerator.GetBytes(32), Aad = "context"u8.ToArray();

    [TestCase(0), TestCase(1), TestCase(1023), TestCase(1024), TestCase(1025), TestCase(5 * 1024), TestCase(100_000)]
    public void StreamAndSpanPaths_AgreeOnTheFormat(int size)
    {
        byte[] plaintext = RandomNumberGenerator.GetBytes(size);
        using var sealedStream = new MemoryStream();
        long written = StreamAead.Seal(Key, Aad, new MemoryStream(plaintext), sealedStream, 1024);
        byte[] viaStream = sealedStream.ToArray();
        Assert.That(written, Is.EqualTo(StreamAead.SealedLength(size, 1024)));
        Assert.That(viaStream, Has.Length.EqualTo(written));
        byte[] viaSpan = StreamAead.Seal(Key, Aad, plaintext, 1024);
        Assert.That(StreamAead.Open(Key, Aad, viaStream, 1024), Is.EqualTo(plaintext), "span opens what the stream sealed");
        using var opened = new MemoryStream();
        StreamAead.Open(Key, Aad, new MemoryStream(viaSpan), opened, 1024);
        Assert.That(opened.ToArray(), Is.EqualTo(plaintext), "the stream opens what the span sealed");
        // The same key and nonces give the same bytes: the formats are identical.
        Assert.That(viaSpan, Is.EqualTo(viaStream));
    }

    [Test]
    public void ChunkAttacks_AreRefused()
    {
        byte[] plaintext = RandomNumberGenerator.GetBytes(4 * 1024);
        byte[] good = StreamAead.Seal(Key, Aad, plaintext, 1024);
        int chunk = 1024 + StreamAead.TagSize;
        byte[] swapped = (byte[])good.Clone();
        Array.Copy(good, 0, swapped, chunk, chunk);
        Array.Copy(good, chunk, swapped, 0, chunk);
        var attacks = new Dictionary<string, byte[]>
        {
            ["flip"] = Flip(good, 10), ["drop the last chunk"] = good[..(3 * chunk)], ["drop a middle chunk"] = [.. good[..chunk], .. good[(2 * chunk)..]],
            ["swap"] = swapped, ["truncate"] = good[..^1], ["empty"] = [], ["other AAD"] = good,
        };
        foreach ((string name, byte[] bad) in attacks)
        {
            byte[] aad = name == "other AAD" ? "other"u8.ToArray() : Aad;
            Assert.That(() => StreamAead.Open(Key, aad, bad, 1024), Throws.TypeOf<EngineException>().With.Property("Status").EqualTo(EngineStatus.VerificationFailed), name);
            Assert.That(() => StreamAead.Open(Key, aad, new MemoryStream(bad), new MemoryStream(), 1024), Throws.TypeOf<EngineException>(), name + " (stream)");
        }
        Assert.That(() => StreamAead.Seal(Key, Aad, plaintext, 100), Throws.TypeOf<ArgumentOutOfRangeException>());
    }

    private static byte[] Flip(byte[] data, int index)
    {
        byte[] copy = (byte[])data.Clone();
        copy[index] ^= 1;
        return copy;
    }
}
