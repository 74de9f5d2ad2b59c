using System.Text;
using Engine.Onion;
using Engine.Onion.Keys;
using Engine.Primitives.Groups;
using NUnit.Framework;

namespace Engine.Tests.Onion;

/// <summary>SPEC.md §1.1: key issuance, the signed node list, both encryption modes, and the replacement attack.</summary>
[TestFixture]
public sealed class CertificatelessEncryptionTests
{
    public static IEnumerable<TestCaseData> Groups() => PrimeOrderGroups.All.Select(g => new TestCaseData(g).SetArgDisplayNames(g.Name));

    private sealed record Node(KeyGenerationCenter Kgc, CertificatelessPrivateKey PrivateKey, CertificatelessPublicKey FromList) : IDisposable
    {
        public void Dispose() { Kgc.Dispose(); PrivateKey.Dispose(); }
    }

    private static Node Enrol(PrimeOrderGroup group, string id = "relay-1")
    {
        var parameters = new OnionParameters(group);
        var kgc = new KeyGenerationCenter(parameters);
        using var secret = new CertificatelessSecretValue(parameters, id);
        byte[] partial = new byte[kgc.PartialKeySizeInBytes];
        Assert.That(kgc.IssuePartialKey(id, secret.PublicValue, partial), Is.EqualTo(EngineStatus.Ok));
        Assert.That(secret.Complete(partial, kgc.MasterPublicKey, out CertificatelessPrivateKey? key), Is.EqualTo(EngineStatus.Ok));
        byte[] list = kgc.PublishNodeList();
        Assert.That(PublicNodeList.Verify(parameters, list, kgc.ListSigningKey, kgc.MasterPublicKey, out var keys), Is.EqualTo(EngineStatus.Ok));
        return new Node(kgc, key!, keys.Single(k => k.Id == id));
    }

    [TestCaseSource(nameof(Groups))]
    public void EncryptDecrypt_RoundTrips_InBothModes(PrimeOrderGroup group)
    {
        using Node node = Enrol(group);
        Assert.That(node.FromList.PartialPublic, Is.EqualTo(node.PrivateKey.PublicKey.PartialPublic));
        foreach (CertificatelessMode mode in Enum.GetValues<CertificatelessMode>())
        {
            foreach (int length in new[] { 0, 1, 32, 1000 })
            {
                byte[] message = Enumerable.Range(0, length).Select(i => (byte)(i * 31 + 7)).ToArray();
                byte[] ciphertext = new byte[CertificatelessEncryption.CiphertextSize(node.Kgc.Parameters, mode, length)];
                CertificatelessEncryption.Encrypt(node.FromList, message, ciphertext, mode);
                byte[] plain = new byte[length];
                Assert.That(CertificatelessEncryption.Decrypt(node.PrivateKey, ciphertext, plain, mode), Is.EqualTo(EngineStatus.Ok), $"{mode}, {length} bytes");
                Assert.That(plain, Is.EqualTo(message), $"{mode}, {length} bytes");
            }
        }
    }

    [TestCaseSource(nameof(Groups)), Category("Malformed")]
    public void Decrypt_RejectsTamperingAndBadEphemeralKeys(PrimeOrderGroup group)
    {
        using Node node = Enrol(group);
        byte[] message = "link setup"u8.ToArray();
        int e = group.ElementSizeInBytes;
        byte[] ciphertext = new byte[CertificatelessEncryption.CiphertextSize(node.Kgc.Parameters, CertificatelessMode.Authenticated, message.Length)];
        CertificatelessEncryption.Encrypt(node.FromList, message, ciphertext, CertificatelessMode.Authenticated);
        byte[] plain = new byte[message.Length];
        for (int i = e; i < ciphertext.Length; i++)
        {
            byte[] bad = (byte[])ciphertext.Clone();
            bad[i] ^= 0x80;
            Assert.That(CertificatelessEncryption.Decrypt(node.PrivateKey, bad, plain, CertificatelessMode.Authenticated), Is.EqualTo(EngineStatus.VerificationFailed), $"byte {i}");
        }
        byte[] badW = (byte[])ciphertext.Clone();
        badW[e / 2] ^= 0x01;
        Assert.That(CertificatelessEncryption.Decrypt(node.PrivateKey, badW, plain, CertificatelessMode.Authenticated), Is.Not.EqualTo(EngineStatus.Ok));
        Assert.That(CertificatelessEncryption.Decrypt(node.PrivateKey, ciphertext.AsSpan(1), plain, CertificatelessMode.Authenticated), Is.EqualTo(EngineStatus.BadLength));
        byte[] identityW = (byte[])ciphertext.Clone();
        Span<ulong> one = stackalloc ulong[group.ElementLimbs];
        group.Identity(one);
        group.Encode(one, identityW.AsSpan(0, e));
        Assert.That(CertificatelessEncryption.Decrypt(node.PrivateKey, identityW, plain, CertificatelessMode.Authenticated), Is.EqualTo(EngineStatus.IdentityElement));
    }

    [TestCaseSource(nameof(Groups)), Category("Malformed")]
    public void PartialKeyAndNodeList_AreChecked(PrimeOrderGroup group)
    {
        var parameters = new OnionParameters(group);
        using var kgc = new KeyGenerationCenter(parameters);
        using var secret = new CertificatelessSecretValue(parameters, "dest");
        using var other = new CertificatelessSecretValue(parameters, "other");
        byte[] partial = new byte[kgc.PartialKeySizeInBytes];
        Assert.That(kgc.IssuePartialKey("other", other.PublicValue, partial), Is.EqualTo(EngineStatus.Ok));
        Assert.That(secret.Complete(partial, kgc.MasterPublicKey, out _), Is.EqualTo(EngineStatus.VerificationFailed), "a partial key for another (ID, u)");
        Assert.That(kgc.IssuePartialKey("dest", secret.PublicValue, partial), Is.EqualTo(EngineStatus.Ok));
        byte[] tampered = (byte[])partial.Clone();
        tampered[^1] ^= 1;
        Assert.That(secret.Complete(tampered, kgc.MasterPublicKey, out _), Is.EqualTo(EngineStatus.VerificationFailed), "rD changed");
        Assert.That(secret.Complete(partial.AsSpan(1), kgc.MasterPublicKey, out _), Is.EqualTo(EngineStatus.BadLength));
        byte[] again = new byte[partial.Length];
        Assert.That(kgc.IssuePartialKey("dest", secret.PublicValue, again), Is.EqualTo(EngineStatus.Ok), "the same u: the key issued before");
        Assert.That(again, Is.EqualTo(partial));
        using (var claimant = new CertificatelessSecretValue(secret.Parameters, "dest"))
            Assert.That(kgc.IssuePartialKey("dest", claimant.PublicValue, again), Is.EqualTo(EngineStatus.Replay), "one key per identity");
        Assert.That(kgc.IssuePartialKey("", secret.PublicValue, partial), Is.EqualTo(EngineStatus.Malformed));

        byte[] list = kgc.PublishNodeList();
        Assert.That(PublicNodeList.Verify(parameters, list, kgc.ListSigningKey, kgc.MasterPublicKey, out var keys), Is.EqualTo(EngineStatus.Ok));
        Assert.That(keys.Select(k => k.Id), Is.EqualTo(new[] { "dest", "other" }));
        var rng = new Random(3);
        for (int trial = 0; trial < 24; trial++)
        {
            byte[] bad = (byte[])list.Clone();
            bad[rng.Next(bad.Length)] ^= (byte)(1 << rng.Next(8));
            Assert.That(PublicNodeList.Verify(parameters, bad, kgc.ListSigningKey, kgc.MasterPublicKey, out var none), Is.Not.EqualTo(EngineStatus.Ok), $"trial {trial}");
            Assert.That(none, Is.Empty);
        }
        Assert.That(PublicNodeList.Verify(parameters, list.AsSpan(0, 10), kgc.ListSigningKey, kgc.MasterPublicKey, out _), Is.EqualTo(EngineStatus.BadLength));
        using var impostor = new KeyGenerationCenter(parameters);
        Assert.That(PublicNodeList.Verify(parameters, list, impostor.ListSigningKey, kgc.MasterPublicKey, out _), Is.EqualTo(EngineStatus.VerificationFailed));
    }

    /// <summary>
    /// The public-key replacement attack of SPEC.md §1.1 [repair]. With the paper's h = H1(ID, sD), an attacker who
    /// knows only public values publishes u' = g^t'·(sD·pk_sys^h)^−1 for the victim, so that P' = g^t' and W^t'
    /// decrypts. With the engine's h = H1(ID ‖ sD ‖ u), h changes with u' and the same u' gives the attacker nothing.
    /// </summary>
    [TestCaseSource(nameof(Groups))]
    public void ReplacementAttack_BreaksThePaperFormula_AndFailsAgainstTheEngine(PrimeOrderGroup group)
    {
        using Node victim = Enrol(group, "victim");
        OnionParameters parameters = victim.Kgc.Parameters;
        int n = group.ElementLimbs;
        byte[] id = Encoding.UTF8.GetBytes("victim");
        ulong[] pkSys = new ulong[n], sD = new ulong[n], t = new ulong[n], uPrime = new ulong[n], tPrime = new ulong[4], hPaper = new ulong[4];
        group.Decode(victim.Kgc.MasterPublicKey, pkSys);
        group.Decode(victim.FromList.PartialPublic, sD);

        // The paper's H1(ID, sD): the same hash function without u in its input.
        byte[] paperInput = new byte[2 + id.Length + group.ElementSizeInBytes];
        paperInput[1] = (byte)id.Length;
        id.CopyTo(paperInput, 2);
        victim.FromList.PartialPublic.CopyTo(paperInput, 2 + id.Length);
        group.HashToScalar(paperInput, parameters.H1Dst, hPaper);

        // u' = g^t' · (sD · pk_sys^h)^−1
        group.RandomScalar(tPrime);
        group.PowVarTime(pkSys, hPaper, t);
        group.Multiply(sD, t, t);
        group.Invert(t, t);
        group.PowGenerator(tPrime, uPrime);
        group.Multiply(uPrime, t, uPrime);
        byte[] uPrimeBytes = new byte[group.ElementSizeInBytes];
        group.Encode(uPrime, uPrimeBytes);

        byte[] message = "for the victim only"u8.ToArray();
        foreach (bool paperMode in new[] { true, false })
        {
            // The sender encrypts to the replaced key (sD, u').
            ulong[] p = new ulong[n], omega = new ulong[4], w = new ulong[n], z = new ulong[n], zAttacker = new ulong[n];
            if (paperMode)
            {
                group.PowVarTime(pkSys, hPaper, p);
                group.Multiply(sD, p, p);
                group.Multiply(p, uPrime, p);
            }
            else
            {
                Assert.That(CertificatelessPublicKey.Create(parameters, victim.Kgc.MasterPublicKey, "victim", victim.FromList.PartialPublic, uPrimeBytes, out var replaced), Is.EqualTo(EngineStatus.Ok));
                replaced!.Precomputed.CopyTo(p);
            }
            group.RandomScalar(omega);
            group.PowGenerator(omega, w);
            group.Pow(p, omega, z);
            byte[] wBytes = new byte[group.ElementSizeInBytes];
            group.Encode(w, wBytes);
            byte[] payload = new byte[message.Length + 16];
            CertificatelessEncryption.Seal(parameters, "victim", wBytes, z, message, payload, CertificatelessMode.Authenticated);

            // The attacker knows t' and W only.
            group.Pow(w, tPrime, zAttacker);
            byte[] recovered = new byte[message.Length];
            EngineStatus status = CertificatelessEncryption.Open(parameters, "victim", wBytes, zAttacker, payload, recovered, CertificatelessMode.Authenticated);
            if (paperMode)
            {
                Assert.That(status, Is.EqualTo(EngineStatus.Ok), "the attack works against the paper's formula");
                Assert.That(recovered, Is.EqualTo(message));
            }
            else
            {
                Assert.That(status, Is.EqualTo(EngineStatus.VerificationFailed), "the repair defeats it");
            }
        }
    }

    [Test]
    public void Dispose_WipesTheSecrets()
    {
        Node node = Enrol(PrimeOrderGroups.Bls12381G1);
        node.Dispose();
        byte[] ct = new byte[CertificatelessEncryption.CiphertextSize(node.Kgc.Parameters, CertificatelessMode.Xor, 4)];
        CertificatelessEncryption.Encrypt(node.FromList, new byte[4], ct, CertificatelessMode.Xor);
        Assert.Throws<ObjectDisposedException>(() => CertificatelessEncryption.Decrypt(node.PrivateKey, ct, new byte[4], CertificatelessMode.Xor));
        Assert.Throws<ObjectDisposedException>(() => node.Kgc.PublishNodeList());
    }
}
