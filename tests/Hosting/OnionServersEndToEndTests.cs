using System.Net;
using System.Text;
using Engine.Hosting.Framing;
using Engine.Hosting.Onion;
using Engine.Onion.Roles;
using Engine.Onion.Setup;
using Engine.Primitives.Groups;
using Engine.Tests.Onion;
using NUnit.Framework;

namespace Engine.Tests.Hosting;

/// <summary>SPEC.md §1.4 over real loopback sockets: Kestrel relay and destination servers, a TCP client.</summary>
[TestFixture, Category("EndToEnd"), NonParallelizable]
public sealed class OnionServersEndToEndTests
{
    private static async Task<(OnionTestNetwork Network, List<OnionNodeServer> Servers, Dictionary<string, IPEndPoint> Directory)> StartAsync(PrimeOrderGroup group)
    {
        var network = new OnionTestNetwork(group);
        var directory = new Dictionary<string, IPEndPoint>();
        var servers = new List<OnionNodeServer>();
        foreach ((string handle, OnionNode node) in network.NodesByHandle)
        {
            bool isDestination = handle == NodeHandle.Of("dest");
            var server = new OnionNodeServer(node, directory, isDestination ? m => Encoding.UTF8.GetBytes("echo: " + Encoding.UTF8.GetString(m)) : null);
            await server.StartAsync();
            directory[handle] = server.EndPoint!;
            servers.Add(server);
        }
        return (network, servers, directory);
    }

    private static async Task StopAsync(OnionTestNetwork network, List<OnionNodeServer> servers)
    {
        foreach (OnionNodeServer s in servers) await s.DisposeAsync();
        network.Dispose();
    }

    [TestCase(1), TestCase(2), TestCase(3), TestCase(4), TestCase(5), TestCase(6), TestCase(7), TestCase(8)]
    public async Task LinksCarryMessagesBothWays_OverLoopback(int relays)
    {
        (OnionTestNetwork network, List<OnionNodeServer> servers, Dictionary<string, IPEndPoint> directory) = await StartAsync(PrimeOrderGroups.Bls12381G1);
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await using OnionTcpClient client = await OnionTcpClient.ConnectAsync(directory[NodeHandle.Of("relay-1")], timeout.Token);
            using ClientLink link = OnionClient.BeginLink(network.Path(relays), DateTimeOffset.UtcNow.AddMinutes(5));
            Assert.That(await client.EstablishAsync(link, timeout.Token), Is.EqualTo(EngineStatus.Ok));
            foreach (bool reencrypt in new[] { false, true })
            {
                (EngineStatus status, byte[]? reply) = await client.RequestAsync(link, Encoding.UTF8.GetBytes($"hello {reencrypt}"), reencrypt, timeout.Token);
                Assert.That(status, Is.EqualTo(EngineStatus.Ok));
                Assert.That(Encoding.UTF8.GetString(reply!), Is.EqualTo($"echo: hello {reencrypt}"));
            }
        }
        finally
        {
            await StopAsync(network, servers);
        }
    }

    [Test, Category("Malformed")]
    public async Task HostileFrames_AreRefusedWithATypedReason()
    {
        (OnionTestNetwork network, List<OnionNodeServer> servers, Dictionary<string, IPEndPoint> directory) = await StartAsync(PrimeOrderGroups.Bls12381G1);
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            IPEndPoint first = directory[NodeHandle.Of("relay-1")];
            await using OnionTcpClient client = await OnionTcpClient.ConnectAsync(first, timeout.Token);
            using ClientLink link = OnionClient.BeginLink(network.Path(2), DateTimeOffset.UtcNow.AddMinutes(5));

            byte[] garbage = new byte[link.Packet.Length];
            new Random(5).NextBytes(garbage);
            await client.SendRawAsync(OnionFrameType.Setup, garbage);
            (byte type, byte[] payload) = await client.ReceiveRawAsync(timeout.Token);
            Assert.That((OnionFrameType)type, Is.EqualTo(OnionFrameType.Error));
            Assert.That((EngineStatus)payload[0], Is.Not.EqualTo(EngineStatus.Ok));

            await client.SendRawAsync(OnionFrameType.Setup, link.Packet.AsSpan(1).ToArray());
            (type, payload) = await client.ReceiveRawAsync(timeout.Token);
            Assert.That((EngineStatus)payload[0], Is.EqualTo(EngineStatus.BadLength));

            await client.SendRawAsync((OnionFrameType)99, [1, 2, 3]);
            (type, payload) = await client.ReceiveRawAsync(timeout.Token);
            Assert.That((EngineStatus)payload[0], Is.EqualTo(EngineStatus.UnknownMessageType));

            // The genuine link still works on the same connection, and a replayed data packet is refused.
            Assert.That(await client.EstablishAsync(link, timeout.Token), Is.EqualTo(EngineStatus.Ok));
            byte[] packet = link.SealForward("once"u8, DateTimeOffset.UtcNow.AddMinutes(1));
            await client.SendRawAsync(OnionFrameType.Data, packet);
            (type, _) = await client.ReceiveRawAsync(timeout.Token);
            Assert.That((OnionFrameType)type, Is.EqualTo(OnionFrameType.Backward));
            await client.SendRawAsync(OnionFrameType.Data, packet);
            (type, payload) = await client.ReceiveRawAsync(timeout.Token);
            Assert.That((OnionFrameType)type, Is.EqualTo(OnionFrameType.Error));
            Assert.That((EngineStatus)payload[0], Is.EqualTo(EngineStatus.Replay));
            Assert.That(servers.Sum(s => s.Refusals.Values.Sum()), Is.GreaterThanOrEqualTo(4));
        }
        finally
        {
            await StopAsync(network, servers);
        }
    }

    [Test, Category("Malformed")]
    public async Task ADeadNextHop_IsUnreachable_AndDialledAfresh_WhenItComesBack()
    {
        (OnionTestNetwork network, List<OnionNodeServer> servers, Dictionary<string, IPEndPoint> directory) = await StartAsync(PrimeOrderGroups.Bls12381G1);
        string second = NodeHandle.Of("relay-2");
        OnionNodeServer? revived = null;
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            async Task<EngineStatus> SetupAsync()
            {
                await using OnionTcpClient client = await OnionTcpClient.ConnectAsync(directory[NodeHandle.Of("relay-1")], timeout.Token);
                using ClientLink link = OnionClient.BeginLink(network.Path(2), DateTimeOffset.UtcNow.AddMinutes(5));
                return await client.EstablishAsync(link, timeout.Token);
            }
            Assert.That(await SetupAsync(), Is.EqualTo(EngineStatus.Ok), "relay-1 now holds a connection to relay-2");

            OnionNodeServer dead = servers.Single(x => x.EndPoint!.Equals(directory[second]));
            await dead.DisposeAsync();
            servers.Remove(dead);
            EngineStatus whileDead = EngineStatus.Ok;
            for (int i = 0; i < 50 && whileDead == EngineStatus.Ok; i++) { whileDead = await SetupAsync(); if (whileDead == EngineStatus.Ok) await Task.Delay(100); }
            Assert.That(whileDead, Is.EqualTo(EngineStatus.Unreachable), "the client hears Unreachable instead of hanging");

            revived = new OnionNodeServer(network.NodesByHandle[second], directory);
            await revived.StartAsync();
            directory[second] = revived.EndPoint!;
            Assert.That(await SetupAsync(), Is.EqualTo(EngineStatus.Ok), "the dead connection left relay-1's cache: the next setup dials the new endpoint");
        }
        finally
        {
            if (revived is not null) await revived.DisposeAsync();
            await StopAsync(network, servers);
        }
    }

    [Test, Category("Malformed")]
    public void Frame_RefusesOversizedAndEmptyFrames()
    {
        var tooBig = new System.Buffers.ReadOnlySequence<byte>(new byte[] { 0x7f, 0xff, 0xff, 0xff, 1 });
        Assert.That(Frame.TryRead(ref tooBig, 1024, out _, out _), Is.EqualTo(EngineStatus.FrameTooLarge));
        var empty = new System.Buffers.ReadOnlySequence<byte>(new byte[] { 0, 0, 0, 0, 1 });
        Assert.That(Frame.TryRead(ref empty, 1024, out _, out _), Is.EqualTo(EngineStatus.Malformed));
        var partial = new System.Buffers.ReadOnlySequence<byte>(new byte[] { 0, 0, 0, 9, 1, 2 });
        Assert.That(Frame.TryRead(ref partial, 1024, out _, out _), Is.EqualTo(EngineStatus.DestinationTooSmall));
        var writer = new System.Buffers.ArrayBufferWriter<byte>();
        Frame.Write(writer, 3, "abc"u8);
        var whole = new System.Buffers.ReadOnlySequence<byte>(writer.WrittenMemory);
        Assert.That(Frame.TryRead(ref whole, 1024, out byte type, out var body), Is.EqualTo(EngineStatus.Ok));
        Assert.That(type, Is.EqualTo(3));
        Assert.That(System.Buffers.BuffersExtensions.ToArray(body), Is.EqualTo("abc"u8.ToArray()));
        Assert.That(whole.Length, Is.Zero);
    }
}
