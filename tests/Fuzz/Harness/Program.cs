using Engine.Hosting.Roles;
using System.Buffers;
using System.Text;
using Engine;
using Engine.Hosting.Framing;
using Engine.Hosting.Onion;
using Engine.IotAuth;
using Engine.IotAuth.Roles;
using Engine.IotAuth.Tags;
using Engine.IotAuth.Trust;
using Engine.IotAuth.Wire;
using Engine.Onion;
using Engine.Onion.Keys;
using Engine.Onion.Roles;
using Engine.Primitives.Encryption;
using Engine.Pairing.Groups;
using Engine.Primitives.Groups;
using Engine.Primitives.Schnorr;
using Engine.Revocation.Abe;
using Engine.Revocation.Access;
using Engine.Revocation.Policies;
using Engine.Revocation.Signatures;
using Engine.TwoServer;
using Engine.TwoServer.Roles;
using Engine.TwoServer.Wire;
using SharpFuzz;

// engine fuzz harness: `Engine.Fuzz TARGET` runs one target under afl-fuzz (SharpFuzz's persistent out-of-process
// loop); `Engine.Fuzz seeds DIR` writes each target's seed corpus. A target must answer every input with a status; any
// exception that escapes is a crash afl records (and tests/Fuzz turns into a regression test).
var targets = new Dictionary<string, (Action<byte[]> Run, Func<byte[][]> Seeds)>(StringComparer.Ordinal)
{
    ["frame"] = (input =>
    {
        var buffer = new ReadOnlySequence<byte>(input);
        while (Frame.TryRead(ref buffer, 1024, out _, out _) == EngineStatus.Ok) { }
        _ = Frame.ErrorStatus(input);
    }, () => { byte[] f = new byte[Frame.HeaderSize + 3]; Frame.Write(f, 3, "abc"u8); return [f]; }),
    ["kgc-directory"] = (input => KgcDirectoryServer.DecodeDirectory(input, out _, out _),
                         () => [KgcDirectoryServer.EncodeDirectory([1, 2, 3], new Dictionary<string, System.Net.IPEndPoint> { ["relay-1"] = new(System.Net.IPAddress.Loopback, 7401) })]),
    ["g1"] = (input => G1Affine.Decode(input, out _), () =>
    {
        byte[] c = new byte[G1Affine.CompressedSizeInBytes], u = new byte[G1Affine.UncompressedSizeInBytes];
        G1Affine.Generator.EncodeCompressed(c);
        G1Affine.Generator.EncodeUncompressed(u);
        return [c, u];
    }),
    ["g2"] = (input => G2Affine.Decode(input, out _), () =>
    {
        byte[] c = new byte[G2Affine.CompressedSizeInBytes];
        G2Affine.Generator.EncodeCompressed(c);
        return [c];
    }),
    ["two-server"] = (TwoServerRequest, () =>
    [
        [(byte)TwoServerMessageType.Register, .. new TwoServerWire.Writer().Name("alice").Blob(new byte[48]).ToArray()],
        [(byte)TwoServerMessageType.Join, .. new TwoServerWire.Writer().Name("alice").Name("g").Blob(new byte[80]).ToArray()],
    ]),
    ["access-request"] = (input => AccessRequest.Decode(input, out _), () => [AccessRequest.Create("csp", "file", TimeProvider.System).Encode()]),
    ["abe"] = (input =>
    {
        AbeCiphertextHeader.Decode(input, out _, out _);
        KeyUpdate.Decode(input, out _);
        Ring.Decode(input, out _);
        RingPublicKey.Decode(input, out _);
    }, () => [[Engine.Revocation.RevocationParameters.Version, 0, 0, 0, 1, (byte)'a']]),
    ["onion"] = (OnionPacket, () => [[0, .. Relay.Value.Setup], [1, .. new byte[1100]], [2, .. Relay.Value.Setup]]),
    ["iot"] = (IotRequest, IotSeeds),
    ["policy"] = (input =>
    {
        try { Policy.Parse(new UTF8Encoding(false, false).GetString(input)); }
        catch (PolicyException) { }
    }, () => [Encoding.UTF8.GetBytes("(a@x AND b@x) OR 2 of (c@y, d@y, \"e f\"@z)")]),
};

if (args is ["seeds", string dir])
{
    foreach ((string name, (_, Func<byte[][]> seeds)) in targets)
    {
        Directory.CreateDirectory(Path.Combine(dir, name));
        byte[][] all = seeds();
        for (int i = 0; i < all.Length; i++) File.WriteAllBytes(Path.Combine(dir, name, $"seed-{i}"), all[i]);
    }
    return 0;
}
if (args.Length != 1 || !targets.TryGetValue(args[0], out var target))
{
    Console.Error.WriteLine($"usage: Engine.Fuzz TARGET | seeds DIR   (targets: {string.Join(", ", targets.Keys)})");
    return 2;
}
Fuzzer.OutOfProcess.Run(stream =>
{
    using var copy = new MemoryStream();
    stream.CopyTo(copy);
    target.Run(copy.ToArray());
});
return 0;

static void TwoServerRequest(byte[] input)
{
    if (input.Length == 0) return;
    Node.Value.Process((TwoServerMessageType)input[0], input.AsSpan(1), Challenge, out _, out _);
}

// Byte 0 picks the relay's decoder: 0 setup (four exponentiations when well formed), 1 data, 2 ACK, 3 backward data.
static void OnionPacket(byte[] input)
{
    if (input.Length == 0) return;
    DateTimeOffset now = DateTimeOffset.UtcNow;
    OnionNode relay = Relay.Value.Node;
    ReadOnlySpan<byte> packet = input.AsSpan(1);
    _ = (input[0] & 3) switch
    {
        0 => relay.ProcessSetup(packet, "client", now, out _),
        1 => relay.ProcessData(packet, now, out _, out _),
        2 => relay.ProcessAck(packet, now, out _),
        _ => relay.ProcessBackward(packet, now, out _),
    };
}

// Byte 0 is the message type; Protocol 3's cloud-server types go to the CS, every other to the OC.
static void IotRequest(byte[] input)
{
    if (input.Length == 0) return;
    var type = (IotMessageType)input[0];
    IIotServerRole role = type is >= IotMessageType.Evaluate and <= IotMessageType.TrustAnswer ? Iot.Value.Cloud : Iot.Value.Oc;
    role.ProcessAsync(type, input.AsMemory(1)).AsTask().GetAwaiter().GetResult();
}

static byte[][] IotSeeds()
{
    using var device = new Device("sensor-1", SchnorrSigningKey.Generate(IotAuthParameters.Group), HashedElGamalKey.Generate(IotAuthParameters.Group),
                                  Iot.Value.Oc.Entry, Iot.Value.CloudKey.PublicKey);
    AttributeValue[] attributes = [new("battery-percent", 90), new("uptime-hours", 360), new("packet-loss-percent", 2), new("firmware-age-days", 73)];
    return
    [
        [(byte)IotMessageType.Evaluate, .. device.EvaluateRequest(attributes)],
        [(byte)IotMessageType.Register, .. device.RegisterRequest(Iot.Value.EnrolmentKey)],
        [(byte)IotMessageType.TagRequest, .. device.TagRequest(7250)],
        [(byte)IotMessageType.GetChallenge, IotWire.Version],
        [(byte)IotMessageType.Authenticate, .. new byte[IotAuthParameters.ProofSize + 40]],
    ];
}

static partial class Program
{
    // A relay of a one-relay network, and a well-formed setup packet for it.
    private static readonly Lazy<(OnionNode Node, byte[] Setup)> Relay = new(() =>
    {
        var parameters = new OnionParameters(PrimeOrderGroups.Bls12381G1);
        var kgc = new KeyGenerationCenter(parameters);
        OnionNode? relay = null;
        foreach (string id in new[] { "relay-1", "dest" })
        {
            var secret = new CertificatelessSecretValue(parameters, id);
            byte[] partial = new byte[kgc.PartialKeySizeInBytes];
            if (kgc.IssuePartialKey(id, secret.PublicValue, partial) != EngineStatus.Ok || secret.Complete(partial, kgc.MasterPublicKey, out CertificatelessPrivateKey? key) != EngineStatus.Ok)
                throw new InvalidOperationException("enrolment failed");
            relay ??= new OnionNode(key!);
        }
        if (PublicNodeList.Verify(parameters, kgc.PublishNodeList(), kgc.ListSigningKey, kgc.MasterPublicKey, out var keys) != EngineStatus.Ok) throw new InvalidOperationException("list");
        ClientLink link = OnionClient.BeginLink([keys.Single(k => k.Id == "relay-1"), keys.Single(k => k.Id == "dest")], DateTimeOffset.UtcNow.AddDays(1));
        return (relay!, link.Packet);
    });

    // Protocol 3's operation centre and cloud server, in process, for the whole run.
    private static readonly Lazy<(OperationCenter Oc, CloudServer Cloud, SchnorrSigningKey CloudKey, byte[] EnrolmentKey)> Iot = new(() =>
    {
        SchnorrSigningKey cloudKey = SchnorrSigningKey.Generate(IotAuthParameters.Group);
        SchnorrSigningKey ocSigning = SchnorrSigningKey.Generate(IotAuthParameters.Group);
        HashedElGamalKey ocEncryption = HashedElGamalKey.Generate(IotAuthParameters.Group);
        var entry = new OperationCenterEntry("oc-1", ocSigning.PublicKey.ToArray(), ocEncryption.PublicKey.ToArray());
        var cloud = new CloudServer(TrustConfiguration.Default, cloudKey, [entry]);
        byte[] enrolment = new byte[32], admin = new byte[32];
        admin[0] = 1;
        var oc = new OperationCenter(new OperationCenterOptions { Id = "oc-1" }, ocSigning, ocEncryption, TagKey.Generate(1), enrolment, admin,
                                     new InProcessIotConnection(cloud), cloudKey.PublicKey);
        return (oc, cloud, cloudKey, enrolment);
    });

    private static readonly byte[] Challenge = TwoServerNode.NewChallenge();

    // One node for the whole run (afl's persistent loop): its store grows by at most the quotas.
    private static readonly Lazy<TwoServerNode> Node = new(() =>
    {
        PrimeOrderGroup group = PrimeOrderGroups.Bls12381G1;
        return new TwoServerNode(1, SchnorrSigningKey.Generate(group), SchnorrSigningKey.Generate(group).PublicKey, TwoServerParameters.ForBlockSize(64));
    });
}
