using System.Security.Cryptography;
using System.Text.Json;
using Engine.IotAuth.Auth;
using Engine.IotAuth.Tags;
using Engine.Pairing.Fields;
using Engine.Pairing.Groups;
using Engine.Tests.Support;
using NUnit.Framework;
using static Engine.Tests.IotAuth.IotAuthTestKit;

namespace Engine.Tests.IotAuth;

/// <summary>
/// SPEC.md §3.5 checked against a second implementation written from the SPEC on @noble/curves
/// (tests/IotAuth/Interop/iot-auth.mjs): it verifies the engine's proofs (and refuses altered ones), and the engine
/// verifies its proofs and derives the same session key from them.
/// </summary>
[TestFixture, Category("EndToEnd"), NonParallelizable]
public sealed class NobleInteropTests
{
    [Test]
    public void EngineAndNoble_VerifyEachOthersProofs_AndAgreeOnTheSessionKey()
    {
        NodePackages.EnsureNoble();
        using TagKey key = TagKey.Generate(3);
        using DeviceCredential device = Issue(key, "sensor-42", "oc-noble"u8.ToArray());
        string w = Convert.ToHexStringLower(key.PublicKeyBytes);
        byte[] tag = new byte[48], m = new byte[32];
        device.Tag.EncodeCompressed(tag);
        device.M.WriteBigEndian(m);

        var verifyCases = new List<object>();
        var expected = new List<string>();
        for (int i = 0; i < 3; i++)
        {
            (byte[] ch, _) = Challenge(operatorId: "oc-noble"u8.ToArray());
            byte[] proof = Prove(device, ch, out SessionKeys k);
            k.Dispose();
            verifyCases.Add(new { w, ch = Convert.ToHexStringLower(ch), proof = Convert.ToHexStringLower(proof) });
            expected.Add("ok");
            byte[] bad = (byte[])proof.Clone();
            Fr.Decode(bad.AsSpan(176, 32), out Fr s2);
            (s2 + Fr.One).WriteBigEndian(bad.AsSpan(176, 32));
            verifyCases.Add(new { w, ch = Convert.ToHexStringLower(ch), proof = Convert.ToHexStringLower(bad) });
            expected.Add("sigma");
        }
        // A proof under another OC's key fails noble's pairing check.
        using (TagKey other = TagKey.Generate(3))
        {
            (byte[] ch, _) = Challenge(operatorId: "oc-noble"u8.ToArray());
            byte[] proof = Prove(device, ch, out SessionKeys k);
            k.Dispose();
            verifyCases.Add(new { w = Convert.ToHexStringLower(other.PublicKeyBytes), ch = Convert.ToHexStringLower(ch), proof = Convert.ToHexStringLower(proof) });
            expected.Add("pairing");
        }

        var proveCases = new List<(byte[] Challenge, Fr A)>();
        for (int i = 0; i < 3; i++) proveCases.Add(Challenge(operatorId: "oc-noble"u8.ToArray()));
        string input = Path.Combine(NodePackages.Folder, "iot-auth-input.json");
        File.WriteAllText(input, JsonSerializer.Serialize(new
        {
            verify = verifyCases,
            prove = proveCases.Select(c => new { a = Convert.ToHexStringLower(tag), m = Convert.ToHexStringLower(m), w, ch = Convert.ToHexStringLower(c.Challenge) }),
        }));
        using JsonDocument result = JsonDocument.Parse(NodePackages.RunScript("IotAuth/Interop/iot-auth.mjs", $"\"{input}\""));

        Assert.That(result.RootElement.GetProperty("verify").EnumerateArray().Select(e => e.GetString()), Is.EqualTo(expected), "noble's verdicts on the engine's proofs");

        int index = 0;
        foreach (JsonElement p in result.RootElement.GetProperty("prove").EnumerateArray())
        {
            (byte[] ch, Fr a) = proveCases[index++];
            byte[] proof = Convert.FromHexString(p.GetProperty("proof").GetString()!);
            Assert.That(ProofVerifier.WithTagKey(key).Verify(ch, proof), Is.EqualTo(EngineStatus.Ok), "the engine's OC verifier on noble's proof");
            Assert.That(ProofVerifier.WithPublicKey(key.PublicKey).Verify(ch, proof), Is.EqualTo(EngineStatus.Ok), "the engine's public verifier on noble's proof");
            G1Affine.Decode(proof.AsSpan(ProofLayout.DeviceKey), out G1Affine yd);
            using SessionKeys keys = SessionKeys.Derive(Encode(yd.ToProjective().Multiply(a)), ch, proof);
            Assert.That(Convert.ToHexStringLower(keys.EncryptionKey), Is.EqualTo(p.GetProperty("keyEnc").GetString()), "K_enc");
            Assert.That(Convert.ToHexStringLower(keys.TranscriptHash), Is.EqualTo(p.GetProperty("th").GetString()), "th");
            byte[] mac = new byte[32];
            keys.WriteConfirmation(ConfirmationRole.Device, mac);
            Assert.That(mac, Is.EqualTo(HMACSHA256.HashData(Convert.FromHexString(p.GetProperty("keyMac").GetString()!), (byte[])[.. "DEVICE"u8.ToArray(), .. keys.TranscriptHash.ToArray()])));
        }
        Assert.That(index, Is.EqualTo(3));
    }
}
