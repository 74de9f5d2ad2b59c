using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Engine.Hosting;
using Engine.Hosting.IotAuth;
using Engine.IotAuth;
using Engine.IotAuth.Roles;
using Engine.IotAuth.Tags;
using Engine.IotAuth.Trust;
using Engine.IotAuth.Wire;
using Engine.Primitives.Encryption;
using Engine.Primitives.Schnorr;
using Engine.Hosting.Framing;

namespace Engine.Simulations;

/// <summary>What <see cref="IotAuthSimulation"/> runs.</summary>
/// <param name="Devices">Device counts, one measured point each (the paper's x axis).</param>
/// <param name="Concurrency">Devices talking to the servers at once, each worker on its own TCP connections.</param>
/// <param name="Repeat">Authentication rounds per point (every device once per round); throughput is the median.</param>
public sealed record IotAuthSimulationOptions(IReadOnlyList<int> Devices, int Concurrency = 16, int Repeat = 3);

/// <summary>One measured point: totals over <see cref="Devices"/> devices, as the paper's figures plot them.</summary>
public sealed record IotAuthPointReport(
    int Devices,
    double OcTagGenerationMs, double OcProofAuthenticationMs, double OcProofAuthenticationBatchedMs, double DeviceTagCheckMs, double DeviceProofGenerationMs,
    long DeviceToOcBytes, long OcToDeviceBytes,
    double AuthenticationsPerSecondBatched, double BatchedMin, double BatchedMax,
    double AuthenticationsPerSecondUnbatched, double UnbatchedMin, double UnbatchedMax,
    double MeanBatchSize, double EnrolSeconds, int Failures, long Refusals)
{
    /// <summary>Min and max over the rounds of the OC's proof authentication (one at a time, batched) and the devices' proof generation, totals over n devices.</summary>
    public RoundSpread? Spread { get; init; }
}

/// <summary>Min–max over the authentication rounds of a point's per-round totals (ms).</summary>
public sealed record RoundSpread(double ProofAuthenticationMin, double ProofAuthenticationMax, double ProofAuthenticationBatchedMin, double ProofAuthenticationBatchedMax,
                                 double ProofGenerationMin, double ProofGenerationMax);

/// <summary>The whole run.</summary>
public sealed record IotAuthSimulationReport(string Cpu, int Concurrency, int Repeat, string Method, IReadOnlyList<IotAuthPointReport> Points);

/// <summary>
/// <c>engine simulate iot-auth</c> (Protocol 3 end to end): a cloud server and an operation centre on Kestrel on
/// 127.0.0.1, and N devices that report attributes, register, obtain and check tags, then authenticate anonymously
/// (each once per round) over TCP. Reports the paper's cost figures as totals over N devices (OC tag generation, OC
/// proof authentication, device tag check, device proof generation), the device-to-OC communication, and the OC's
/// authentications per second with and without batching across concurrent devices.
/// </summary>
public static class IotAuthSimulation
{
    /// <summary>Runs every point; <paramref name="progress"/> gets (point, steps done, steps) as devices finish.</summary>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public static async Task<IotAuthSimulationReport> RunAsync(IotAuthSimulationOptions options, Action<string, int, int>? progress = null, CancellationToken cancellationToken = default)
    {
        if (options.Devices.Count == 0 || options.Devices.Any(n => n is < 1 or > 100_000)) throw new ArgumentException("device counts are 1 to 100000");
        if (options.Concurrency is < 1 or > 256) throw new ArgumentException("--concurrency is 1 to 256");
        if (options.Repeat is < 1 or > 20) throw new ArgumentException("--repeat is 1 to 20");

        using SchnorrSigningKey csKey = SchnorrSigningKey.Generate(IotAuthParameters.Group), ocSigning = SchnorrSigningKey.Generate(IotAuthParameters.Group);
        using HashedElGamalKey ocEncryption = HashedElGamalKey.Generate(IotAuthParameters.Group);
        byte[] enrolment = RandomNumberGenerator.GetBytes(32), admin = RandomNumberGenerator.GetBytes(32);
        var ocEntry = new OperationCenterEntry("oc-sim", ocSigning.PublicKey.ToArray(), ocEncryption.PublicKey.ToArray());
        var cloud = new CloudServer(TrustConfiguration.Default, csKey, [ocEntry]);
        await using var csServer = new IotServer(cloud) { Limits = ConnectionLimits.LoopbackSimulation };
        await csServer.StartAsync(IPAddress.Loopback, 0).ConfigureAwait(false);
        using var host = new EngineHost(new EngineHostOptions { ProofBatching = new() { MaxBatch = 64, MaxDelay = TimeSpan.FromMilliseconds(2) } });
        await using var toCloud = new ReconnectingIotConnection(csServer.EndPoint!, expectHello: false);
        using OperationCenter oc = host.CreateOperationCenter(new OperationCenterOptions { Id = "oc-sim", Threshold = 6000 }, ocSigning, ocEncryption, TagKey.Generate(1),
                                                              enrolment, admin, toCloud, csKey.PublicKey);
        await using var ocServer = new IotServer(oc) { Limits = ConnectionLimits.LoopbackSimulation };
        await ocServer.StartAsync(IPAddress.Loopback, 0).ConfigureAwait(false);

        // Warm up every path (JIT tiers, pools, tables) before anything is timed: 12 devices run each path well past
        // the JIT's 30-call threshold, and the pause lets the background tier-1 compiles land.
        await RunPoint(12, "warm-up", null).ConfigureAwait(false);
        await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        var points = new List<IotAuthPointReport>();
        foreach (int n in options.Devices) points.Add(await RunPoint(n, $"{n} devices", progress).ConfigureAwait(false));
        return new IotAuthSimulationReport(MachineInfo.CpuModel(), options.Concurrency, options.Repeat,
            $"measured over loopback TCP on one machine ({Environment.ProcessorCount} cores shared by the servers and the devices), after a warm-up; " +
            $"proof authentication, proof generation and throughput are the median of {options.Repeat} authentication round(s) of every device (min–max shown); " +
            "tag generation and tag check are one pass (a device enrols once)",
            points);

        async Task<IotAuthPointReport> RunPoint(int n, string label, Action<string, int, int>? report)
        {
            int steps = n * (1 + 2 * options.Repeat), done = 0;
            void Step() => report?.Invoke(label, Interlocked.Increment(ref done), steps);
            var devices = new Device[n];
            string prefix = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
            long refusalsBefore = ocServer.Counts.Refusals + csServer.Counts.Refusals;
            TimeSpan tagBefore = oc.TagIssueTime;
            var tagCheck = new double[n];
            var enrolWatch = Stopwatch.StartNew();
            await ForEachDevice(n, async (i, cs, o) =>
            {
                devices[i] = new Device($"dev-{prefix}-{i}", SchnorrSigningKey.Generate(IotAuthParameters.Group), HashedElGamalKey.Generate(IotAuthParameters.Group), ocEntry, csKey.PublicKey);
                int tl = await devices[i].EvaluateAsync(cs, [new("battery-percent", 80 + i % 20), new("uptime-hours", 400), new("packet-loss-percent", 1), new("firmware-age-days", 30)], cancellationToken).ConfigureAwait(false);
                await devices[i].RegisterAsync(o, enrolment, cancellationToken).ConfigureAwait(false);
                await devices[i].RequestTagAsync(o, tl, cancellationToken).ConfigureAwait(false);
                tagCheck[i] = devices[i].LastTagCheckTime.TotalMilliseconds;
                Step();
            }).ConfigureAwait(false);
            double enrolSeconds = enrolWatch.Elapsed.TotalSeconds;
            double tagGeneration = (oc.TagIssueTime - tagBefore).TotalMilliseconds;

            int failures = 0;
            long bytesUp = 0, bytesDown = 0;
            var perRound = new List<double>[2] { [], [] };
            // Per-round totals over the n devices: the OC's verification CPU (one at a time / batched) and the devices' proofs.
            var authMs = new List<double>[2] { [], [] };
            var proofTotals = new List<double>();
            long batchesBefore = host.ProofBatcher!.Batches, itemsBefore = host.ProofBatcher.Items;
            foreach (bool batched in new[] { true, false })
            {
                oc.Batcher = batched ? host.ProofBatcher : null;
                for (int round = 0; round < options.Repeat; round++)
                {
                    (TimeSpan directBefore, long directCount) = oc.DirectVerification;
                    TimeSpan batchedBefore = host.ProofBatcher.ComputeTime;
                    long roundItemsBefore = host.ProofBatcher.Items;
                    var proofMs = new double[n];
                    var watch = Stopwatch.StartNew();
                    await ForEachDevice(n, async (i, _, o) =>
                    {
                        try
                        {
                            AuthenticationResult result = await devices[i].AuthenticateAsync(o, cancellationToken).ConfigureAwait(false);
                            result.Keys.Dispose();
                            proofMs[i] = result.ProofTime.TotalMilliseconds;
                        }
                        catch (EngineException) { Interlocked.Increment(ref failures); }
                        Step();
                    }, (up, down) => { if (batched && round == 0) { Interlocked.Add(ref bytesUp, up); Interlocked.Add(ref bytesDown, down); } }).ConfigureAwait(false);
                    perRound[batched ? 0 : 1].Add(n / watch.Elapsed.TotalSeconds);
                    proofTotals.Add(proofMs.Sum());
                    // Scaled to n proofs: a proof refused before verification must not lower the total.
                    double perProof = batched
                        ? (host.ProofBatcher.ComputeTime - batchedBefore).TotalMilliseconds / Math.Max(1, host.ProofBatcher.Items - roundItemsBefore)
                        : (oc.DirectVerification.Time - directBefore).TotalMilliseconds / Math.Max(1, oc.DirectVerification.Proofs - directCount);
                    authMs[batched ? 0 : 1].Add(perProof * n);
                }
            }
            oc.Batcher = host.ProofBatcher;
            long batchedItems = host.ProofBatcher.Items - itemsBefore;
            foreach (Device d in devices) d.Dispose();
            double[] b = perRound[0].Order().ToArray(), u = perRound[1].Order().ToArray();
            double[] single = authMs[1].Order().ToArray(), batchedAuth = authMs[0].Order().ToArray(), proofs = proofTotals.Order().ToArray();
            return new IotAuthPointReport(n, tagGeneration, Median(single), Median(batchedAuth), tagCheck.Sum(), Median(proofs), bytesUp, bytesDown,
                                          Median(b), b[0], b[^1], Median(u), u[0], u[^1],
                                          batchedItems / (double)Math.Max(1, host.ProofBatcher.Batches - batchesBefore), enrolSeconds, failures,
                                          ocServer.Counts.Refusals + csServer.Counts.Refusals - refusalsBefore)
            {
                Spread = new RoundSpread(single[0], single[^1], batchedAuth[0], batchedAuth[^1], proofs[0], proofs[^1]),
            };
        }

        // Workers, each with its own connections to the CS and the OC, take devices in turn.
        async Task ForEachDevice(int n, Func<int, IIotConnection, IIotConnection, Task> work, Action<long, long>? bytes = null)
        {
            int next = -1;
            var workers = Enumerable.Range(0, Math.Min(options.Concurrency, n)).Select(async _ =>
            {
                await using IotTcpConnection cs = await IotTcpConnection.ConnectAsync(csServer.EndPoint!, expectHello: false, cancellationToken).ConfigureAwait(false);
                await using IotTcpConnection ocConnection = await IotTcpConnection.ConnectAsync(ocServer.EndPoint!, expectHello: true, cancellationToken).ConfigureAwait(false);
                var counted = new CountingConnection(ocConnection);
                int i;
                while ((i = Interlocked.Increment(ref next)) < n) await work(i, cs, counted).ConfigureAwait(false);
                bytes?.Invoke(counted.BytesSent, counted.BytesReceived);
            }).ToArray();
            await Task.WhenAll(workers).ConfigureAwait(false);
        }
    }

    private static double Median(double[] sorted) =>
        sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;

    /// <summary>The report as indented JSON.</summary>
    public static string ToJson(IotAuthSimulationReport report) => JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true });


    /// <summary>Counts the frame bytes a connection sends and receives (5 bytes of framing per frame).</summary>
    private sealed class CountingConnection(IIotConnection inner) : IIotConnection
    {
        public long BytesSent, BytesReceived;

        public ReadOnlyMemory<byte> Hello => inner.Hello;

        public async Task<(IotMessageType Type, byte[] Payload)> RequestAsync(IotMessageType type, byte[] payload, CancellationToken cancellationToken = default)
        {
            BytesSent += payload.Length + Hosting.Framing.Frame.HeaderSize;
            (IotMessageType t, byte[] p) = await inner.RequestAsync(type, payload, cancellationToken).ConfigureAwait(false);
            BytesReceived += p.Length + Hosting.Framing.Frame.HeaderSize;
            return (t, p);
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
