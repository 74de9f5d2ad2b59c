using System.Net;
using Engine.Hosting;
using Engine.Hosting.Onion;
using Engine.Onion.Roles;
using Engine.Onion.Setup;
using Engine.Primitives.Batching;
using Engine.Primitives.Groups;
using Engine.Tests.Onion;
using NUnit.Framework;

namespace Engine.Tests.Hosting;

/// <summary>
/// Relays made by an <see cref="EngineHost"/> behind Kestrel: concurrent clients' setups share the batched modexp
/// lanes at every relay, and every link still works.
/// </summary>
[TestFixture, Category("EndToEnd"), NonParallelizable]
public sealed class BatchedRelayServersTests
{
    [Test]
    public async Task ConcurrentClients_ShareBatches_AndEveryLinkWorks()
    {
        using var network = new OnionTestNetwork(PrimeOrderGroups.Modp2048Q256);
        using var host = new EngineHost(new EngineHostOptions { Batching = new ModExpBatchOptions { MaxBatch = 16, MaxDelay = TimeSpan.FromMilliseconds(5) } });
        var directory = new Dictionary<string, IPEndPoint>();
        var servers = new List<OnionNodeServer>();
        var nodes = new List<OnionNode>();
        try
        {
            foreach (string id in new[] { "relay-1", "relay-2", "dest" })
            {
                OnionNode node = host.CreateOnionNode(network.PrivateKey(id));
                Assert.That(node.Batcher, Is.Not.Null);
                nodes.Add(node);
                var server = new OnionNodeServer(node, directory, id == "dest" ? m => m : null);
                await server.StartAsync();
                directory[node.Handle] = server.EndPoint!;
                servers.Add(server);
            }
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
            const int clients = 6;
            EngineStatus[] statuses = await Task.WhenAll(Enumerable.Range(0, clients).Select(async i =>
            {
                await using OnionTcpClient client = await OnionTcpClient.ConnectAsync(directory[NodeHandle.Of("relay-1")], timeout.Token);
                using ClientLink link = OnionClient.BeginLink(network.Path(2), DateTimeOffset.UtcNow.AddMinutes(5));
                EngineStatus s = await client.EstablishAsync(link, timeout.Token);
                if (s != EngineStatus.Ok) return s;
                byte[] message = BitConverter.GetBytes(i);
                (EngineStatus status, byte[]? reply) = await client.RequestAsync(link, message, reencryptPerHop: i % 2 == 0, timeout.Token);
                return status == EngineStatus.Ok && reply!.AsSpan().SequenceEqual(message) ? EngineStatus.Ok : EngineStatus.VerificationFailed;
            }));
            Assert.That(statuses, Is.All.EqualTo(EngineStatus.Ok));
            (long batches, long items) = host.BatchCounts;
            // Each hop's setup costs 4 exponentiations (W^q, W^x, Y^q, Y^x) and its ACK slot 1 (Y^X'): 3 × 5 per link.
            Assert.That(items, Is.EqualTo(clients * 15));
            Assert.That(batches, Is.LessThan(items / 2), $"{items} exponentiations in {batches} batches");
        }
        finally
        {
            foreach (OnionNodeServer s in servers) await s.DisposeAsync();
            foreach (OnionNode n in nodes) n.Dispose();
        }
    }
}
