using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Net;
using System.Text.Json;
using Engine.Onion;
using Engine.Onion.Keys;
using Engine.Onion.Roles;
using Engine.Onion.Setup;
using Engine.Primitives.Groups;
using Engine.Hosting.Framing;

using Engine.Hosting;
using Engine.Hosting.Onion;

namespace Engine.Simulations;

/// <summary>Options of <see cref="OnionSimulation"/>.</summary>
/// <param name="Relays">Relays on every path (1 to 8), before the destination.</param>
/// <param name="Links">Links set up per measured round.</param>
/// <param name="Messages">Messages sent per measured round.</param>
/// <param name="PayloadBytes">Bytes per message.</param>
/// <param name="Group">The prime-order group by name.</param>
/// <param name="ReencryptPerHop">Re-encrypt the payload at every hop instead of the paper's single layer.</param>
/// <param name="Clients">Concurrent clients, each on its own connection.</param>
/// <param name="Batching">Relays batch the exponentiations of concurrent setups.</param>
/// <param name="Repeat">Measured rounds after the warm-up; the throughputs are their median (min–max reported), the latencies pooled.</param>
public sealed record OnionSimulationOptions(int Relays = 3, int Links = 20, int Messages = 200, int PayloadBytes = 256,
                                           string Group = "Modp2048Q256", bool ReencryptPerHop = false, int Clients = 4, bool Batching = true, int Repeat = 3);

/// <summary>What a simulation measured.</summary>
public sealed record OnionSimulationReport(
    string Group, int Relays, int Links, int Messages, int PayloadBytes, bool ReencryptPerHop, int Clients, bool Batching,
    double LinkSetupsPerSecond, double SetupMillisecondsP50, double SetupMillisecondsP99,
    double MessageMillisecondsP50, double MessageMillisecondsP99, double MessagesPerSecond,
    int SetupPacketBytes, int AckPacketBytes, int DataPacketBytes, long PacketsProcessed, long Refusals,
    double ExponentiationsPerBatch,
    double KeyDerivationMicrosecondsEngine, double KeyDerivationMicrosecondsPaper,
    double SingleLayerMessageMillisecondsP50, double ReencryptedMessageMillisecondsP50,
    int Repeat = 1, double LinkSetupsPerSecondMin = 0, double LinkSetupsPerSecondMax = 0, double MessagesPerSecondMin = 0, double MessagesPerSecondMax = 0);

/// <summary>
/// The <c>engine simulate onion</c> run: a KGC directory server, L relays and a destination as Kestrel servers on
/// loopback, and concurrent clients that set up links through them and send messages that the destination echoes
/// back. Everything is real: nodes enrol at the KGC over the enrolment channel and register their endpoints,
/// clients verify the signed node list, relays batch their setups through one <see cref="EngineHost"/>, and every
/// packet crosses TCP in the full formats. Also measured: the cost of the [repair] (key derivation with u in H1,
/// against the paper's formula) and of per-hop re-encryption (message latency in both payload modes).
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
        if (options.Clients is < 1 or > 256) throw new ArgumentException("Clients must be 1 to 256.", nameof(options));
        if (options.Repeat is < 1 or > 20) throw new ArgumentException("Repeat must be 1 to 20.", nameof(options));
        var parameters = new OnionParameters(group);
        using var kgc = new KeyGenerationCenter(parameters);
        byte[] enrolmentKey = RandomNumberGenerator.GetBytes(Enrolment.KeySize);
        using var host = new EngineHost(new EngineHostOptions { EnableBatching = options.Batching });
        var services = new List<OnionNodeService>();
        await using var kgcServer = new KgcDirectoryServer(kgc, enrolmentKey) { Limits = ConnectionLimits.LoopbackSimulation };
        try
        {
            await kgcServer.StartAsync().ConfigureAwait(false);
            string[] ids = Enumerable.Range(1, options.Relays).Select(i => $"relay-{i}").Append("destination").ToArray();
            foreach (string id in ids)
                services.Add(await OnionNodeService.StartAsync(new OnionNodeServiceOptions(id, kgcServer.EndPoint!, enrolmentKey, parameters)
                {
                    OnMessage = id == "destination" ? m => m : null,
                    Limits = ConnectionLimits.LoopbackSimulation with { IdleTimeout = TimeSpan.FromMinutes(10) },
                }, host, cancellationToken).ConfigureAwait(false));
            // Every node knows every endpoint before traffic starts (the refresh loop would get there within 2 s).
            foreach (OnionNodeService s in services) await s.RefreshAsync(cancellationToken).ConfigureAwait(false);

            IReadOnlyList<CertificatelessPublicKey> published;
            Dictionary<string, IPEndPoint> endpoints;
            await using (KgcClient directory = await KgcClient.ConnectAsync(kgcServer.EndPoint!, cancellationToken).ConfigureAwait(false))
            {
                EngineStatus status;
                (status, published, endpoints) = await directory.GetDirectoryAsync(parameters, kgc.ListSigningKey.ToArray(), kgc.MasterPublicKey.ToArray(), cancellationToken).ConfigureAwait(false);
                Check(status, "node list");
            }
            List<CertificatelessPublicKey> path = ids.Select(id => published.Single(k => k.Id == id)).ToList();
            IPEndPoint firstRelay = endpoints[NodeHandle.Of("relay-1")];

            var clients = new List<OnionTcpClient>();
            // A link's answers return over the connection that set it up, so each client uses only its own links, and
            // there are never more clients than links.
            int clientCount = Math.Min(options.Clients, options.Links);
            for (int c = 0; c < clientCount; c++) clients.Add(await OnionTcpClient.ConnectAsync(firstRelay, cancellationToken).ConfigureAwait(false));
            int total = options.Repeat * (options.Links + options.Messages), done = 0;
            void Tick() => progress?.Invoke(Interlocked.Increment(ref done), total);
            byte[] payload = RandomNumberGenerator.GetBytes(options.PayloadBytes);
            var allLinks = new List<ClientLink>();
            var setupMs = new ConcurrentBag<double>();
            var messageMs = new ConcurrentBag<double>();

            // One round: set up `links` links (clients in parallel), then send `messages` echoes over them.
            async Task<(double SetupsPerSecond, double MessagesPerSecond, ClientLink[] Links)> RoundAsync(int linkCount, int messageCount, bool measured)
            {
                var links = new ClientLink[linkCount];
                var wall = Stopwatch.StartNew();
                await Task.WhenAll(clients.Select((client, c) => Task.Run(async () =>
                {
                    for (int i = c; i < linkCount; i += clientCount)
                    {
                        var sw = Stopwatch.StartNew();
                        ClientLink link = OnionClient.BeginLink(path, DateTimeOffset.UtcNow.AddMinutes(30));
                        Check(await client.EstablishAsync(link, cancellationToken).ConfigureAwait(false), "link setup");
                        if (measured) { setupMs.Add(sw.Elapsed.TotalMilliseconds); Tick(); }
                        links[i] = link;
                    }
                }, cancellationToken))).ConfigureAwait(false);
                double setupSeconds = wall.Elapsed.TotalSeconds;
                wall.Restart();
                await Task.WhenAll(clients.Select((client, c) => Task.Run(async () =>
                {
                    ClientLink[] mine = links.Where((_, i) => i % clientCount == c).ToArray();
                    for (int i = c, k = 0; i < messageCount && mine.Length > 0; i += clientCount, k++)
                    {
                        double ms = await TimedEchoAsync(client, mine[k % mine.Length], payload, options.ReencryptPerHop, cancellationToken).ConfigureAwait(false);
                        if (measured) { messageMs.Add(ms); Tick(); }
                    }
                }, cancellationToken))).ConfigureAwait(false);
                double messageSeconds = wall.Elapsed.TotalSeconds;
                allLinks.AddRange(links);
                return (linkCount / setupSeconds, messageCount == 0 ? 0 : messageCount / messageSeconds, links);
            }

            // Warm-up (JIT tiers, pools, connections, the relays' batch workers), not measured.
            await RoundAsync(clientCount, 2 * clientCount, measured: false).ConfigureAwait(false);
            (long batchesBefore, long itemsBefore) = host.BatchCounts;
            var rounds = new List<(double SetupsPerSecond, double MessagesPerSecond, ClientLink[] Links)>();
            for (int r = 0; r < options.Repeat; r++) rounds.Add(await RoundAsync(options.Links, options.Messages, measured: true).ConfigureAwait(false));
            (long batchesAfter, long itemsAfter) = host.BatchCounts;
            long batches = batchesAfter - batchesBefore, items = itemsAfter - itemsBefore;
            ClientLink[] links = rounds[^1].Links;
            double[] setupRates = rounds.Select(r => r.SetupsPerSecond).Order().ToArray(), messageRates = rounds.Select(r => r.MessagesPerSecond).Order().ToArray();

            // Per-hop re-encryption against the paper's single layer: one client, alternating, on the links it set up
            // (a link's backward packets return over the connection that carried its setup).
            ClientLink[] own = links.Where((_, i) => i % clientCount == 0).ToArray();
            var single = new List<double>();
            var layered = new List<double>();
            for (int i = 0; i < Math.Min(100, Math.Max(10, options.Messages / 10)); i++)
            {
                ClientLink link = own[i % own.Length];
                single.Add(await TimedEchoAsync(clients[0], link, payload, false, cancellationToken).ConfigureAwait(false));
                layered.Add(await TimedEchoAsync(clients[0], link, payload, true, cancellationToken).ConfigureAwait(false));
            }
            (double engineKeyUs, double paperKeyUs) = MeasureKeyDerivation(parameters, kgc, published.Single(k => k.Id == "relay-1"));

            var layout = new SetupLayout(parameters);
            int dataBytes = Engine.Onion.Data.DataPacket.ForwardSize(options.PayloadBytes, Engine.Primitives.Schnorr.SchnorrSignature.SizeInBytes(group));
            foreach (OnionTcpClient c in clients) await c.DisposeAsync().ConfigureAwait(false);
            foreach (ClientLink l in allLinks) l?.Dispose();
            return new OnionSimulationReport(group.Name, options.Relays, options.Links, options.Messages, options.PayloadBytes, options.ReencryptPerHop,
                clientCount, options.Batching,
                Median(setupRates), Percentile(setupMs, 0.5), Percentile(setupMs, 0.99),
                Percentile(messageMs, 0.5), Percentile(messageMs, 0.99), Median(messageRates),
                layout.SetupPacketSize, layout.AckPacketSize, dataBytes,
                services.Sum(s => s.Server.PacketsProcessed), services.Sum(s => s.Server.Refusals.Values.Sum()),
                batches == 0 ? 1 : items / (double)batches,
                engineKeyUs, paperKeyUs, Percentile(single, 0.5), Percentile(layered, 0.5),
                options.Repeat, setupRates[0], setupRates[^1], messageRates[0], messageRates[^1]);
        }
        finally
        {
            foreach (OnionNodeService s in services) await s.DisposeAsync().ConfigureAwait(false);
            CryptographicOperations.ZeroMemory(enrolmentKey);
        }
    }

    private static async Task<double> TimedEchoAsync(OnionTcpClient client, ClientLink link, byte[] payload, bool reencrypt, CancellationToken cancellationToken)
    {
        var sw = Stopwatch.StartNew();
        (EngineStatus status, byte[]? reply) = await client.RequestAsync(link, payload, reencrypt, cancellationToken).ConfigureAwait(false);
        Check(status, "message");
        if (!reply!.AsSpan().SequenceEqual(payload)) throw new InvalidOperationException("The echo differs from the message.");
        return sw.Elapsed.TotalMilliseconds;
    }

    /// <summary>
    /// What the [repair] costs: a client derives P_ID for each node it uses. The engine's H1 covers u; the paper's
    /// does not. Per packet there is no difference (P_ID is precomputed either way).
    /// </summary>
    private static (double EngineUs, double PaperUs) MeasureKeyDerivation(OnionParameters parameters, KeyGenerationCenter kgc, CertificatelessPublicKey node)
    {
        const int rounds = 20;
        byte[] mpk = kgc.MasterPublicKey.ToArray();
        double Time(bool paper)
        {
            var sw = Stopwatch.StartNew();
            for (int i = 0; i < rounds; i++) CertificatelessPublicKey.Create(parameters, mpk, node.Id, node.PartialPublic, node.SecretValuePublic, paper, out _);
            return sw.Elapsed.TotalMicroseconds / rounds;
        }
        Time(false);
        Time(true);
        return (Time(false), Time(true));
    }

    /// <summary>The report as indented JSON (for plotting).</summary>
    public static string ToJson(OnionSimulationReport report) => JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true });

    private static double Median(double[] sorted) =>
        sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;

    private static double Percentile(IEnumerable<double> values, double p)
    {
        var sorted = values.Order().ToList();
        if (sorted.Count == 0) return 0;
        return sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
    }

    private static void Check(EngineStatus status, string what)
    {
        if (status != EngineStatus.Ok) throw new InvalidOperationException($"{what} failed: {status}", new EngineException(status));
    }
}
