using System.Numerics;
using System.Security.Cryptography;
using Engine.IotAuth;
using Engine.IotAuth.Auth;
using Engine.IotAuth.Tags;
using Engine.Pairing.Fields;
using Engine.Pairing.Groups;
using NUnit.Framework;
using static Engine.Tests.IotAuth.IotAuthTestKit;

namespace Engine.Tests.IotAuth;

/// <summary>The properties SPEC.md §3.4 lists for the proof and the session key.</summary>
[TestFixture]
public sealed class AnonymousAuthenticationTests
{
    private TagKey _key = null!;
    private DeviceCredential _device = null!;

    [OneTimeSetUp]
    public void SetUp()
    {
        _key = TagKey.Generate(epoch: 7);
        _device = Issue(_key, "sensor-17");
    }

    [OneTimeTearDown]
    public void TearDown()
    {
        _device.Dispose();
        _key.Dispose();
    }

    [Test]
    public void Tag_SatisfiesThePairingEquation_AndOnlyForItsM()
    {
        Assert.That(DeviceCredential.CheckTag(_device.Tag, _device.M, _key.PublicKey), Is.True);
        Assert.That(DeviceCredential.CheckTag(_device.Tag, _device.M + Fr.One, _key.PublicKey), Is.False);
        using TagKey other = TagKey.Generate(7);
        Assert.That(DeviceCredential.CheckTag(_device.Tag, _device.M, other.PublicKey), Is.False);
        // A = g1^(1/(γ+m)) independently: [γ + m]A = g1.
        Assert.That(_device.Tag.ToProjective().Multiply(_key.Gamma + _device.M), Is.EqualTo(G1Projective.Generator));
    }

    [Test]
    public void Proof_IsAcceptedByBothVerifiers_AndBothSidesAgreeOnTheKey()
    {
        (byte[] ch, Fr a) = Challenge();
        byte[] proof = Prove(_device, ch, out SessionKeys deviceKeys);
        using (deviceKeys)
        {
            Assert.That(ProofVerifier.WithTagKey(_key).Verify(ch, proof), Is.EqualTo(EngineStatus.Ok));
            Assert.That(ProofVerifier.WithPublicKey(_key.PublicKey).Verify(ch, proof), Is.EqualTo(EngineStatus.Ok));

            // The OC's side of the key: Y_D^a, derived independently of the device's code path.
            G1Affine.Decode(proof.AsSpan(ProofLayout.DeviceKey), out G1Affine yd);
            using SessionKeys ocKeys = SessionKeys.Derive(Encode(yd.ToProjective().Multiply(a)), ch, proof);
            Assert.That(ocKeys.EncryptionKey.ToArray(), Is.EqualTo(deviceKeys.EncryptionKey.ToArray()));
            byte[] mac = new byte[32];
            ocKeys.WriteConfirmation(ConfirmationRole.OperationCenter, mac);
            Assert.That(deviceKeys.CheckConfirmation(ConfirmationRole.OperationCenter, mac), Is.True);
            Assert.That(deviceKeys.CheckConfirmation(ConfirmationRole.Device, mac), Is.False, "the two directions differ");
        }
    }

    [Test]
    public void SessionKey_IsHkdfOfTheEphemeralProductOnly()
    {
        (byte[] ch, Fr a) = Challenge();
        byte[] proof = Prove(_device, ch, out SessionKeys keys);
        using (keys)
        {
            // Recompute K from the SPEC formula with the BCL alone: th = SHA-256(CH ‖ proof), info = label ‖ th.
            G1Affine.Decode(proof.AsSpan(ProofLayout.DeviceKey), out G1Affine yd);
            byte[] ikm = Encode(yd.ToProjective().Multiply(a));
            byte[] th = SHA256.HashData([.. ch, .. proof]);
            byte[] k = HKDF.DeriveKey(HashAlgorithmName.SHA256, ikm, 64, [], [.. "ENGINE-V1/iot-auth/session"u8.ToArray(), .. th]);
            Assert.That(keys.EncryptionKey.ToArray(), Is.EqualTo(k[..32]));
            Assert.That(keys.TranscriptHash.ToArray(), Is.EqualTo(th));
            byte[] expected = HMACSHA256.HashData(k[32..], (byte[])[.. "DEVICE"u8.ToArray(), .. th]), mac = new byte[32];
            keys.WriteConfirmation(ConfirmationRole.Device, mac);
            Assert.That(mac, Is.EqualTo(expected));
            // Another a (same device, same tag, same γ) gives another key: K depends on the ephemeral values.
            byte[] other = Encode(yd.ToProjective().Multiply(a + Fr.One));
            Assert.That(HKDF.DeriveKey(HashAlgorithmName.SHA256, other, 64, [], [.. "ENGINE-V1/iot-auth/session"u8.ToArray(), .. th])[..32], Is.Not.EqualTo(k[..32]));
        }
    }

    [Test]
    public void TwoSessionsOfOneDevice_ShareNoValue()
    {
        (byte[] ch1, _) = Challenge();
        (byte[] ch2, _) = Challenge();
        byte[] p1 = Prove(_device, ch1, out SessionKeys k1), p2 = Prove(_device, ch2, out SessionKeys k2);
        k1.Dispose(); k2.Dispose();
        int[] sizes = [48, 48, 48, 32, 32, 48];
        int offset = 0;
        var fields1 = new List<byte[]>();
        var fields2 = new List<byte[]>();
        foreach (int size in sizes)
        {
            fields1.Add(p1[offset..(offset + size)]);
            fields2.Add(p2[offset..(offset + size)]);
            offset += size;
        }
        foreach (byte[] f in fields1)
            foreach (byte[] g in fields2)
                Assert.That(f.AsSpan().SequenceEqual(g), Is.False, "a field value recurs across sessions");
        // Nor does either proof contain the tag or m.
        byte[] tag = new byte[48], m = new byte[32];
        _device.Tag.EncodeCompressed(tag);
        _device.M.WriteBigEndian(m);
        foreach (byte[] p in new[] { p1, p2 })
        {
            Assert.That(p.AsSpan().IndexOf(tag), Is.EqualTo(-1));
            Assert.That(p.AsSpan().IndexOf(m), Is.EqualTo(-1));
        }
    }

    private static readonly (string Name, int Offset)[] Fields = [("A'", 0), ("Ā", 48), ("T1", 96), ("s1", 144), ("s2", 176), ("Y_D", 208)];

    [Test, Category("Malformed")]
    public void EachProofComponentReplacedByAnotherValidValue_IsRefusedAsVerificationFailure(
        [Values(0, 1, 2, 3, 4, 5)] int field, [Values(true, false)] bool withGamma)
    {
        (byte[] ch, _) = Challenge();
        byte[] proof = Prove(_device, ch, out SessionKeys keys);
        keys.Dispose();
        byte[] bad = (byte[])proof.Clone();
        int offset = Fields[field].Offset;
        if (offset is 144 or 176)
        {
            Fr.Decode(bad.AsSpan(offset, 32), out Fr s);
            (s + Fr.One).WriteBigEndian(bad.AsSpan(offset, 32));
        }
        else
        {
            Encode(G1Projective.Generator.Multiply(RandomScalar())).CopyTo(bad, offset);
        }
        ProofVerifier verifier = withGamma ? ProofVerifier.WithTagKey(_key) : ProofVerifier.WithPublicKey(_key.PublicKey);
        Assert.That(verifier.Verify(ch, bad), Is.EqualTo(EngineStatus.VerificationFailed), Fields[field].Name);
    }

    [Test, Category("Malformed")]
    public void EachChallengeComponentAltered_IsRefused([Values("nonce", "time", "Y_OC", "id")] string component)
    {
        (byte[] ch, _) = Challenge();
        byte[] proof = Prove(_device, ch, out SessionKeys keys);
        keys.Dispose();
        byte[] bad = (byte[])ch.Clone();
        switch (component)
        {
            case "nonce": bad[5] ^= 1; break;
            case "time": bad[39] ^= 1; break;
            case "Y_OC": Encode(G1Projective.Generator.Multiply(RandomScalar())).CopyTo(bad, 40); break;
            case "id": bad[^1] ^= 1; break;
        }
        Assert.That(ProofVerifier.WithTagKey(_key).Verify(bad, proof), Is.EqualTo(EngineStatus.VerificationFailed));
        Assert.That(ProofVerifier.WithPublicKey(_key.PublicKey).Verify(bad, proof), Is.EqualTo(EngineStatus.VerificationFailed));
    }

    [Test, Category("Malformed")]
    public void MalformedProofs_GetTheDecodingStatus()
    {
        (byte[] ch, _) = Challenge();
        byte[] proof = Prove(_device, ch, out SessionKeys keys);
        keys.Dispose();
        ProofVerifier v = ProofVerifier.WithTagKey(_key);
        Assert.That(v.Verify(ch, proof.AsSpan(0, 255)), Is.EqualTo(EngineStatus.BadLength));
        Assert.That(v.Verify(ch.AsSpan(0, ch.Length - 1), proof), Is.EqualTo(EngineStatus.BadLength));

        byte[] bad = (byte[])proof.Clone();
        byte[] r = BigInteger.Parse("073eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001", System.Globalization.NumberStyles.HexNumber).ToByteArray(isUnsigned: true, isBigEndian: true);
        r.CopyTo(bad, 176);
        Assert.That(v.Verify(ch, bad), Is.EqualTo(EngineStatus.ScalarOutOfRange), "s2 = r is not canonical");

        byte[] identity = new byte[48];
        identity[0] = 0xc0;
        foreach ((int offset, EngineStatus expected) in new[] { (0, EngineStatus.IdentityElement), (48, EngineStatus.IdentityElement), (208, EngineStatus.IdentityElement) })
        {
            bad = (byte[])proof.Clone();
            identity.CopyTo(bad, offset);
            Assert.That(v.Verify(ch, bad), Is.EqualTo(expected), $"identity at {offset}");
        }
        bad = (byte[])proof.Clone();
        bad[0] = (byte)((bad[0] & 0xe0) | 0x1f);              // x ≥ p
        Assert.That(v.Verify(ch, bad), Is.EqualTo(EngineStatus.NotCanonical));
        bad = (byte[])proof.Clone();
        bad[0] &= 0x7f;                                         // uncompressed flag on a 48-byte field
        Assert.That(v.Verify(ch, bad), Is.EqualTo(EngineStatus.Malformed).Or.EqualTo(EngineStatus.BadLength));
        bad = (byte[])proof.Clone();
        NonSubgroupPoint().CopyTo(bad, 96);
        Assert.That(v.Verify(ch, bad), Is.EqualTo(EngineStatus.NotInSubgroup), "T1 off the subgroup");
    }

    [Test]
    public void TagsFromAnotherEpochOrAnotherOperationCenter_AreRefused()
    {
        using TagKey nextEpoch = TagKey.Generate(8);
        (byte[] ch, _) = Challenge();
        byte[] proof = Prove(_device, ch, out SessionKeys keys);
        keys.Dispose();
        Assert.That(ProofVerifier.WithTagKey(nextEpoch).Verify(ch, proof), Is.EqualTo(EngineStatus.VerificationFailed));
        Assert.That(ProofVerifier.WithPublicKey(nextEpoch.PublicKey).Verify(ch, proof), Is.EqualTo(EngineStatus.VerificationFailed));
    }

    [Test]
    public void Batches_AgreeWithOneAtATime_AndNameEveryBadProof([Values(true, false)] bool withGamma, [Values(1, 2, 7, 16)] int size)
    {
        var rng = new Random(size * 31 + (withGamma ? 1 : 0));
        var challenges = new byte[size][];
        var proofs = new byte[size][];
        for (int i = 0; i < size; i++)
        {
            (challenges[i], _) = Challenge();
            proofs[i] = Prove(_device, challenges[i], out SessionKeys k);
            k.Dispose();
        }
        // Each position in turn holds a bad proof (a proof bound to another challenge), and in one run two do.
        for (int bad = -1; bad < size; bad++)
        {
            ProofVerifier batch = withGamma ? ProofVerifier.WithTagKey(_key) : ProofVerifier.WithPublicKey(_key.PublicKey);
            ProofVerifier single = withGamma ? ProofVerifier.WithTagKey(_key) : ProofVerifier.WithPublicKey(_key.PublicKey);
            int second = bad >= 0 && size > 2 && rng.Next(2) == 0 ? (bad + 1 + rng.Next(size - 1)) % size : -1;
            var expected = new EngineStatus[size];
            for (int i = 0; i < size; i++)
            {
                byte[] ch = i == bad || i == second ? challenges[(i + 1) % size] : challenges[i];
                if ((i == bad || i == second) && size == 1) ch = Challenge().Challenge;
                batch.Add(ch, proofs[i]);
                expected[i] = single.Verify(ch, proofs[i]);
                Assert.That(expected[i], Is.EqualTo(i == bad || i == second ? EngineStatus.VerificationFailed : EngineStatus.Ok));
            }
            var results = new EngineStatus[size];
            batch.VerifyAll(results);
            Assert.That(results, Is.EqualTo(expected), $"bad at {bad} and {second}");
        }
    }

    [Test]
    public void RevokedDevice_FailsFromTheNextEpoch_WhileAReissuedOneProves()
    {
        using TagKey epoch8 = TagKey.Generate(8);
        using DeviceCredential reissued = Issue(epoch8, "sensor-18");
        (byte[] ch, _) = Challenge();
        byte[] stale = Prove(_device, ch, out SessionKeys k1), fresh = Prove(reissued, ch, out SessionKeys k2);
        k1.Dispose(); k2.Dispose();
        Assert.That(ProofVerifier.WithTagKey(epoch8).Verify(ch, stale), Is.EqualTo(EngineStatus.VerificationFailed));
        Assert.That(ProofVerifier.WithTagKey(epoch8).Verify(ch, fresh), Is.EqualTo(EngineStatus.Ok));
    }

    [Test]
    public void Credential_ExportAndImport_RoundTrip_AndTamperingIsRefused()
    {
        byte[] file = new byte[_device.ExportSize];
        _device.Export(file);
        Assert.That(DeviceCredential.Import(file, out DeviceCredential? back), Is.EqualTo(EngineStatus.Ok));
        using (back)
        {
            Assert.That(back!.Tag, Is.EqualTo(_device.Tag));
            (byte[] ch, _) = Challenge();
            byte[] proof = Prove(back, ch, out SessionKeys k);
            k.Dispose();
            Assert.That(ProofVerifier.WithTagKey(_key).Verify(ch, proof), Is.EqualTo(EngineStatus.Ok));
        }
        byte[] bad = (byte[])file.Clone();
        bad[60] ^= 1;                                           // m
        Assert.That(DeviceCredential.Import(bad, out _), Is.EqualTo(EngineStatus.VerificationFailed).Or.EqualTo(EngineStatus.ScalarOutOfRange));
        Assert.That(DeviceCredential.Import(file.AsSpan(0, 100), out _), Is.EqualTo(EngineStatus.BadLength));
    }

    /// <summary>A point on E(Fp) outside G1: hash to the curve without clearing the cofactor.</summary>
    private static byte[] NonSubgroupPoint()
    {
        for (int x = 1; ; x++)
        {
            byte[] candidate = new byte[48];
            candidate[47] = (byte)x;
            candidate[0] = 0x80;
            EngineStatus s = G1Affine.Decode(candidate, out _);
            if (s == EngineStatus.NotInSubgroup) return candidate;
        }
    }
}
