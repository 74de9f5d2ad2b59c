using System.Net;
using Engine.Onion;
using Engine.Onion.Keys;
using Engine.Onion.Storage;
using Engine.Primitives.Groups;
using Engine.Storage;
using Engine.Tests.Support;
using NUnit.Framework;

namespace Engine.Tests.Onion;

/// <summary>The KGC's durable state: keys and enrolments survive a restart, re-enrolment with the same secret value works, secrets are sealed.</summary>
[TestFixture, NonParallelizable]
public sealed class KgcStoreTests
{
    private static readonly OnionParameters Parameters = new(PrimeOrderGroups.Bls12381G1);
    private static readonly byte[] StateKey = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();

    private static byte[] Enrol(KeyGenerationCenter kgc, CertificatelessSecretValue secret, EngineStatus expected = EngineStatus.Ok)
    {
        byte[] partial = new byte[kgc.PartialKeySizeInBytes];
        Assert.That(kgc.IssuePartialKey(secret.Id, secret.PublicValue, partial), Is.EqualTo(expected));
        return partial;
    }

    [TestCaseSource(typeof(TestDatabase), nameof(TestDatabase.Kinds))]
    public void ARestartedKgc_KeepsItsKeysEnrolmentsAndEndpoints(string kind)
    {
        using TestDatabase database = TestDatabase.Create(kind);
        using var sealer = new SecretSealer(StateKey);
        byte[] masterPublic, listKey, partial, secretBytes = new byte[32];
        using (var secret = new CertificatelessSecretValue(Parameters, "relay-1"))
        {
            using SqlKgcStore store = SqlKgcStore.Open(database.Location, sealer);
            using KeyGenerationCenter kgc = store.LoadOrCreate(Parameters);
            (masterPublic, listKey) = (kgc.MasterPublicKey.ToArray(), kgc.ListSigningKey.ToArray());
            partial = Enrol(kgc, secret);
            secret.ExportSecret(secretBytes);
            store.RecordEndpoint("relay-1", new IPEndPoint(IPAddress.Loopback, 7401), 1234);
        }
        using (SqlKgcStore store = SqlKgcStore.Open(database.Location, sealer))
        using (KeyGenerationCenter kgc = store.LoadOrCreate(Parameters))
        {
            Assert.That(kgc.MasterPublicKey.ToArray(), Is.EqualTo(masterPublic));
            Assert.That(kgc.ListSigningKey.ToArray(), Is.EqualTo(listKey));
            Assert.That(kgc.IsEnrolled("relay-1"), Is.True);
            Assert.That(PublicNodeList.Verify(Parameters, kgc.PublishNodeList(), listKey, masterPublic, out var keys), Is.EqualTo(EngineStatus.Ok));
            Assert.That(keys.Select(k => k.Id), Is.EqualTo(new[] { "relay-1" }));
            Assert.That(store.Endpoints(), Is.EqualTo(new[] { ("relay-1", new IPEndPoint(IPAddress.Loopback, 7401), 1234L) }));

            // The node restarts with its saved secret value: the same partial key, so the same full key.
            Assert.That(CertificatelessSecretValue.Restore(Parameters, "relay-1", secretBytes, out CertificatelessSecretValue? saved), Is.EqualTo(EngineStatus.Ok));
            using (saved)
            {
                Assert.That(Enrol(kgc, saved!), Is.EqualTo(partial));
                Assert.That(saved!.Complete(partial, masterPublic, out CertificatelessPrivateKey? key), Is.EqualTo(EngineStatus.Ok));
                key!.Dispose();
            }
            // Another node claiming the identity with another secret value is refused.
            using var impostor = new CertificatelessSecretValue(Parameters, "relay-1");
            Enrol(kgc, impostor, EngineStatus.Replay);
            // A new enrolment after the restart is journalled too.
            using var second = new CertificatelessSecretValue(Parameters, "relay-2");
            Enrol(kgc, second);
        }
        using (SqlKgcStore store = SqlKgcStore.Open(database.Location, sealer))
        using (KeyGenerationCenter kgc = store.LoadOrCreate(Parameters))
            Assert.That(kgc.IsEnrolled("relay-2"), Is.True);
    }

    [Test]
    public void Secrets_AreSealed_AndAnotherStateKeyIsRefused()
    {
        using TestDatabase database = TestDatabase.Create("sqlite");
        byte[] master = new byte[32], list = new byte[32], partial;
        using (var sealer = new SecretSealer(StateKey))
        using (SqlKgcStore store = SqlKgcStore.Open(database.Location, sealer))
        using (KeyGenerationCenter kgc = store.LoadOrCreate(Parameters))
        using (var secret = new CertificatelessSecretValue(Parameters, "relay-1"))
        {
            kgc.ExportSecrets(master, list);
            partial = Enrol(kgc, secret);
        }
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        byte[] onDisk = Directory.GetFiles(database.Location).SelectMany(File.ReadAllBytes).ToArray();
        Assert.That(onDisk.Length, Is.GreaterThan(1000));
        foreach ((string what, byte[] secretBytes) in new[] { ("sk_sys", master), ("the list key", list), ("rD", partial[^32..]) })
            Assert.That(IndexOf(onDisk, secretBytes), Is.EqualTo(-1), $"{what} is not on disk in the clear");

        byte[] otherKey = StateKey.Select(b => (byte)(b ^ 0xff)).ToArray();
        using var wrong = new SecretSealer(otherKey);
        using SqlKgcStore reopened = SqlKgcStore.Open(database.Location, wrong);
        var error = Assert.Throws<InvalidDataException>(() => reopened.LoadOrCreate(Parameters));
        Assert.That(error!.Message, Does.Contain("do not open under this state key"));
        Assert.Throws<InvalidDataException>(() => reopened.LoadOrCreate(new OnionParameters(PrimeOrderGroups.Modp2048Q256)), "another group's state");
    }

    [Test]
    public void SealedValues_DoNotOpenInAnotherRow_OrAltered()
    {
        using var sealer = new SecretSealer(StateKey);
        byte[] plaintext = [1, 2, 3, 4];
        byte[] sealedValue = sealer.Seal(plaintext, "kgc/node/a");
        byte[] opened = new byte[4];
        Assert.That(sealer.Open(sealedValue, "kgc/node/a", opened), Is.EqualTo(EngineStatus.Ok));
        Assert.That(opened, Is.EqualTo(plaintext));
        Assert.That(sealer.Open(sealedValue, "kgc/node/b", opened), Is.EqualTo(EngineStatus.VerificationFailed));
        Assert.That(opened, Is.All.Zero, "a failed open leaves nothing");
        sealedValue[^1] ^= 1;
        Assert.That(sealer.Open(sealedValue, "kgc/node/a", opened), Is.EqualTo(EngineStatus.VerificationFailed));
        Assert.That(sealer.Open(sealedValue.AsSpan(0, 10), "kgc/node/a", opened), Is.EqualTo(EngineStatus.BadLength));
        Assert.That(sealer.Seal(plaintext, "x"), Is.Not.EqualTo(sealer.Seal(plaintext, "x")), "a fresh nonce per seal");
    }

    private static int IndexOf(byte[] haystack, byte[] needle)
    {
        for (int i = 0; i + needle.Length <= haystack.Length; i++)
            if (haystack.AsSpan(i, needle.Length).SequenceEqual(needle)) return i;
        return -1;
    }
}
