using Engine.Primitives.Groups;
using Engine.Primitives.Schnorr;
using NUnit.Framework;

namespace Engine.Tests.Primitives;

[TestFixture]
public sealed class SchnorrSignatureTests
{
    public static IEnumerable<TestCaseData> Groups() => PrimeOrderGroups.All.Select(g => new TestCaseData(g).SetArgDisplayNames(g.Name));

    [TestCaseSource(nameof(Groups))]
    public void SignAndVerify_RoundTrip_Deterministically(PrimeOrderGroup group)
    {
        using SchnorrSigningKey key = SchnorrSigningKey.Generate(group);
        byte[] message = "pay 10 to bob"u8.ToArray();
        byte[] sig = new byte[SchnorrSignature.SizeInBytes(group)], again = new byte[sig.Length];
        SchnorrSignature.Sign(key, message, sig);
        SchnorrSignature.Sign(key, message, again);
        Assert.That(again, Is.EqualTo(sig), "deterministic nonce");
        Assert.That(SchnorrSignature.Verify(group, key.PublicKey, message, sig), Is.EqualTo(EngineStatus.Ok));
        Assert.That(SchnorrSignature.Verify(group, key.PublicKey, "pay 11 to bob"u8, sig), Is.EqualTo(EngineStatus.VerificationFailed));
        using SchnorrSigningKey other = SchnorrSigningKey.Generate(group);
        Assert.That(SchnorrSignature.Verify(group, other.PublicKey, message, sig), Is.EqualTo(EngineStatus.VerificationFailed));
    }

    [TestCaseSource(nameof(Groups)), Category("Malformed")]
    public void Verify_RejectsTamperedSignaturesWithAPreciseStatus(PrimeOrderGroup group)
    {
        using SchnorrSigningKey key = SchnorrSigningKey.Generate(group);
        byte[] message = "m"u8.ToArray();
        byte[] sig = new byte[SchnorrSignature.SizeInBytes(group)];
        SchnorrSignature.Sign(key, message, sig);
        var rng = new Random(9);
        for (int trial = 0; trial < 12; trial++)
        {
            byte[] bad = (byte[])sig.Clone();
            bad[rng.Next(bad.Length)] ^= (byte)(1 << rng.Next(8));
            Assert.That(SchnorrSignature.Verify(group, key.PublicKey, message, bad), Is.Not.EqualTo(EngineStatus.Ok), $"trial {trial}");
        }
        Assert.That(SchnorrSignature.Verify(group, key.PublicKey, message, sig.AsSpan(1)), Is.EqualTo(EngineStatus.BadLength));
        byte[] sTooBig = (byte[])sig.Clone();
        sTooBig.AsSpan(group.ElementSizeInBytes).Fill(0xff);
        Assert.That(SchnorrSignature.Verify(group, key.PublicKey, message, sTooBig), Is.EqualTo(EngineStatus.ScalarOutOfRange));
    }

    [TestCaseSource(nameof(Groups))]
    public void VerifyBatch_AcceptsValidSetsAndRejectsOneBadSignature(PrimeOrderGroup group)
    {
        const int count = 6;
        var keys = Enumerable.Range(0, count).Select(_ => SchnorrSigningKey.Generate(group)).ToArray();
        var messages = Enumerable.Range(0, count).Select(i => (ReadOnlyMemory<byte>)BitConverter.GetBytes(i)).ToArray();
        var sigs = new ReadOnlyMemory<byte>[count];
        for (int i = 0; i < count; i++)
        {
            byte[] s = new byte[SchnorrSignature.SizeInBytes(group)];
            SchnorrSignature.Sign(keys[i], messages[i].Span, s);
            sigs[i] = s;
        }
        var pks = keys.Select(k => (ReadOnlyMemory<byte>)k.PublicKey.ToArray()).ToArray();
        Assert.That(SchnorrSignature.VerifyBatch(group, pks, messages, sigs), Is.EqualTo(EngineStatus.Ok));
        var swapped = (ReadOnlyMemory<byte>[])messages.Clone();
        (swapped[1], swapped[2]) = (swapped[2], swapped[1]);
        Assert.That(SchnorrSignature.VerifyBatch(group, pks, swapped, sigs), Is.EqualTo(EngineStatus.VerificationFailed));
        foreach (var k in keys) k.Dispose();
    }

    [Test]
    public void Dispose_WipesTheKey_AndImportChecksTheRange()
    {
        PrimeOrderGroup group = PrimeOrderGroups.Bls12381G1;
        var key = SchnorrSigningKey.Generate(group);
        key.Dispose();
        Assert.Throws<ObjectDisposedException>(() => SchnorrSignature.Sign(key, "m"u8, new byte[SchnorrSignature.SizeInBytes(group)]));
        Assert.That(SchnorrSigningKey.Import(group, new byte[32], out _), Is.EqualTo(EngineStatus.ScalarOutOfRange), "zero key");
        Assert.That(SchnorrSigningKey.Import(group, Enumerable.Repeat((byte)0xff, 32).ToArray(), out _), Is.EqualTo(EngineStatus.ScalarOutOfRange));
        byte[] seven = new byte[32]; seven[31] = 7;
        Assert.That(SchnorrSigningKey.Import(group, seven, out SchnorrSigningKey? imported), Is.EqualTo(EngineStatus.Ok));
        using (imported) Assert.That(imported!.PublicKey.Length, Is.EqualTo(48));
    }
}
