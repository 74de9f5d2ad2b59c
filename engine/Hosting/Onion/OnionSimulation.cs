using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Engine.Onion;
using Engine.Onion.Keys;
using Engine.Onion.Roles;
using Engine.Onion.Setup;
using Engine.Primitives.Groups;

namespace Engine.Hosting.Onion;

/// <summary>Options of <see cref="OnionSimulation"/>.</summary>
public sealed record OnionSimulationOptions(int Relays = 3, int Links = 20, int Messages = 200, int PayloadBytes = 256,
                                           string Group = "Modp2048Q256", bool ReencryptPerHop = false);

/// <summary>What a simulation measured.</summary>
public sealed record OnionSimulationReport(
    string Group, int Relays, int Links, int Messages, int PayloadBytes, bool ReencryptPerHop,
    double LinkSetupsPerSecond, double SetupMillisecondsP50, double SetupMillisecondsP99,
    double MessageMillisecondsP50, double MessageMillisecondsP99, double MessagesPerSecond,
    int SetupPacketBytes, int AckPacketBytes, int DataPacketBytes, long PacketsProcessed, long Refusals);

/// <summary>
/// The <c>engine simulate onion</c> run: a KGC, L relays and a destination as Kestrel servers on loopback, and a
/// client that sets up links through them and sends messages that the destination echoes back. Everything is
/// real: certificateless keys from the KGC, a verified node list, TCP connections, the full packet formats.
/// </summary>
public static class OnionSimulation
{
    /// <summary>Runs the simulation; <paramref name="progress"/> receives (done, total) as links and messages complete.</summary>
    /// <exception cref="ArgumentException">Unknown group or out-of-range options.</exception>
    public static async Task<OnionSimulationReport> RunAsync(OnionSimulationOptions options, Action<int, int>? progress = null, CancellationToken cancellationToken = default)
    {
        PrimeOrderGroup group = PrimeOrderGroups.Find(options.Group) ?? throw new ArgumentException($"Unknown group '{options.Group}'.", nameof(options));
        if (options.Relays is < 1 or > OnionParameters.MaxPathLength) throw new ArgumentException("Relays must be 1 to 8.", nameof(options));
        if (options.Links < 1 || options.Messages < 0 || options.PayloadBytes is < 0 or > 1 << 20) throw new ArgumentException("Links ≥ 1, messages ≥ 0, payload 0 to 1 MiB.", nameof(options));
        var parameters = new OnionParameters(group);
        using var kgc = new KeyGenerationCenter(parameters);
        var keys = new List<CertificatelessPrivateKey>();
        var nodes = new List<OnionNode>();
        var servers = new List<OnionNodeServer>();
        var directory = new Dictionary<string, IPEndPoint>();
        try
        {
            string[] ids = Enumerable.Range(1, options.Relays).Select(i => $"relay-{i}").Append("destination").ToArray();
            foreach (string id in ids)
            {
                using var secret = new CertificatelessSecretValue(parameters, id);
                byte[] partial = new byte[kgc.PartialKeySizeInBytes];
                Check(kgc.IssuePartialKey(id, secret.PublicValue, partial), "partial key");
                Check(secret.Complete(partial, kgc.MasterPublicKey, out CertificatelessPrivateKey? key), "partial key check");
                keys.Add(key!);
                var node = new OnionNode(key!);
                nodes.Add(node);
                var server = new OnionNodeServer(node, directory, id == "destination" ? m => m : null);
                await server.StartAsync().ConfigureAwait(false);
                directory[node.Handle] = server.EndPoint!;
                servers.Add(server);
            }
            Check(PublicNodeList.Verify(parameters, kgc.PublishNodeList(), kgc.ListSigningKey, kgc.MasterPublicKey, out var published), "node list");
            List<CertificatelessPublicKey> path = ids.Select(id => published.Single(k => k.Id == id)).ToList();

            await using OnionTcpClient client = await OnionTcpClient.ConnectAsync(directory[NodeHandle.Of("relay-1")], cancellationToken).ConfigureAwait(false);
            int total = options.Links + options.Messages, done = 0;
            var links = new List<ClientLink>();
            var setupMs = new List<double>();
            var wall = Stopwatch.StartNew();
            for (int i = 0; i < options.Links; i++)
            {
                var sw = Stopwatch.StartNew();
                ClientLink link = OnionClient.BeginLink(path, DateTimeOffset.UtcNow.AddMinutes(30));
                Check(await client.EstablishAsync(link, cancellationToken).ConfigureAwait(false), "link setup");
                setupMs.Add(sw.Elapsed.TotalMilliseconds);
                links.Add(link);
                progress?.Invoke(++done, total);
            }
            double setupSeconds = wall.Elapsed.TotalSeconds;

            byte[] payload = new byte[options.PayloadBytes];
            Random.Shared.NextBytes(payload);
            var messageMs = new List<double>();
            wall.Restart();
            for (int i = 0; i < options.Messages; i++)
            {
                var sw = Stopwatch.StartNew();
                (EngineStatus status, byte[]? reply) = await client.RequestAsync(links[i % links.Count], payload, options.ReencryptPerHop, cancellationToken).ConfigureAwait(false);
                Check(status, "message");
                if (!reply!.AsSpan().SequenceEqual(payload)) throw new InvalidOperationException("The echo differs from the message.");
                messageMs.Add(sw.Elapsed.TotalMilliseconds);
                progress?.Invoke(++done, total);
            }
            double messageSeconds = wall.Elapsed.TotalSeconds;
            var layout = new SetupLayout(parameters);
            int dataBytes = Engine.Onion.Data.DataPacket.ForwardSize(options.PayloadBytes, Engine.Primitives.Schnorr.SchnorrSignature.SizeInBytes(group));
            foreach (ClientLink l in links) l.Dispose();
            return new OnionSimulationReport(group.Name, options.Relays, options.Links, options.Messages, options.PayloadBytes, options.ReencryptPerHop,
                options.Links / setupSeconds, Percentile(setupMs, 0.5), Percentile(setupMs, 0.99),
                Percentile(messageMs, 0.5), Percentile(messageMs, 0.99), options.Messages == 0 ? 0 : options.Messages / messageSeconds,
                layout.SetupPacketSize, layout.AckPacketSize, dataBytes,
                servers.Sum(s => s.PacketsProcessed), servers.Sum(s => s.Refusals.Values.Sum()));
        }
        finally
        {
            foreach (OnionNodeServer s in servers) await s.DisposeAsync().ConfigureAwait(false);
            foreach (OnionNode n in nodes) n.Dispose();
            foreach (CertificatelessPrivateKey k in keys) k.Dispose();
        }
    }

    /// <summary>The report as indented JSON (for plotting).</summary>
    public static string ToJson(OnionSimulationReport report) => JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true });

    private static double Percentile(List<double> values, double p)
    {
        if (values.Count == 0) return 0;
        var sorted = values.Order().ToList();
        return sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
    }

    private static void Check(EngineStatus status, string what)
    {
        if (status != EngineStatus.Ok) throw new InvalidOperationException($"{what} failed: {status}", new EngineException(status));
    }
}
