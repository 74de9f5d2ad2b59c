using Engine.Hosting.Roles;
using System.Buffers;
using System.Buffers.Binary;
using Engine.Hosting.Framing;
using Engine.Hosting.Onion;
using Engine.IotAuth;
using Engine.IotAuth.Roles;
using Engine.IotAuth.Tags;
using Engine.IotAuth.Trust;
using Engine.IotAuth.Wire;
using Engine.Onion.Keys;
using Engine.Onion.Roles;
using Engine.Onion.Setup;
using Engine.Pairing.Groups;
using Engine.Primitives.Encryption;
using Engine.Primitives.Groups;
using Engine.Primitives.Schnorr;
using Engine.Revocation.Abe;
using Engine.Revocation.Access;
using Engine.Revocation.Policies;
using Engine.Revocation.Signatures;
using Engine.Tests.Onion;
using Engine.TwoServer;
using Engine.TwoServer.Roles;
using Engine.TwoServer.Wire;
using NUnit.Framework;

namespace Engine.Tests.Fuzz;

/// <summary>
/// Mutation fuzzing of every wire decoder and frame parser, in process and bounded (issue #15): each target starts from
/// well-formed inputs and runs deterministic mutations of them (bit flips, extreme bytes, truncations, extensions,
/// length fields set to 0, 1, 2³¹−1 and 2³²−1). A decoder must answer every input with a status (or its documented
/// typed exception, <see cref="PolicyException"/> for policies) and never crash, hang or throw anything else.
/// </summary>
[TestFixture, Category("Malformed"), NonParallelizable]
public sealed class DecoderFuzzTests
{
    private const int MutationsPerSeed = 1500;

    /// <summary>Deterministic mutations of <paramref name="seed"/> (the seed itself first).</summary>
    internal static IEnumerable<byte[]> Mutations(byte[] seed, int count, int randomSeed)
    {
        var random = new Random(randomSeed);
        yield return seed;
        uint[] extremes = [0, 1, 0x7fffffff, 0xffffffff];
        for (int i = 0; i < count; i++)
        {
            byte[] m = (byte[])seed.Clone();
            switch (random.Next(6))
            {
                case 0 when m.Length > 0: m[random.Next(m.Length)] ^= (byte)(1 << random.Next(8)); break;
                case 1 when m.Length > 0: m[random.Next(m.Length)] = random.Next(2) == 0 ? (byte)0 : (byte)0xff; break;
                case 2 when m.Length > 0: m = m[..random.Next(m.Length)]; break;
                case 3: m = [.. m, .. Enumerable.Range(0, random.Next(1, 64)).Select(_ => (byte)random.Next(256))]; break;
                case 4 when m.Length >= 4: BinaryPrimitives.WriteUInt32BigEndian(m.AsSpan(random.Next(m.Length - 3)), extremes[random.Next(4)]); break;
                default: m = [.. m.Select(b => random.Next(16) == 0 ? (byte)random.Next(256) : b)]; break;
            }
            yield return m;
        }
    }

    private static void Fuzz(string target, IEnumerable<byte[]> seeds, Action<byte[]> decode, int mutations = MutationsPerSeed)
    {
        int runs = 0, seedIndex = 0;
        foreach (byte[] seed in seeds)
        {
            foreach (byte[] input in Mutations(seed, mutations, HashCode.Combine(target.GetHashCode(StringComparison.Ordinal), seedIndex++)))
            {
                try { decode(input); }
                catch (Exception e)
                {
                    Assert.Fail($"{target}: {e.GetType().Name} on input {Convert.ToHexStringLower(input)}: {e.Message}");
                }
                runs++;
            }
        }
        Assert.That(runs, Is.GreaterThan(mutations), $"{target} ran");
    }

    [Test]
    public void Frames()
    {
        byte[] one = new byte[Frame.HeaderSize + 3];
        Frame.Write(one, 3, "abc"u8);
        Fuzz("frame", [one, [.. one, .. one], new byte[Frame.HeaderSize]], input =>
        {
            var buffer = new ReadOnlySequence<byte>(input);
            while (Frame.TryRead(ref buffer, 1024, out _, out ReadOnlySequence<byte> payload) == EngineStatus.Ok)
                Assert.That(payload.Length, Is.LessThanOrEqualTo(1024));
            _ = Frame.ErrorStatus(input);
        });
    }

    [Test]
    public void OnionPackets()
    {
        using var network = new OnionTestNetwork(PrimeOrderGroups.Bls12381G1);
        OnionNode relay = network.NodesByHandle[NodeHandle.Of("relay-1")];
        DateTimeOffset now = DateTimeOffset.UtcNow;
        using ClientLink link = OnionClient.BeginLink(network.Path(1), now.AddMinutes(5));
        // Setups cost four exponentiations each when well formed: fewer mutations.
        Fuzz("onion-setup", [link.Packet], input => relay.ProcessSetup(input, "client", now, out _), mutations: 400);
        byte[] data = new byte[1100];
        Fuzz("onion-data", [data, link.Packet], input =>
        {
            relay.ProcessData(input, now, out _, out _);
            relay.ProcessBackward(input, now, out _);
            relay.ProcessAck(input, now, out _);
        });
    }

    [Test]
    public void KgcFrames()
    {
        var parameters = new Engine.Onion.OnionParameters(PrimeOrderGroups.Bls12381G1);
        using var kgc = new KeyGenerationCenter(parameters);
        byte[] key = new byte[Enrolment.KeySize];
        using var secret = new CertificatelessSecretValue(parameters, "relay-1");
        using Enrolment.Request request = Enrolment.CreateRequest(secret, key);
        Fuzz("kgc-enrol", [request.Bytes], input => Enrolment.Answer(kgc, key, input, out _));
        byte[] directory = KgcDirectoryServer.EncodeDirectory(kgc.PublishNodeList(),
                                                              new Dictionary<string, System.Net.IPEndPoint> { ["relay-1"] = new(System.Net.IPAddress.Loopback, 7401) });
        Fuzz("kgc-directory", [directory], input =>
        {
            if (KgcDirectoryServer.DecodeDirectory(input, out byte[]? list, out _) == EngineStatus.Ok)
                PublicNodeList.Verify(parameters, list, kgc.ListSigningKey, kgc.MasterPublicKey, out _);
        });
        Fuzz("kgc-registration", [new byte[64], request.Bytes], input => Enrolment.ReadRegistration(input, key, DateTimeOffset.UtcNow, out _, out _, out _));
    }

    [Test]
    public void Regression_ADirectoryListLengthOf2To31Minus1_IsMalformed_NotAnException()
    {
        // Found by KgcFrames: 4 + length + 2 wrapped around in int arithmetic and the slice threw.
        byte[] input = Convert.FromHexString("7fffffff010a424c5331323338314731000107");
        Assert.That(KgcDirectoryServer.DecodeDirectory(input, out _, out _), Is.EqualTo(EngineStatus.Malformed));
    }

    [Test]
    public void TwoServerRequests()
    {
        PrimeOrderGroup group = PrimeOrderGroups.Bls12381G1;
        using SchnorrSigningKey k1 = SchnorrSigningKey.Generate(group), k2 = SchnorrSigningKey.Generate(group), user = SchnorrSigningKey.Generate(group);
        var node = new TwoServerNode(1, k1, k2.PublicKey, TwoServerParameters.ForBlockSize(64));
        byte[] challenge = TwoServerNode.NewChallenge();
        byte[] signature = new byte[SchnorrSignature.SizeInBytes(group)];
        byte[][] seeds =
        [
            new TwoServerWire.Writer().Name("alice").Blob(user.PublicKey).ToArray(),
            new TwoServerWire.Writer().Name("alice").Blob(user.PublicKey).Blob(signature).Blob(signature).ToArray(),
            new TwoServerWire.Writer().Name("alice").Name("g").Blob(signature).ToArray(),
            new TwoServerWire.Writer().Fixed(new byte[TwoServerWire.SessionIdSize]).Name("g").Int32(1).Name("alice").Byte(3).Fixed(new byte[3]).Blob(signature).ToArray(),
            new TwoServerWire.Writer().Int64(1).Fixed(new byte[TwoServerWire.SessionIdSize]).UInt64(7).Blob(new byte[2 * 195]).Blob(signature).ToArray(),
            new TwoServerWire.Writer().Int64(1).Name("g").Name("alice").Blob(signature).ToArray(),
        ];
        foreach (TwoServerMessageType type in Enum.GetValues<TwoServerMessageType>().Append((TwoServerMessageType)99))
            Fuzz($"two-server-{type}", seeds, input =>
            {
                node.Process(type, input, challenge, out _, out _);
            }, mutations: 300);
        Assert.That(node.Store.PendingUserCount, Is.LessThanOrEqualTo(node.Quotas.MaxPendingRegistrations));
    }

    [Test]
    public async Task IotRequests()
    {
        // Protocol 3's two servers in process: every message type (and an unknown one) gets every mutation of a
        // well-formed request of each kind; each must come back as an answer or a typed refusal, never an exception.
        using SchnorrSigningKey cloudKey = SchnorrSigningKey.Generate(IotAuthParameters.Group), ocSigning = SchnorrSigningKey.Generate(IotAuthParameters.Group);
        using HashedElGamalKey ocEncryption = HashedElGamalKey.Generate(IotAuthParameters.Group);
        var entry = new OperationCenterEntry("oc-1", ocSigning.PublicKey.ToArray(), ocEncryption.PublicKey.ToArray());
        var cloud = new CloudServer(TrustConfiguration.Default, cloudKey, [entry]);
        byte[] enrolment = new byte[32], admin = new byte[32];
        admin[0] = 1;
        using var oc = new OperationCenter(new OperationCenterOptions { Id = "oc-1" }, ocSigning, ocEncryption, TagKey.Generate(1), enrolment, admin,
                                           new InProcessIotConnection(cloud), cloudKey.PublicKey);
        using var device = new Device("sensor-1", SchnorrSigningKey.Generate(IotAuthParameters.Group), HashedElGamalKey.Generate(IotAuthParameters.Group),
                                      oc.Entry, cloudKey.PublicKey);
        AttributeValue[] attributes = [new("battery-percent", 90), new("uptime-hours", 360), new("packet-loss-percent", 2), new("firmware-age-days", 73)];
        byte[][] seeds =
        [
            device.EvaluateRequest(attributes),
            device.RegisterRequest(enrolment),
            device.TagRequest(7250),
            [IotWire.Version],
            new byte[IotAuthParameters.ProofSize + 40],
        ];
        foreach (IotMessageType type in Enum.GetValues<IotMessageType>().Append((IotMessageType)99))
        {
            IIotServerRole role = type is >= IotMessageType.Evaluate and <= IotMessageType.TrustAnswer ? cloud : oc;
            var failures = new List<string>();
            int runs = 0, seedIndex = 0;
            foreach (byte[] seed in seeds)
                foreach (byte[] input in Mutations(seed, 60, HashCode.Combine((int)type, seedIndex++)))
                {
                    try { await role.ProcessAsync(type, input); }
                    catch (Exception e) { failures.Add($"{type}: {e.GetType().Name} on {Convert.ToHexStringLower(input)}: {e.Message}"); }
                    runs++;
                }
            Assert.That(failures, Is.Empty);
            Assert.That(runs, Is.GreaterThan(300), $"{type} ran");
        }
    }

    [Test]
    public void Bls12381Encodings()
    {
        byte[] g1c = new byte[G1Affine.CompressedSizeInBytes], g1u = new byte[G1Affine.UncompressedSizeInBytes];
        G1Affine.Generator.EncodeCompressed(g1c);
        G1Affine.Generator.EncodeUncompressed(g1u);
        byte[] g2c = new byte[G2Affine.CompressedSizeInBytes], g2u = new byte[G2Affine.UncompressedSizeInBytes];
        G2Affine.Generator.EncodeCompressed(g2c);
        G2Affine.Generator.EncodeUncompressed(g2u);
        Fuzz("g1", [g1c, g1u], input => G1Affine.Decode(input, out _));
        Fuzz("g2", [g2c, g2u], input => G2Affine.Decode(input, out _), mutations: 600);
        Fuzz("eip2537-g1", [new byte[128]], input => Eip2537Encoding.DecodeG1(input, checkSubgroup: true, out _));
    }

    [Test]
    public void RevocationDecoders()
    {
        byte[] request = AccessRequest.Create("csp-a", "file-1", TimeProvider.System).Encode();
        byte[] versioned = [Engine.Revocation.RevocationParameters.Version, 0, 0, 0, 1, (byte)'a', 0, 0, 0, 0];
        byte[][] seeds = [request, versioned, new byte[200]];
        Fuzz("access-request", seeds, input => AccessRequest.Decode(input, out _));
        Fuzz("ring", seeds, input => Ring.Decode(input, out _));
        Fuzz("ring-public-key", seeds, input => RingPublicKey.Decode(input, out _));
        Fuzz("abe-header", seeds, input => AbeCiphertextHeader.Decode(input, out _, out _));
        Fuzz("key-update", seeds, input => KeyUpdate.Decode(input, out _));
        Fuzz("authority-public-key", seeds, input => AuthorityPublicKey.Decode(input, out _));
        Fuzz("ciphertext-update-key", seeds, input => CiphertextUpdateKey.Decode(input, out _));
        Fuzz("policy", [System.Text.Encoding.UTF8.GetBytes("(a@x AND b@x) OR 2 of (c@y, d@y, \"e f\"@z)")], input =>
        {
            try { Policy.Parse(new System.Text.UTF8Encoding(false, false).GetString(input)); }
            catch (PolicyException) { }                                      // the documented refusal, with its position
        });
    }
}
