using System.Security.Cryptography;
using System.Text;
using Engine.IotAuth;
using Engine.IotAuth.Auth;
using Engine.IotAuth.Tags;
using Engine.Pairing.Fields;
using Engine.Pairing.Groups;
using NUnit.Framework;

namespace Engine.Tests.IotAuth;

/// <summary>Builds tag keys, credentials and challenges for the Protocol 3 tests.</summary>
internal static class IotAuthTestKit
{
    public static readonly byte[] OperatorId = "oc-1"u8.ToArray();

    public static DeviceCredential Issue(TagKey key, string device, byte[]? operatorId = null)
    {
        byte[] nonce = RandomNumberGenerator.GetBytes(32);
        Fr m = TagMessage.Compute(Encoding.UTF8.GetBytes(device), key.Epoch, nonce);
        if (key.TryIssue(m, out G1Affine tag) != EngineStatus.Ok) throw new InvalidOperationException("redraw");
        if (DeviceCredential.Create(tag, m, key.Epoch, nonce, key.PublicKey, operatorId ?? OperatorId, out DeviceCredential? credential) != EngineStatus.Ok)
            throw new InvalidOperationException("tag check failed");
        return credential!;
    }

    /// <summary>CH with a fresh N_OC and Y_OC = g1^a; returns CH and a.</summary>
    public static (byte[] Challenge, Fr A) Challenge(ulong timestamp = 1_700_000_000, byte[]? operatorId = null)
    {
        byte[] id = operatorId ?? OperatorId;
        Fr a = RandomScalar();
        byte[] y = new byte[48];
        G1FixedBase.Generator.Multiply(a).ToAffine().EncodeCompressed(y);
        byte[] ch = new byte[ChallengeFields.SizeFor(id.Length)];
        ChallengeFields.Write(RandomNumberGenerator.GetBytes(32), timestamp, y, id, ch);
        return (ch, a);
    }

    public static byte[] Prove(DeviceCredential credential, byte[] challenge, out SessionKeys keys)
    {
        byte[] proof = new byte[IotAuthParameters.ProofSize];
        Assert.That(DeviceProver.Prove(credential, challenge, proof, out SessionKeys? k), Is.EqualTo(EngineStatus.Ok));
        keys = k!;
        return proof;
    }

    public static Fr RandomScalar() => Fr.RandomNonZero();

    public static byte[] Encode(G1Projective p)
    {
        byte[] b = new byte[48];
        p.ToAffine().EncodeCompressed(b);
        return b;
    }
}
