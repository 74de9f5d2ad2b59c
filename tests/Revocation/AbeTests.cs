using System.Security.Cryptography;
using Engine.Primitives.Aead;
using Engine.Revocation.Abe;
using Engine.Revocation.Policies;
using NUnit.Framework;

namespace Engine.Tests.Revocation;

/// <summary>RW15 multi-authority CP-ABE with the streaming DEM: round trips, collusion, revocation and tampering (SPEC §4.7).</summary>
[TestFixture]
public sealed class AbeTests
{
    private static readonly AttributeAuthority Hospital = AttributeAuthority.Create("HOSP");
    private static readonly AttributeAuthority Insurer = AttributeAuthority.Create("INS");
    private static readonly AttributeAuthority Lab = AttributeAuthority.Create("LAB");

    private static Dictionary<string, AuthorityPublicKey> PublicKeys() => new()
    {
        [Hospital.Name] = Hospital.PublicKey, [Insurer.Name] = Insurer.PublicKey, [Lab.Name] = Lab.PublicKey,
    };

    private static UserDecryptionKeys Keys(string gid, params string[] attributes)
    {
        var keys = new UserDecryptionKeys(gid);
        foreach (string attribute in attributes)
        {
            AttributeAuthority authority = attribute.EndsWith("@HOSP") ? Hospital : attribute.EndsWith("@INS") ? Insurer : Lab;
            keys.Add(authority.IssueKey(gid, attribute));
        }
        return keys;
    }

    private static byte[] Encrypt(string policy, byte[] payload, int chunkSize = 4096)
    {
        using var output = new MemoryStream();
        AbeEncryptor.Encrypt(Policy.Parse(policy), PublicKeys(), "ring-1", 0, new MemoryStream(payload), output, chunkSize);
        return output.ToArray();
    }

    private static byte[] Decrypt(byte[] ciphertext, UserDecryptionKeys keys)
    {
        using var output = new MemoryStream();
        AbeDecryptor.Decrypt(new MemoryStream(ciphertext), output, keys);
        return output.ToArray();
    }

    [TestCase("doctor@HOSP AND auditor@INS")]
    [TestCase("doctor@HOSP OR nurse@HOSP")]
    [TestCase("2 of (doctor@HOSP, auditor@INS, chemist@LAB)")]
    [TestCase("(doctor@HOSP AND 2 of (auditor@INS, chemist@LAB, nurse@HOSP)) OR director@HOSP")]
    public void RoundTrip_AcrossAuthorities(string policy)
    {
        byte[] payload = RandomNumberGenerator.GetBytes(10_000);
        UserDecryptionKeys alice = Keys("alice", "doctor@HOSP", "auditor@INS", "chemist@LAB");
        Assert.That(Decrypt(Encrypt(policy, payload), alice), Is.EqualTo(payload));
    }

    [Test]
    public void HundredAttributeAndAndOr_RoundTrip()
    {
        var names = Enumerable.Range(0, 100).Select(i => $"a{i}@LAB").ToArray();
        UserDecryptionKeys all = Keys("bob", names);
        byte[] payload = RandomNumberGenerator.GetBytes(100);
        Assert.That(Decrypt(Encrypt(string.Join(" AND ", names), payload), all), Is.EqualTo(payload));
        UserDecryptionKeys one = Keys("carol", "a77@LAB");
        Assert.That(Decrypt(Encrypt(string.Join(" OR ", names), payload), one), Is.EqualTo(payload));
    }

    [Test]
    public void PayloadsOfAnySize_StreamInChunks([Values(0, 1, 4095, 4096, 4097, 3 * 4096, 512 * 1024)] int size)
    {
        byte[] payload = RandomNumberGenerator.GetBytes(size);
        byte[] ciphertext = Encrypt("doctor@HOSP", payload);
        Assert.That(Decrypt(ciphertext, Keys("dave", "doctor@HOSP")), Is.EqualTo(payload));
    }

    [Test]
    public void UnsatisfiedPolicy_IsRefusedWithPolicyNotSatisfied()
    {
        byte[] ciphertext = Encrypt("doctor@HOSP AND auditor@INS", [1, 2, 3]);
        var error = Assert.Throws<EngineException>(() => Decrypt(ciphertext, Keys("erin", "doctor@HOSP")))!;
        Assert.That(error.Status, Is.EqualTo(EngineStatus.PolicyNotSatisfied));
    }

    [Test]
    public void UsersWithDifferentGids_CannotPoolKeys()
    {
        byte[] payload = [9, 8, 7];
        byte[] ciphertext = Encrypt("doctor@HOSP AND auditor@INS", payload);
        DecryptionKey doctor = Hospital.IssueKey("frank", "doctor@HOSP");
        DecryptionKey auditor = Insurer.IssueKey("grace", "auditor@INS");
        Assert.That(() => new UserDecryptionKeys("frank").Add(auditor), Throws.ArgumentException, "the container refuses a foreign key");

        // Force the pooling past the container's check: the multi-pairing must still give a wrong key.
        var pooled = new UserDecryptionKeys("frank");
        pooled.Add(doctor);
        var forged = typeof(DecryptionKey).GetConstructors(System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)[0]
            .Invoke(["frank", auditor.Attribute, auditor.Version, auditor.K, auditor.KP]);
        pooled.Add((DecryptionKey)forged);
        var error = Assert.Throws<EngineException>(() => Decrypt(ciphertext, pooled))!;
        Assert.That(error.Status, Is.EqualTo(EngineStatus.VerificationFailed));
    }

    [Test]
    public void Revocation_LocksOutTheRevokedUserOnly()
    {
        var authority = AttributeAuthority.Create("REV");
        var keysOf = new Dictionary<string, UserDecryptionKeys>();
        foreach (string gid in new[] { "u1", "u2", "u3" })
        {
            keysOf[gid] = new UserDecryptionKeys(gid);
            keysOf[gid].Add(authority.IssueKey(gid, "member@REV"));
        }
        var publicKeys = new Dictionary<string, AuthorityPublicKey> { ["REV"] = authority.PublicKey };
        byte[] payload = RandomNumberGenerator.GetBytes(5000);
        Policy policy = Policy.Parse("member@REV");
        byte[] old = Seal(policy, publicKeys, payload);

        AttributeRevocation revocation = authority.Revoke("member@REV", "u2");
        Assert.That(revocation.KeyUpdates.Select(u => u.Gid), Is.EquivalentTo(new[] { "u1", "u3" }));
        Assert.That(authority.VersionOf("member@REV"), Is.EqualTo(1u));

        // The CSP updates the stored ciphertext without decrypting it.
        byte[] updated = Update(old, revocation.CiphertextUpdate, out int rows);
        Assert.That(rows, Is.EqualTo(1));
        byte[] fresh = Seal(policy, new Dictionary<string, AuthorityPublicKey> { ["REV"] = authority.PublicKey }, payload);

        Assert.That(Decrypt(old, keysOf["u2"]), Is.EqualTo(payload), "an old ciphertext the CSP still serves un-updated");
        foreach (byte[] ciphertext in new[] { updated, fresh })
        {
            var error = Assert.Throws<EngineException>(() => Decrypt(ciphertext, keysOf["u2"]))!;
            Assert.That(error.Status, Is.EqualTo(EngineStatus.PolicyNotSatisfied), "the revoked key is at the old version");
        }

        foreach (KeyUpdate update in revocation.KeyUpdates) Assert.That(keysOf[update.Gid].Apply(update), Is.EqualTo(EngineStatus.Ok));
        foreach (string gid in new[] { "u1", "u3" })
        {
            Assert.That(Decrypt(updated, keysOf[gid]), Is.EqualTo(payload), $"{gid} on the updated ciphertext");
            Assert.That(Decrypt(fresh, keysOf[gid]), Is.EqualTo(payload), $"{gid} on a fresh ciphertext");
        }

        // Even with its version number forced forward, the revoked key does not open updated rows.
        DecryptionKey stale = keysOf["u2"].Keys["member@REV"];
        var bumped = (DecryptionKey)typeof(DecryptionKey).GetConstructors(System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)[0]
            .Invoke(["u2", stale.Attribute, 1u, stale.K, stale.KP]);
        var forged = new UserDecryptionKeys("u2");
        forged.Add(bumped);
        Assert.That(Assert.Throws<EngineException>(() => Decrypt(updated, forged))!.Status, Is.EqualTo(EngineStatus.VerificationFailed));
    }

    [Test]
    public void UpdatedCiphertexts_DecryptLikeFreshOnes_ThroughSeveralVersions()
    {
        var authority = AttributeAuthority.Create("CHAIN");
        var holder = new UserDecryptionKeys("keeper");
        holder.Add(authority.IssueKey("keeper", "x@CHAIN"));
        holder.Add(authority.IssueKey("keeper", "y@CHAIN"));
        foreach (string gid in new[] { "r1", "r2" }) authority.IssueKey(gid, "x@CHAIN");
        var keys = () => new Dictionary<string, AuthorityPublicKey> { ["CHAIN"] = authority.PublicKey };
        byte[] payload = RandomNumberGenerator.GetBytes(300);
        byte[] ciphertext = Seal(Policy.Parse("x@CHAIN AND (y@CHAIN OR x@CHAIN)"), keys(), payload);
        foreach (string revoked in new[] { "r1", "r2" })
        {
            AttributeRevocation revocation = authority.Revoke("x@CHAIN", revoked);
            ciphertext = Update(ciphertext, revocation.CiphertextUpdate, out int rows);
            Assert.That(rows, Is.EqualTo(2), "both x rows move");
            foreach (KeyUpdate update in revocation.KeyUpdates) if (update.Gid == "keeper") holder.Apply(update);
        }
        Assert.That(Decrypt(ciphertext, holder), Is.EqualTo(payload));
        Assert.That(authority.UpdateKey("x@CHAIN", 0).Encode(), Has.Length.GreaterThan(0));
        Assert.That(() => authority.UpdateKey("x@CHAIN", 2), Throws.TypeOf<EngineException>());
    }

    [Test]
    public void TamperedChunks_AreRefused()
    {
        byte[] payload = RandomNumberGenerator.GetBytes(4 * 4096 + 100);
        byte[] ciphertext = Encrypt("doctor@HOSP", payload);
        UserDecryptionKeys keys = Keys("hank", "doctor@HOSP");
        int headerEnd = 4 + System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(ciphertext);
        int sealedChunk = 4096 + StreamAead.TagSize;

        byte[] flipped = (byte[])ciphertext.Clone();
        flipped[headerEnd + sealedChunk + 7] ^= 1;
        byte[] truncatedAtBoundary = ciphertext[..(headerEnd + 2 * sealedChunk)];
        byte[] truncatedInside = ciphertext[..^10];
        byte[] reordered = (byte[])ciphertext.Clone();
        Array.Copy(ciphertext, headerEnd, reordered, headerEnd + sealedChunk, sealedChunk);
        Array.Copy(ciphertext, headerEnd + sealedChunk, reordered, headerEnd, sealedChunk);
        byte[] other = Encrypt("doctor@HOSP", payload);
        byte[] spliced = (byte[])ciphertext.Clone();
        Array.Copy(other, headerEnd + sealedChunk, spliced, headerEnd + sealedChunk, sealedChunk);
        byte[] extended = [.. ciphertext, .. ciphertext.AsSpan(headerEnd, sealedChunk).ToArray()];

        foreach ((string name, byte[] bad) in new[] { ("flip", flipped), ("truncate at a boundary", truncatedAtBoundary), ("truncate", truncatedInside),
                                                    ("reorder", reordered), ("splice", spliced), ("extend", extended) })
        {
            var error = Assert.Throws<EngineException>(() => Decrypt(bad, keys), name)!;
            Assert.That(error.Status, Is.EqualTo(EngineStatus.VerificationFailed), name);
        }
    }

    [Test]
    public void TamperedHeaders_AreRefusedWithTypedErrors()
    {
        byte[] ciphertext = Encrypt("doctor@HOSP AND auditor@INS", [1, 2, 3]);
        UserDecryptionKeys keys = Keys("ivan", "doctor@HOSP", "auditor@INS");
        int headerLength = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(ciphertext);
        byte[] header = ciphertext[4..(4 + headerLength)];

        // A changed C1 (still canonical) gives another KEM key: the first chunk fails.
        byte[] c1 = (byte[])ciphertext.Clone();
        c1[4 + headerLength - 2 * AbeCiphertextHeader.RowSize + 4 + 575] ^= 1;
        Assert.That(Assert.Throws<EngineException>(() => Decrypt(c1, keys))!.Status, Is.EqualTo(EngineStatus.VerificationFailed));

        Assert.That(AbeCiphertextHeader.Decode(header[..^1], out _, out _), Is.EqualTo(EngineStatus.BadLength));
        byte[] badPoint = (byte[])header.Clone();
        badPoint[badPoint.Length - AbeCiphertextHeader.RowSize + 4 + 576 + 5] ^= 0x40;
        Assert.That(AbeCiphertextHeader.Decode(badPoint, out _, out _), Is.Not.EqualTo(EngineStatus.Ok));
        byte[] version = (byte[])header.Clone();
        version[0] = 9;
        Assert.That(AbeCiphertextHeader.Decode(version, out _, out _), Is.EqualTo(EngineStatus.UnsupportedVersion));
        Assert.That(Assert.Throws<EngineException>(() => AbeCiphertextFile.ReadHeader(new MemoryStream([0x7f, 0, 0, 0])))!.Status, Is.EqualTo(EngineStatus.FrameTooLarge));
        Assert.That(Assert.Throws<EngineException>(() => AbeCiphertextFile.ReadHeader(new MemoryStream([0, 0])))!.Status, Is.EqualTo(EngineStatus.BadLength));
    }

    [Test]
    public void KeysAndPublicKeys_RoundTripThroughTheirEncodings()
    {
        var authority = AttributeAuthority.Create("ENC");
        authority.IssueKey("a", "x@ENC");
        authority.IssueKey("b", "x@ENC");
        authority.Revoke("x@ENC", "b");
        Assert.That(AuthorityPublicKey.Decode(authority.PublicKey.Encode(), out AuthorityPublicKey? pk), Is.EqualTo(EngineStatus.Ok));
        Assert.That(pk!.For("x@ENC").Version, Is.EqualTo(1u));
        Assert.That(pk.For("x@ENC").EggAlpha, Is.EqualTo(authority.PublicKey.For("x@ENC").EggAlpha));
        Assert.That(AttributeAuthority.Import(authority.ExportSecret(), out AttributeAuthority? restored), Is.EqualTo(EngineStatus.Ok));
        Assert.That(restored!.PublicKey.Encode(), Is.EqualTo(authority.PublicKey.Encode()));
        Assert.That(restored.HoldersOf("x@ENC"), Is.EquivalentTo(new[] { "a" }));
        DecryptionKey key = authority.IssueKey("c", "y@ENC");
        Assert.That(DecryptionKey.Decode(key.Encode(), out DecryptionKey? decoded), Is.EqualTo(EngineStatus.Ok));
        Assert.That(decoded!.Encode(), Is.EqualTo(key.Encode()));
        Assert.That(() => authority.IssueKey("c", "y@OTHER"), Throws.ArgumentException);
        Assert.That(AuthorityPublicKey.Decode(authority.PublicKey.Encode()[..^1], out _), Is.Not.EqualTo(EngineStatus.Ok));
    }

    private static byte[] Seal(Policy policy, Dictionary<string, AuthorityPublicKey> keys, byte[] payload)
    {
        using var output = new MemoryStream();
        AbeEncryptor.Encrypt(policy, keys, "ring", 0, new MemoryStream(payload), output, 1024);
        return output.ToArray();
    }

    private static byte[] Update(byte[] ciphertext, CiphertextUpdateKey key, out int rows)
    {
        var input = new MemoryStream(ciphertext);
        AbeCiphertextHeader header = AbeCiphertextFile.ReadHeader(input);
        rows = CiphertextUpdater.Apply(header, key);
        using var output = new MemoryStream();
        AbeCiphertextFile.WriteHeader(output, header);
        input.CopyTo(output);
        return output.ToArray();
    }
}
