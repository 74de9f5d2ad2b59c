using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Engine.Primitives.Aead;
using Engine.Primitives.Kdf;
using NUnit.Framework;

namespace Engine.Tests.Primitives;

[TestFixture]
public sealed class KdfAndAeadTests
{
    [Test]
    public void Derive_IsHkdfWithTheLabelledInfo_AndSeparatesLabelsAndContexts()
    {
        byte[] ikm = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray(), salt = "salt"u8.ToArray(), context = "link-7"u8.ToArray();
        byte[] actual = new byte[42];
        Kdf.Derive(ikm, salt, "onion/hop-key", context, actual);
        byte[] info = Encoding.ASCII.GetBytes("ENGINE-V1/onion/hop-key").Append((byte)0).Concat(context).ToArray();
        byte[] expected = HKDF.DeriveKey(HashAlgorithmName.SHA256, ikm, 42, salt, info);
        Assert.That(actual, Is.EqualTo(expected));
        byte[] other = new byte[42];
        Kdf.Derive(ikm, salt, "onion/hop-kez", context, other);
        Assert.That(other, Is.Not.EqualTo(actual));
        Kdf.Derive(ikm, salt, "onion/hop-key", "link-8"u8, other);
        Assert.That(other, Is.Not.EqualTo(actual));
        Assert.Throws<ArgumentException>(() => Kdf.Derive(ikm, salt, "", context, other));
    }

    private static byte[] Key() => Enumerable.Range(0, 32).Select(i => (byte)(i * 7)).ToArray();

    [Test]
    public void Channel_UsesTheDocumentedNonce_AndRoundTrips()
    {
        using var sender = new AeadChannel(Key(), AeadDirection.Forward);
        using var receiver = new AeadChannel(Key(), AeadDirection.Forward);
        byte[] aad = "onion|link 3|hop 1"u8.ToArray();
        for (int i = 0; i < 3; i++)
        {
            byte[] plaintext = Encoding.ASCII.GetBytes($"message {i}");
            byte[] sealedMessage = new byte[plaintext.Length + AeadChannel.Overhead];
            sender.Seal(plaintext, aad, sealedMessage);
            Assert.That(BinaryPrimitives.ReadUInt64BigEndian(sealedMessage), Is.EqualTo((ulong)i), "counter");
            // Independent oracle: the BCL's AesGcm with nonce = direction ‖ 0 0 0 ‖ counter.
            byte[] nonce = new byte[12];
            nonce[0] = (byte)AeadDirection.Forward;
            BinaryPrimitives.WriteUInt64BigEndian(nonce.AsSpan(4), (ulong)i);
            byte[] ct = new byte[plaintext.Length], tag = new byte[16];
            using (var aes = new AesGcm(Key(), 16)) aes.Encrypt(nonce, plaintext, ct, tag, aad);
            Assert.That(sealedMessage.AsSpan(8).ToArray(), Is.EqualTo(ct.Concat(tag).ToArray()));
            byte[] opened = new byte[plaintext.Length];
            Assert.That(receiver.Open(sealedMessage, aad, opened), Is.EqualTo(EngineStatus.Ok));
            Assert.That(opened, Is.EqualTo(plaintext));
        }
    }

    [Test, Category("Malformed")]
    public void Open_RefusesReplaysTamperingWrongContextAndWrongDirection()
    {
        using var sender = new AeadChannel(Key(), AeadDirection.Forward);
        byte[] plaintext = "secret"u8.ToArray(), aad = "ctx"u8.ToArray();
        byte[] m0 = new byte[plaintext.Length + AeadChannel.Overhead], m1 = new byte[m0.Length];
        sender.Seal(plaintext, aad, m0);
        sender.Seal(plaintext, aad, m1);
        byte[] output = new byte[plaintext.Length];

        using (var receiver = new AeadChannel(Key(), AeadDirection.Forward))
        {
            for (int i = 0; i < m0.Length; i++)
            {
                byte[] bad = (byte[])m0.Clone();
                bad[i] ^= 0x01;
                EngineStatus s = receiver.Open(bad, aad, output);
                Assert.That(s, Is.EqualTo(EngineStatus.VerificationFailed), $"flipped byte {i}");
                Assert.That(output, Is.All.EqualTo(0), "no plaintext released");
            }
            Assert.That(receiver.Open(m0, "other"u8, output), Is.EqualTo(EngineStatus.VerificationFailed));
            Assert.That(receiver.Open(m0.AsSpan(0, 10), aad, output), Is.EqualTo(EngineStatus.BadLength));
            Assert.That(receiver.Open(m1, aad, output), Is.EqualTo(EngineStatus.Ok));
            Assert.That(receiver.Open(m0, aad, output), Is.EqualTo(EngineStatus.Replay), "older counter");
            Assert.That(receiver.Open(m1, aad, output), Is.EqualTo(EngineStatus.Replay), "same counter");
        }
        using (var backward = new AeadChannel(Key(), AeadDirection.Backward))
            Assert.That(backward.Open(m0, aad, output), Is.EqualTo(EngineStatus.VerificationFailed), "the directions use different nonces");
    }
}
