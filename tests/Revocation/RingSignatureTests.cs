using Engine.Revocation.Policies;
using Engine.Revocation.Signatures;
using NUnit.Framework;

namespace Engine.Tests.Revocation;

/// <summary>MPR attribute-based ring signatures: sign and verify, privacy, collusion, revocation, tampering (SPEC §4.4, 4.6, 4.7).</summary>
[TestFixture]
public sealed class RingSignatureTests
{
    private static readonly byte[] Message = "GET ct-42 from csp-b"u8.ToArray();

    private static SignatureAuthority NewAuthority(out RingSigningKey alice, out RingSigningKey bob, out RingSigningKey carol)
    {
        SignatureAuthority authority = SignatureAuthority.Create("SIG", "ring-1", maxColumns: 16, defaultCount: 3);
        alice = authority.Enrol("alice", ["doctor@HOSP", "auditor@INS"]);
        bob = authority.Enrol("bob", ["nurse@HOSP"]);
        carol = authority.Enrol("carol", ["chemist@LAB", "nurse@HOSP"]);
        return authority;
    }

    private static EngineStatus Verify(SignatureAuthority authority, Policy policy, byte[] message, RingSignature signature)
        => new RingVerifier(authority.PublicKey).Verify(authority.Ring, policy, message, signature);

    [TestCase("doctor@HOSP")]
    [TestCase("doctor@HOSP AND auditor@INS")]
    [TestCase("doctor@HOSP OR nurse@HOSP OR chemist@LAB")]
    [TestCase("2 of (doctor@HOSP, nurse@HOSP, auditor@INS)")]
    [TestCase("(chemist@LAB AND nurse@HOSP) OR (doctor@HOSP AND auditor@INS)")]
    public void SignAndVerify(string text)
    {
        using SignatureAuthority authority = NewAuthority(out RingSigningKey alice, out _, out _);
        Policy policy = Policy.Parse(text);
        RingSignature signature = RingSigner.Sign(alice, authority.PublicKey, authority.Ring, policy, Message);
        Assert.That(Verify(authority, policy, Message, signature), Is.EqualTo(EngineStatus.Ok));
        Assert.That(Verify(authority, policy, "another message"u8.ToArray(), signature), Is.EqualTo(EngineStatus.VerificationFailed));
        Assert.That(RingSignature.Decode(signature.Encode(), policy.Matrix.RowCount, policy.Matrix.ColumnCount, out RingSignature? decoded), Is.EqualTo(EngineStatus.Ok));
        Assert.That(Verify(authority, policy, Message, decoded!), Is.EqualTo(EngineStatus.Ok));
    }

    [Test]
    public void KOfRing_UsesTheDefaultAttributes()
    {
        using SignatureAuthority authority = NewAuthority(out RingSigningKey alice, out RingSigningKey bob, out _);
        Policy twoOf = RingPolicy.KOf(2, ["doctor@HOSP", "auditor@INS", "nurse@HOSP"], authority.PublicKey);
        Assert.That(twoOf.Attributes.Count, Is.EqualTo(3 + 2), "d = 4: two defaults");
        Assert.That(Verify(authority, twoOf, Message, RingSigner.Sign(alice, authority.PublicKey, authority.Ring, twoOf, Message)), Is.EqualTo(EngineStatus.Ok));
        var error = Assert.Throws<EngineException>(() => RingSigner.Sign(bob, authority.PublicKey, authority.Ring, twoOf, Message))!;
        Assert.That(error.Status, Is.EqualTo(EngineStatus.PolicyNotSatisfied), "one real attribute and the defaults are not enough");
        Assert.That(() => authority.Enrol("mallory", ["default-1@SIG"]), Throws.ArgumentException, "Ω is reserved");
    }

    [Test]
    public void SignersWithoutThePolicy_CannotSign_EvenByPoolingKeys()
    {
        using SignatureAuthority authority = NewAuthority(out _, out RingSigningKey bob, out RingSigningKey carol);
        Policy policy = Policy.Parse("nurse@HOSP AND auditor@INS");
        Assert.That(() => RingSigner.Sign(bob, authority.PublicKey, authority.Ring, policy, Message), Throws.TypeOf<EngineException>());

        // bob's K_base with an auditor key of another member: the pooled key does not verify.
        RingSigningKey alice = authority.IssueKey("alice");
        var pooledKeys = bob.AttributeKeys.ToDictionary(p => p.Key, p => p.Value);
        pooledKeys["auditor@INS"] = alice.AttributeKeys["auditor@INS"];
        var pooled = (RingSigningKey)typeof(RingSigningKey).GetConstructors(System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)[0]
            .Invoke(["bob", bob.RingId, bob.Epoch, bob.KBase, bob.K0, pooledKeys]);
        RingSignature forged = RingSigner.Sign(pooled, authority.PublicKey, authority.Ring, policy, Message);
        Assert.That(Verify(authority, policy, Message, forged), Is.EqualTo(EngineStatus.VerificationFailed));
        _ = carol;
    }

    [Test]
    public void Signatures_DoNotRevealTheSigner()
    {
        // Both alice (doctor) and carol (chemist AND nurse) satisfy the policy; their signatures have the same shape
        // and every component is a fresh random group element (Y = K_base^r0 with r0 uniform), so equal-shaped
        // outputs are all the verifier sees. Check the shape and that repeated signatures share no component.
        using SignatureAuthority authority = NewAuthority(out RingSigningKey alice, out _, out RingSigningKey carol);
        Policy policy = Policy.Parse("doctor@HOSP OR (chemist@LAB AND nurse@HOSP)");
        RingSignature a1 = RingSigner.Sign(alice, authority.PublicKey, authority.Ring, policy, Message);
        RingSignature a2 = RingSigner.Sign(alice, authority.PublicKey, authority.Ring, policy, Message);
        RingSignature c1 = RingSigner.Sign(carol, authority.PublicKey, authority.Ring, policy, Message);
        Assert.That(a1.Encode().Length, Is.EqualTo(c1.Encode().Length));
        Assert.That(a1.Y, Is.Not.EqualTo(a2.Y));
        Assert.That(a1.S.Zip(a2.S).Any(p => p.First == p.Second), Is.False);
        Assert.That(Verify(authority, policy, Message, a1), Is.EqualTo(EngineStatus.Ok));
        Assert.That(Verify(authority, policy, Message, c1), Is.EqualTo(EngineStatus.Ok));
    }

    [Test]
    public void Revocation_NewEpochRefusesTheRevokedMember()
    {
        using SignatureAuthority authority = NewAuthority(out RingSigningKey alice, out RingSigningKey bob, out RingSigningKey carol);
        Policy policy = Policy.Parse("nurse@HOSP");
        Ring before = authority.Ring;
        RingSignature oldSignature = RingSigner.Sign(bob, authority.PublicKey, before, policy, Message);
        IReadOnlyList<RingSigningKey> rekeyed = authority.Revoke("bob");
        Ring after = authority.Ring;
        Assert.That(after.Epoch, Is.EqualTo(before.Epoch + 1));
        Assert.That(rekeyed.Select(k => k.Gid), Is.EquivalentTo(new[] { "alice", "carol" }));

        Assert.That(() => RingSigner.Sign(bob, authority.PublicKey, after, policy, Message), Throws.TypeOf<EngineException>().With.Property("Status").EqualTo(EngineStatus.Expired));
        Assert.That(Verify(authority, policy, Message, oldSignature), Is.EqualTo(EngineStatus.VerificationFailed), "old-epoch signature against R'");
        // bob's old key used as if it were for the new epoch still fails (û changed with the epoch).
        var relabelled = (RingSigningKey)typeof(RingSigningKey).GetConstructors(System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)[0]
            .Invoke(["bob", bob.RingId, after.Epoch, bob.KBase, bob.K0, bob.AttributeKeys.ToDictionary(p => p.Key, p => p.Value)]);
        Assert.That(Verify(authority, policy, Message, RingSigner.Sign(relabelled, authority.PublicKey, after, policy, Message)), Is.EqualTo(EngineStatus.VerificationFailed));

        RingSigningKey carolNew = rekeyed.Single(k => k.Gid == "carol");
        Assert.That(Verify(authority, policy, Message, RingSigner.Sign(carolNew, authority.PublicKey, after, policy, Message)), Is.EqualTo(EngineStatus.Ok));
        Assert.That(() => RingSigner.Sign(carol, authority.PublicKey, after, policy, Message), Throws.TypeOf<EngineException>(), "carol's old key is for the old epoch");
        _ = alice;
    }

    [Test]
    public void TamperedSignatures_AreRefused()
    {
        using SignatureAuthority authority = NewAuthority(out RingSigningKey alice, out _, out _);
        Policy policy = Policy.Parse("doctor@HOSP AND auditor@INS");
        byte[] encoded = RingSigner.Sign(alice, authority.PublicKey, authority.Ring, policy, Message).Encode();
        int rows = policy.Matrix.RowCount, columns = policy.Matrix.ColumnCount;
        Assert.That(RingSignature.Decode(encoded[..^1], rows, columns, out _), Is.EqualTo(EngineStatus.BadLength));
        Assert.That(RingSignature.Decode(encoded, rows + 1, columns, out _), Is.EqualTo(EngineStatus.BadLength));
        for (int offset = 5; offset < encoded.Length; offset += 37)
        {
            byte[] bad = (byte[])encoded.Clone();
            bad[offset] ^= 0x04;
            EngineStatus status = RingSignature.Decode(bad, rows, columns, out RingSignature? decoded);
            if (status == EngineStatus.Ok) status = Verify(authority, policy, Message, decoded!);
            Assert.That(status, Is.Not.EqualTo(EngineStatus.Ok), $"byte {offset}");
        }
        // Another policy for the same signature, and a policy naming attributes outside the ring.
        Assert.That(RingSignature.Decode(encoded, rows, columns, out RingSignature? good), Is.EqualTo(EngineStatus.Ok));
        Assert.That(Verify(authority, Policy.Parse("doctor@HOSP AND nurse@HOSP"), Message, good!), Is.EqualTo(EngineStatus.VerificationFailed));
        Assert.That(Verify(authority, Policy.Parse("doctor@HOSP AND pilot@AIR"), Message, good!), Is.EqualTo(EngineStatus.NotFound));
    }

    [Test]
    public void BatchVerification_FindsTheBadSignatures()
    {
        using SignatureAuthority authority = NewAuthority(out RingSigningKey alice, out RingSigningKey bob, out RingSigningKey carol);
        var verifier = new RingVerifier(authority.PublicKey);
        var policies = new[] { Policy.Parse("doctor@HOSP"), Policy.Parse("nurse@HOSP OR doctor@HOSP"), Policy.Parse("chemist@LAB AND nurse@HOSP") };
        var signers = new[] { alice, bob, carol };
        var statuses = new EngineStatus[9];
        for (int i = 0; i < 9; i++)
        {
            byte[] message = i == 4 || i == 7 ? "tampered"u8.ToArray() : Message;
            RingSignature signature = RingSigner.Sign(signers[i % 3], authority.PublicKey, authority.Ring, policies[i % 3], Message);
            Assert.That(verifier.Add(authority.Ring, policies[i % 3], message, signature), Is.EqualTo(EngineStatus.Ok));
        }
        verifier.VerifyAll(statuses);
        for (int i = 0; i < 9; i++) Assert.That(statuses[i], Is.EqualTo(i == 4 || i == 7 ? EngineStatus.VerificationFailed : EngineStatus.Ok), $"signature {i}");
    }

    [Test]
    public void KeysAndAuthority_RoundTripThroughTheirEncodings()
    {
        using SignatureAuthority authority = NewAuthority(out RingSigningKey alice, out _, out _);
        Assert.That(RingPublicKey.Decode(authority.PublicKey.Encode(), out RingPublicKey? pk), Is.EqualTo(EngineStatus.Ok));
        Assert.That(RingSigningKey.Decode(alice.Encode(), out RingSigningKey? key), Is.EqualTo(EngineStatus.Ok));
        Assert.That(Ring.Decode(authority.Ring.Encode(), out Ring? ring), Is.EqualTo(EngineStatus.Ok));
        Policy policy = Policy.Parse("auditor@INS");
        RingSignature signature = RingSigner.Sign(key!, pk!, ring!, policy, Message);
        Assert.That(new RingVerifier(authority.PublicKey).Verify(authority.Ring, policy, Message, signature), Is.EqualTo(EngineStatus.Ok));
        Assert.That(SignatureAuthority.Import(authority.ExportSecret(), out SignatureAuthority? restored), Is.EqualTo(EngineStatus.Ok));
        Assert.That(restored!.PublicKey.Encode(), Is.EqualTo(authority.PublicKey.Encode()));
        Assert.That(restored.Ring.Encode(), Is.EqualTo(authority.Ring.Encode()));
        Assert.That(RingPublicKey.Decode(authority.PublicKey.Encode()[..^1], out _), Is.EqualTo(EngineStatus.BadLength));
    }
}
