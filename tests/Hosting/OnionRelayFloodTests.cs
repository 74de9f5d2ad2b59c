using System.Net;
using System.Text;
using Engine.Hosting.Framing;
using Engine.Hosting.Onion;
using Engine.Hosting.Roles;
using Engine.Onion.Roles;
using Engine.Onion.Setup;
using Engine.Primitives.Groups;
using Engine.Tests.Onion;
using NUnit.Framework;

namespace Engine.Tests.Hosting;

/// <summary>
/// A relay on the shared <see cref="RoleServer"/> with routing, under hostile clients on connections that never read
/// what comes back: a flood of garbage setups is refused and counted, one by one; a flood of well-formed setups (each
/// costs the relay its exponentiations, the protocol's price) waits in the host's batches within the pipelined bound;
/// and an honest client's link and messages go through meanwhile.
/// </summary>
[TestFixture, Category("EndToEnd"), NonParallelizable]
public sealed class OnionRelayFloodTests
{
    [Test]
    public async Task GarbageSetupsAreRefused_WellFormedOnesStayWithinTheBound_WhileAnHonestLinkWorks()
    {
        using var network = new OnionTestNetwork(PrimeOrderGroups.Bls12381G1);
        var directory = new Dictionary<string, IPEndPoint>();
        var servers = new List<OnionNodeServer>();
        string first = NodeHandle.Of("relay-1");
        const int maxInFlight = 4;
        RoleServer? relay = null;
        var floods = new List<FrameConnection>();
        try
        {
            foreach ((string handle, OnionNode node) in network.NodesByHandle)
            {
                if (handle == first) continue;
                var server = new OnionNodeServer(node, directory, handle == NodeHandle.Of("dest") ? m => [.. "echo: "u8, .. m] : null);
                await server.StartAsync();
                directory[handle] = server.EndPoint!;
                servers.Add(server);
            }
            // The relay's exponentiations go through the host's batches, so pipelined setups really wait in flight.
            using var host = new Engine.Hosting.EngineHost();
            OnionNode relayNode = host.CreateOnionNode(network.PrivateKey("relay-1"), 1000);
            relay = new RoleServer(new OnionNodeRole(relayNode), OnionNodeServer.MaxFrameBytes)
            {
                Limits = OnionNodeServer.DefaultLimits,
                Routing = new RoleRouting { Resolve = h => directory.TryGetValue(h, out IPEndPoint? e) ? e : null, MaxInFlight = maxInFlight },
            };
            await relay.StartAsync();
            directory[first] = relay.EndPoint!;

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
            int setupSize;
            using (ClientLink probe = OnionClient.BeginLink(network.Path(2), DateTimeOffset.UtcNow.AddMinutes(5))) setupSize = probe.Packet.Length;
            const int connections = 6, perConnection = 40, wellFormed = 3 * 40;
            var random = new Random(17);
            for (int c = 0; c < connections; c++)
            {
                FrameConnection flood = await FrameConnection.ConnectAsync(relay.EndPoint!, OnionNodeServer.MaxFrameBytes, timeout.Token);
                floods.Add(flood);
                for (int i = 0; i < perConnection; i++)
                {
                    byte[] garbage = new byte[setupSize];
                    random.NextBytes(garbage);
                    await flood.SendAsync((byte)OnionFrameType.Setup, garbage, timeout.Token);   // never reads the refusals
                }
            }
            // Well-formed setups of 120 links relay-1 → dest on three more connections that never read their ACKs.
            var links = Enumerable.Range(0, wellFormed).Select(_ => OnionClient.BeginLink(network.Path(1), DateTimeOffset.UtcNow.AddMinutes(5))).ToList();
            for (int c = 0; c < 3; c++)
            {
                FrameConnection flood = await FrameConnection.ConnectAsync(relay.EndPoint!, OnionNodeServer.MaxFrameBytes, timeout.Token);
                floods.Add(flood);
                for (int i = c; i < wellFormed; i += 3) await flood.SendAsync((byte)OnionFrameType.Setup, links[i].Packet, timeout.Token);
            }
            foreach (ClientLink l in links) l.Dispose();

            // Meanwhile an honest sender sets up a three-relay link through the flooded relay and is answered.
            await using (OnionTcpClient honest = await OnionTcpClient.ConnectAsync(relay.EndPoint!, timeout.Token))
            {
                using ClientLink link = OnionClient.BeginLink(network.Path(3), DateTimeOffset.UtcNow.AddMinutes(5));
                Assert.That(await honest.EstablishAsync(link, timeout.Token), Is.EqualTo(EngineStatus.Ok));
                (EngineStatus status, byte[]? reply) = await honest.RequestAsync(link, "still served"u8.ToArray(), cancellationToken: timeout.Token);
                Assert.That((status, Encoding.UTF8.GetString(reply ?? [])), Is.EqualTo((EngineStatus.Ok, "echo: still served")));
            }

            while (relay.Counts.Refusals < connections * perConnection && !timeout.IsCancellationRequested) await Task.Delay(20);
            TestContext.Out.WriteLine($"refusals {relay.Counts.Refusals}, by status {string.Join(", ", relay.RefusalsByStatus.Select(p => $"{p.Key}: {p.Value}"))}; peak in flight {relay.PeakPipelinedInFlight}");
            Assert.That(relay.Counts.Refusals, Is.EqualTo(connections * perConnection), "every garbage setup refused, and only those");
            while (relayNode.LinkCount < wellFormed + 1 && !timeout.IsCancellationRequested) await Task.Delay(20);
            Assert.That(relayNode.LinkCount, Is.EqualTo(wellFormed + 1), "every well-formed link and the honest one, none of the garbage");
            Assert.That(relay.PeakPipelinedInFlight, Is.InRange(2, maxInFlight), "setups waited in the batches together, never more than the bound");
        }
        finally
        {
            foreach (FrameConnection f in floods) await f.DisposeAsync();
            if (relay is not null) await relay.DisposeAsync();
            foreach (OnionNodeServer s in servers) await s.DisposeAsync();
        }
    }
}
