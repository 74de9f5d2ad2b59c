using Engine.Primitives.Encryption;
using Engine.Primitives.Groups;
using NUnit.Framework;

namespace Engine.Tests.Primitives;

[TestFixture]
public sealed class HashedElGamalTests
{
    public static IEnumerable<TestCaseData> Groups() => PrimeOrderGroups.All.Select(g => new TestCaseData(g).SetArgDisplayNames(g.Name));

    [TestCaseSource(nameof(Groups))]
    public void EncryptDecrypt_RoundTrips_AndEveryAlterationIsRefused(PrimeOrderGroup g)
    {
        using HashedElGamalKey key = HashedElGamalKey.Generate(g);
        byte[] message = "TL=8125 for sensor-17"u8.ToArray(), aad = "report"u8.ToArray();
        byte[] ct = new byte[message.Length + HashedElGamal.Overhead(g)], again = new byte[ct.Length], pt = new byte[message.Length];
        Assert.That(HashedElGamal.Encrypt(g, key.PublicKey, message, aad, ct), Is.EqualTo(EngineStatus.Ok));
        Assert.That(HashedElGamal.Encrypt(g, key.PublicKey, message, aad, again), Is.EqualTo(EngineStatus.Ok));
        Assert.That(again, Is.Not.EqualTo(ct), "randomised");
        Assert.That(HashedElGamal.Decrypt(key, ct, aad, pt), Is.EqualTo(EngineStatus.Ok));
        Assert.That(pt, Is.EqualTo(message));

        Assert.That(HashedElGamal.Decrypt(key, ct, "other"u8, pt), Is.EqualTo(EngineStatus.VerificationFailed));
        Assert.That(pt, Is.All.EqualTo(0), "a refused plaintext is wiped");
        for (int i = g.ElementSizeInBytes; i < ct.Length; i += 7)
        {
            byte[] bad = (byte[])ct.Clone();
            bad[i] ^= 0x10;
            Assert.That(HashedElGamal.Decrypt(key, bad, aad, pt), Is.EqualTo(EngineStatus.VerificationFailed), $"byte {i}");
        }
        byte[] tamperedE = (byte[])ct.Clone();
        tamperedE[3] ^= 1;
        Assert.That(HashedElGamal.Decrypt(key, tamperedE, aad, pt), Is.Not.EqualTo(EngineStatus.Ok));
        using HashedElGamalKey other = HashedElGamalKey.Generate(g);
        Assert.That(HashedElGamal.Decrypt(other, ct, aad, pt), Is.EqualTo(EngineStatus.VerificationFailed));
        Assert.That(HashedElGamal.Decrypt(key, ct.AsSpan(1), aad, pt), Is.EqualTo(EngineStatus.BadLength));
    }

    [TestCaseSource(nameof(Groups))]
    public void Encrypt_RefusesABadPublicKey(PrimeOrderGroup g)
    {
        byte[] bad = new byte[g.ElementSizeInBytes + 1];
        byte[] ct = new byte[4 + HashedElGamal.Overhead(g)];
        Assert.That(HashedElGamal.Encrypt(g, bad, "abcd"u8, default, ct), Is.EqualTo(EngineStatus.BadLength));
    }

    [TestCaseSource(nameof(Groups))]
    public void Key_ExportImport_RoundTrips(PrimeOrderGroup g)
    {
        using HashedElGamalKey key = HashedElGamalKey.Generate(g);
        byte[] secret = new byte[32];
        key.ExportSecret(secret);
        Assert.That(HashedElGamalKey.Import(g, secret, out HashedElGamalKey? back), Is.EqualTo(EngineStatus.Ok));
        using (back) Assert.That(back!.PublicKey.ToArray(), Is.EqualTo(key.PublicKey.ToArray()));
        Assert.That(HashedElGamalKey.Import(g, new byte[32], out _), Is.EqualTo(EngineStatus.ScalarOutOfRange));
    }
}
