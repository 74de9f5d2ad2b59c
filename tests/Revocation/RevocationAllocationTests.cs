using Engine.Revocation.Abe;
using Engine.Revocation.Policies;
using Engine.Revocation.Signatures;
using NUnit.Framework;

namespace Engine.Tests.Revocation;

/// <summary>Decryption (the KEM with its multi-pairing) and ring-signature verification allocate nothing in steady state.</summary>
[TestFixture, Category("Allocation"), NonParallelizable]
public sealed class RevocationAllocationTests
{
    private static long Measure(Action action, int repetitions)
    {
        action(); action();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < repetitions; i++) action();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    [TestCase("a@A AND b@A AND c@A")]
    [TestCase("a@A OR b@A OR c@A")]
    [TestCase("2 of (a@A, b@A, c@A, d@A, e@A)")]
    public void Decapsulation_DoesNotAllocate(string text)
    {
        using var authority = AttributeAuthority.Create("A");
        var keys = new UserDecryptionKeys("alloc");
        foreach (string a in new[] { "a@A", "b@A", "c@A" }) keys.Add(authority.IssueKey("alloc", a));
        var publicKeys = new Dictionary<string, AuthorityPublicKey> { ["A"] = authority.PublicKey };
        byte[] demKey = new byte[32], recovered = new byte[32];
        AbeCiphertextHeader header = AbeEncryptor.Encapsulate(Policy.Parse(text), publicKeys, "ring", 0, demKey);
        Assert.That(Measure(() => AbeDecryptor.Decapsulate(header, keys, recovered, out _), 3), Is.Zero);
        Assert.That(recovered, Is.EqualTo(demKey));
    }

    [Test]
    public void RingVerification_DoesNotAllocate()
    {
        using SignatureAuthority authority = SignatureAuthority.Create("SIG", "ring", maxColumns: 8, defaultCount: 2);
        RingSigningKey key = authority.Enrol("alloc", ["x@A", "y@A"]);
        authority.Enrol("other", ["z@A"]);
        Policy policy = Policy.Parse("(x@A AND y@A) OR z@A");
        byte[] message = "m"u8.ToArray();
        RingSignature signature = RingSigner.Sign(key, authority.PublicKey, authority.Ring, policy, message);
        var verifier = new RingVerifier(authority.PublicKey);
        Ring ring = authority.Ring;
        EngineStatus status = EngineStatus.InternalError;
        Assert.That(Measure(() => status = verifier.Verify(ring, policy, message, signature), 3), Is.Zero);
        Assert.That(status, Is.EqualTo(EngineStatus.Ok));
    }
}
