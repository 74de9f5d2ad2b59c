using System.Buffers;
using Engine.Hosting.Roles;
using Engine.IotAuth.Wire;
using Engine.Onion.Roles;
using Engine.Onion.Setup;
using Engine.Primitives.Aead;
using Engine.Primitives.Groups;
using Engine.Primitives.Schnorr;
using Engine.Revocation.Wire;
using Engine.Tests.IotAuth;
using Engine.Tests.Onion;
using Engine.Tests.Revocation;
using Engine.TwoServer;
using Engine.TwoServer.Roles;
using Engine.TwoServer.Wire;
using Engine.Hosting.Framing;
using NUnit.Framework;

namespace Engine.Tests.Hosting;

/// <summary>
/// What the request path of each role allocates under the role contract (issue #14), measured with
/// <see cref="GC.GetAllocatedBytesForCurrentThread"/> around steady-state calls that write into one reused buffer.
/// </summary>
[TestFixture, Category("Allocation"), NonParallelizable]
public sealed class RoleAllocationTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 1, 0, 0, TimeSpan.Zero);

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    /// <summary>Bytes allocated per call of <paramref name="call"/> (indexed 0…n−1) after two warm-up calls.</summary>
    private static double BytesPerCall(Action<int> call, int calls)
    {
        call(0); call(1);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 2; i < calls; i++) call(i);
        return (GC.GetAllocatedBytesForCurrentThread() - before) / (double)(calls - 2);
    }

    [Test]
    public void OnionRole_ForwardsBackwardsAndDeliversDataPackets_AllocatingNothing()
    {
        if (!AesCtr.UsesAesNi) Assert.Ignore("Without AES-NI the keystream goes through .NET's Aes, which allocates per call.");
        using var network = new OnionTestNetwork(PrimeOrderGroups.Bls12381G1);
        using ClientLink link = OnionClient.BeginLink(network.Path(2), Now.AddMinutes(10));
        Assert.That(network.Run(link, Now).Status, Is.EqualTo(EngineStatus.Ok));
        OnionNode relay1 = network.NodesByHandle[NodeHandle.Of("relay-1")], relay2 = network.NodesByHandle[NodeHandle.Of("relay-2")];
        OnionNode dest = network.NodesByHandle[NodeHandle.Of("dest")];
        var clock = new FixedClock(Now);
        var relayRole = new OnionNodeRole(relay1, clock);
        var destRole = new OnionNodeRole(dest, clock);
        var connection = new RoleConnection("client");
        var response = new ArrayBufferWriter<byte>(4096);

        const int count = 40;
        byte[][] forward = Enumerable.Range(0, count).Select(i => link.SealForward(new byte[256], Now.AddMinutes(1), reencryptPerHop: true)).ToArray();
        // The same packets as the destination receives them: through relay-1 and relay-2 (the copying API), then a fresh link for the relay.
        byte[][] atDestination = forward.Select(p =>
        {
            Assert.That(relay1.ProcessData(p, Now, out Outgoing o1, out _), Is.EqualTo(EngineStatus.Ok));
            Assert.That(relay2.ProcessData(o1.Packet, Now, out Outgoing o2, out _), Is.EqualTo(EngineStatus.Ok));
            return o2.Packet;
        }).ToArray();
        byte[][] atRelay = Enumerable.Range(0, count).Select(i => link.SealForward(new byte[256], Now.AddMinutes(1), reencryptPerHop: true)).ToArray();
        string destLinkId = relay2.FindByInLink(relay1.FindByInLink(link.FirstLinkId)!.OutLinkId!)!.OutLinkId!;
        byte[][] backward = Enumerable.Range(0, count).Select(_ => dest.CreateBackward(destLinkId, new byte[256], Now.AddMinutes(1)).Packet).ToArray();
        foreach (byte[] p in backward) Assert.That(relay2.ProcessBackward(p.AsSpan(), Now, out DataRoute _), Is.EqualTo(EngineStatus.Ok));

        int ok = 0;
        void Call(OnionNodeRole role, OnionFrameType type, byte[] packet)
        {
            response.ResetWrittenCount();
            if (role.Process(connection, (byte)type, packet, response).Status == EngineStatus.Ok) ok++;
        }
        double forwarded = BytesPerCall(i => Call(relayRole, OnionFrameType.Data, atRelay[i]), count);
        double delivered = BytesPerCall(i => Call(destRole, OnionFrameType.Data, atDestination[i]), count);
        double backwards = BytesPerCall(i => Call(relayRole, OnionFrameType.Backward, backward[i]), count);
        TestContext.Out.WriteLine($"bytes per request: forward {forwarded}, deliver {delivered}, backward {backwards}");
        Assert.That(ok, Is.EqualTo(3 * count), "every packet was accepted");
        Assert.That(response.WrittenCount, Is.GreaterThan(256), "the last answer is the relayed packet");
        Assert.That((forwarded, delivered, backwards), Is.EqualTo((0.0, 0.0, 0.0)), "bytes allocated per data packet: forward, deliver, backward");
    }

    [Test]
    public void TwoServerRole_RoundPollsAndRefusals_AllocateNothing()
    {
        PrimeOrderGroup group = PrimeOrderGroups.Bls12381G1;
        using SchnorrSigningKey k1 = SchnorrSigningKey.Generate(group), k2 = SchnorrSigningKey.Generate(group);
        var role = new TwoServerRole(new TwoServerNode(1, k1, k2.PublicKey, TwoServerParameters.ForBlockSize(64)));
        var connection = new RoleConnection();
        role.Open(connection, new ArrayBufferWriter<byte>());
        var response = new ArrayBufferWriter<byte>(256);
        byte[] getRound = [TwoServerWire.Version], badVersion = [99, 1, 2], unknownSession = new TwoServerWire.Writer().Int64(1).Fixed(new byte[TwoServerWire.SessionIdSize]).UInt64(7)
            .Blob(new byte[2 * TwoServerParameters.ForBlockSize(64).RecordSize]).Blob(new byte[96]).ToArray();
        var requests = new (TwoServerMessageType Type, byte[] Payload, EngineStatus Expected)[]
        {
            (TwoServerMessageType.GetRound, getRound, EngineStatus.Ok),
            ((TwoServerMessageType)200, getRound, EngineStatus.UnknownMessageType),
            (TwoServerMessageType.Upload, badVersion, EngineStatus.UnsupportedVersion),
            (TwoServerMessageType.Upload, unknownSession, EngineStatus.NotFound),
        };
        foreach (var (type, payload, expected) in requests)
        {
            int wrong = 0;
            double bytes = BytesPerCall(_ =>
            {
                response.ResetWrittenCount();
                if (role.Process(connection, (byte)type, payload, response).Status != expected) wrong++;
            }, 50);
            TestContext.Out.WriteLine($"{type} ({expected}): {bytes} bytes per request");
            Assert.That(wrong, Is.Zero, $"{type} answered {expected}");
            Assert.That(bytes, Is.Zero, $"bytes allocated per {type} answered {expected}");
        }
    }

    /// <summary>
    /// Protocols 3 and 4 still build each answer as an array (their roles return byte[] payloads), so a refusal costs a
    /// few hundred bytes (400–512 measured on 2026-12-03); this bounds it, so a flood of bad requests stays cheap.
    /// </summary>
    [Test]
    public async Task IotAndRevocationRoles_Refusals_StayUnderAKilobytePerRequest()
    {
        await using var iot = new IotNetwork();
        await using var abe = new RevocationRolesTests.Network();
        var roles = new (IEngineRole Role, byte Type, byte[] Payload)[]
        {
            (new IotRole("iot-oc", iot.Oc), (byte)IotMessageType.Authenticate, [1, 2, 3]),
            (new IotRole("iot-cs", iot.Cloud), 250, [1]),
            (new RevocationRole("source-csp", abe.Source), (byte)RevocationMessageType.Authenticate, [1, 2, 3]),
            (new RevocationRole("accepting-csp", abe.Accepting), 250, [1]),
        };
        var response = new ArrayBufferWriter<byte>(256);
        foreach (var (role, type, payload) in roles)
        {
            var connection = new RoleConnection();
            role.Open(connection, new ArrayBufferWriter<byte>());
            int accepted = 0;
            double bytes = BytesPerCall(_ =>
            {
                response.ResetWrittenCount();
                if (role.Process(connection, type, payload, response).Status == EngineStatus.Ok) accepted++;
            }, 50);
            TestContext.Out.WriteLine($"{role.Name} type {type}: {bytes} bytes per refusal");
            Assert.That(accepted, Is.Zero, "every request refused");
            Assert.That(bytes, Is.LessThanOrEqualTo(1024), $"bytes allocated per refusal at {role.Name}");
        }
    }
}
