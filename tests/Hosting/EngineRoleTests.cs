using System.Buffers;
using Engine.Hosting;
using Engine.Hosting.Framing;
using Engine.Hosting.Roles;
using Engine.Onion;
using Engine.Onion.Roles;
using Engine.Onion.Setup;
using Engine.Primitives.Groups;
using Engine.Primitives.Schnorr;
using Engine.Tests.Onion;
using Engine.TwoServer;
using Engine.TwoServer.Roles;
using Engine.TwoServer.Wire;
using NUnit.Framework;

namespace Engine.Tests.Hosting;

/// <summary>
/// The role contract (issue #14) on the adapters themselves; the protocol suites run through it too, since every
/// in-process connection (<see cref="InProcessConnection"/>, <see cref="InProcessIotConnection"/>,
/// <see cref="InProcessRevocationConnection"/>) sends its requests through <see cref="IEngineRole.ProcessAsync"/>.
/// </summary>
[TestFixture, NonParallelizable]
public sealed class EngineRoleTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 1, 0, 0, TimeSpan.Zero);

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    [Test]
    public async Task OnionRelay_ABatchOfSetups_SharesTheHostsBatches_AndRoutesLikeTheNode()
    {
        using var network = new OnionTestNetwork(PrimeOrderGroups.Modp2048Q256);
        using var host = new EngineHost(new EngineHostOptions { Batching = new() { MaxBatch = 16, MaxDelay = TimeSpan.FromMilliseconds(20), Workers = 1 } });
        using OnionNode relay = host.CreateOnionNode(network.PrivateKey("relay-1"));
        var role = new OnionNodeRole(relay, new FixedClock(Now));
        var connection = new RoleConnection("client");
        Assert.That(role.Open(connection, new ArrayBufferWriter<byte>()), Is.Zero, "an onion node sends no greeting");

        var requests = Enumerable.Range(0, 8).Select(_ => ((byte)OnionFrameType.Setup, (ReadOnlyMemory<byte>)OnionClient.BeginLink(network.Path(2), Now.AddMinutes(10)).Packet)).ToList();
        var responses = requests.Select(_ => new ArrayBufferWriter<byte>()).ToList();
        RoleReply[] replies = await role.ProcessBatchAsync(connection, requests, responses);

        // The node itself, unbatched, on a fresh packet: the route and size the role must report.
        OnionNode direct = network.NodesByHandle[NodeHandle.Of("relay-1")];
        Assert.That(direct.ProcessSetup(OnionClient.BeginLink(network.Path(2), Now.AddMinutes(10)).Packet, "client", Now, out Outgoing expected), Is.EqualTo(EngineStatus.Ok));
        for (int i = 0; i < replies.Length; i++)
        {
            Assert.That(replies[i].Status, Is.EqualTo(EngineStatus.Ok), $"setup {i}");
            Assert.That(replies[i].Type, Is.EqualTo((byte)OnionFrameType.Setup), "forwarded as a setup");
            Assert.That(replies[i].Route, Is.EqualTo(expected.Destination), "to the next hop");
            Assert.That(responses[i].WrittenCount, Is.EqualTo(expected.Packet.Length));
        }
        (long batches, long items) = host.BatchCounts;
        Assert.That(items, Is.GreaterThanOrEqualTo(16), "two exponentiations per setup went through the host's scheduler");
        Assert.That(batches, Is.LessThan(items), "and they were batched together");
    }

    [Test]
    public void OnionRelay_RefusesWithAnErrorReply_AndUnknownTypes()
    {
        using var network = new OnionTestNetwork(PrimeOrderGroups.Modp2048Q256);
        var role = new OnionNodeRole(network.NodesByHandle[NodeHandle.Of("relay-1")], new FixedClock(Now));
        var connection = new RoleConnection("client");
        var response = new ArrayBufferWriter<byte>();
        RoleReply reply = role.Process(connection, (byte)OnionFrameType.Setup, new byte[10], response);
        Assert.That(reply, Is.EqualTo(new RoleReply(EngineStatus.BadLength, (byte)OnionFrameType.Error)));
        Assert.That(response.WrittenSpan.ToArray(), Is.EqualTo(new[] { (byte)EngineStatus.BadLength }));

        response.ResetWrittenCount();
        Assert.That(role.Process(connection, 77, [1, 2, 3], response).Status, Is.EqualTo(EngineStatus.UnknownMessageType));
        Assert.That(relay(network).LinkCount, Is.Zero, "refusals leave no state");

        static OnionNode relay(OnionTestNetwork n) => n.NodesByHandle[NodeHandle.Of("relay-1")];
    }

    [Test]
    public void TwoServer_EachConnectionGetsItsOwnChallenge_AndSignedRequestsAreBoundToIt()
    {
        PrimeOrderGroup group = PrimeOrderGroups.Bls12381G1;
        using SchnorrSigningKey k1 = SchnorrSigningKey.Generate(group), k2 = SchnorrSigningKey.Generate(group);
        var role = new TwoServerRole(new TwoServerNode(1, k1, k2.PublicKey, TwoServerParameters.ForBlockSize(64)));
        RoleConnection a = new(), b = new();
        var greetingA = new ArrayBufferWriter<byte>();
        Assert.That(role.Open(a, greetingA), Is.EqualTo((byte)TwoServerMessageType.Hello));
        role.Open(b, new ArrayBufferWriter<byte>());
        Assert.That(a.Challenge.Length, Is.EqualTo(TwoServerWire.ChallengeSize));
        Assert.That(a.Challenge.ToArray(), Is.Not.EqualTo(b.Challenge.ToArray()), "fresh per connection");
        var hello = TwoServerWire.Reader(greetingA.WrittenSpan);
        Assert.That(hello.Byte(), Is.EqualTo(1), "server index");
        Assert.That(hello.Fixed(TwoServerWire.ChallengeSize).ToArray(), Is.EqualTo(a.Challenge.ToArray()), "the Hello carries the challenge");

        var response = new ArrayBufferWriter<byte>();
        RoleReply reply = role.Process(a, (byte)TwoServerMessageType.GetRound, new TwoServerWire.Writer().ToArray(), response);
        Assert.That(reply, Is.EqualTo(new RoleReply(EngineStatus.Ok, (byte)TwoServerMessageType.Round)));
        response.ResetWrittenCount();
        Assert.That(role.Process(a, 250, new TwoServerWire.Writer().Name("x").ToArray(), response).Type, Is.EqualTo((byte)TwoServerMessageType.Error));
    }

    [Test]
    public void Kgc_ServesTheDirectory_AndRefusesUnenrolledRegistrationsAndUnknownTypes()
    {
        using var network = new OnionTestNetwork(PrimeOrderGroups.Modp2048Q256);
        byte[] enrolmentKey = new byte[Engine.Onion.Keys.Enrolment.KeySize];
        using var role = new KgcRole(network.Kgc, enrolmentKey);
        var connection = new RoleConnection("node") { RemoteAddress = System.Net.IPAddress.Parse("10.0.0.7") };
        Assert.That(role.Open(connection, new ArrayBufferWriter<byte>()), Is.Zero, "no greeting");
        var response = new ArrayBufferWriter<byte>();

        Assert.That(role.Process(connection, (byte)Engine.Hosting.Onion.KgcFrameType.GetDirectory, [], response),
                    Is.EqualTo(new RoleReply(EngineStatus.Ok, (byte)Engine.Hosting.Onion.KgcFrameType.Directory)));
        Assert.That(Engine.Hosting.Onion.KgcDirectoryServer.DecodeDirectory(response.WrittenSpan, out byte[]? list, out var endpoints), Is.EqualTo(EngineStatus.Ok));
        Assert.That(list, Is.EqualTo(network.Kgc.PublishNodeList()), "the signed node list");
        Assert.That(endpoints, Is.Empty, "no node has registered");

        // relay-1 is enrolled: its registration is recorded at the connection's address; "ghost" is not.
        response.ResetWrittenCount();
        byte[] registration = Engine.Onion.Keys.Enrolment.CreateRegistration("relay-1", 7401, enrolmentKey, DateTimeOffset.UtcNow);
        Assert.That(role.Process(connection, (byte)Engine.Hosting.Onion.KgcFrameType.Register, registration, response).Status, Is.EqualTo(EngineStatus.Ok));
        Assert.That(role.Endpoints["relay-1"], Is.EqualTo(new System.Net.IPEndPoint(System.Net.IPAddress.Parse("10.0.0.7"), 7401)));
        response.ResetWrittenCount();
        Assert.That(role.Process(connection, (byte)Engine.Hosting.Onion.KgcFrameType.Register, registration, response),
                    Is.EqualTo(new RoleReply(EngineStatus.Replay, (byte)Engine.Hosting.Onion.KgcFrameType.Error)), "the same registration again");
        response.ResetWrittenCount();
        byte[] ghost = Engine.Onion.Keys.Enrolment.CreateRegistration("ghost", 7402, enrolmentKey, DateTimeOffset.UtcNow);
        Assert.That(role.Process(connection, (byte)Engine.Hosting.Onion.KgcFrameType.Register, ghost, response).Status, Is.EqualTo(EngineStatus.NotFound));
        Assert.That(response.WrittenSpan.ToArray(), Is.EqualTo(new[] { (byte)EngineStatus.NotFound }), "the Error frame carries the status");
        response.ResetWrittenCount();
        Assert.That(role.Process(connection, 99, [1], response).Status, Is.EqualTo(EngineStatus.UnknownMessageType));
        Assert.That(role.Endpoints.Keys, Is.EqualTo(new[] { "relay-1" }), "refusals left no state");
    }
}
