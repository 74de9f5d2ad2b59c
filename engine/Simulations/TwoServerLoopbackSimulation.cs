using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Engine.Primitives.Groups;
using Engine.Primitives.Schnorr;
using Engine.TwoServer;
using Engine.TwoServer.Partitions;
using Engine.TwoServer.Records;
using Engine.TwoServer.Roles;
using Engine.Hosting.Framing;

using Engine.Hosting;
using Engine.Hosting.TwoServer;

namespace Engine.Simulations;

/// <summary>One group size run over real servers: the per-round figures are medians over <see cref="Rounds"/> rounds, with the per-message spread.</summary>
public sealed record TwoServerLoopbackSizeReport(int GroupSize, int Rounds, double SetupSeconds, double UploadMsPerRound, double FetchMsPerRound,
                                                 double MessageMsAmortised, long ServerRequests, long ServerRefusals, int Delivered, int Expected, int Failures,
                                                 double MessageMsMin = 0, double MessageMsMax = 0);

/// <summary>
/// <c>engine simulate two-server --mode loopback</c>: S1 and S2 as Kestrel servers on 127.0.0.1 and n users, each
/// with its own TCP connection to each server. Users register (keys cross-signed), join one group, open a session
/// to a random member, then each round every user uploads one signed message, the servers close the round, and
/// every user fetches its two signed inboxes and reconstructs. Everything crosses TCP in the wire format; sizes up
/// to a few thousand users (every inbox holds n records).
/// </summary>
public static class TwoServerLoopbackSimulation
{
    /// <summary>Runs each size; <paramref name="progress"/> gets (steps done, steps total).</summary>
    public static async Task<IReadOnlyList<TwoServerLoopbackSizeReport>> RunAsync(IReadOnlyList<int> sizes, int rounds, int blockSize,
        Action<int, int>? progress = null, CancellationToken cancellationToken = default, bool batching = false)
    {
        if (sizes.Count == 0 || sizes.Any(n => n is < 2 or > 5000)) throw new ArgumentException("Loopback group sizes are 2 to 5000.", nameof(sizes));
        if (rounds < 1) throw new ArgumentException("At least one round.", nameof(rounds));
        TwoServerParameters parameters = TwoServerParameters.ForBlockSize(blockSize);
        var reports = new List<TwoServerLoopbackSizeReport>();
        int done = 0, total = sizes.Count * (rounds + 1);
        // Warm-up (JIT tiers, pools, Kestrel), not reported: a small group through every step, twice.
        await RunSizeAsync(parameters, 8, 2, batching, () => { }, cancellationToken).ConfigureAwait(false);
        foreach (int n in sizes)
            reports.Add(await RunSizeAsync(parameters, n, rounds, batching, () => progress?.Invoke(++done, total), cancellationToken).ConfigureAwait(false));
        return reports;
    }

    private static async Task<TwoServerLoopbackSizeReport> RunSizeAsync(TwoServerParameters parameters, int n, int rounds, bool batching, Action step, CancellationToken cancellationToken)
    {
        PrimeOrderGroup group = PrimeOrderGroups.Bls12381G1;
        using SchnorrSigningKey k1 = SchnorrSigningKey.Generate(group), k2 = SchnorrSigningKey.Generate(group);
        using var host = new EngineHost(new EngineHostOptions { BatchSignatures = batching });   // upload signatures one by one, or in batches
        await using var s1 = new TwoServerServer(host.CreateTwoServerNode(1, k1, k2.PublicKey, parameters)) { Limits = ConnectionLimits.LoopbackSimulation };
        await using var s2 = new TwoServerServer(host.CreateTwoServerNode(2, k2, k1.PublicKey, parameters)) { Limits = ConnectionLimits.LoopbackSimulation };
        await s1.StartAsync().ConfigureAwait(false);
        await s2.StartAsync().ConfigureAwait(false);
        var keys = new SchnorrSigningKey[n];
        var connections = new List<TwoServerTcpConnection>();
        var users = new TwoServerUser[n];
        try
        {
            var sw = Stopwatch.StartNew();
            for (int i = 0; i < n; i++)
            {
                keys[i] = SchnorrSigningKey.Generate(group);
                TwoServerTcpConnection c1 = await TwoServerTcpConnection.ConnectAsync(s1.EndPoint!, cancellationToken).ConfigureAwait(false);
                TwoServerTcpConnection c2 = await TwoServerTcpConnection.ConnectAsync(s2.EndPoint!, cancellationToken).ConfigureAwait(false);
                connections.Add(c1);
                connections.Add(c2);
                users[i] = new TwoServerUser($"user-{i:D5}", parameters, keys[i], c1, c2, k1.PublicKey, k2.PublicKey);
            }
            await ForEachAsync(users, async u =>
            {
                Check(await u.RegisterAsync(cancellationToken).ConfigureAwait(false), "register");
                Check(await u.JoinAsync("simulation", cancellationToken).ConfigureAwait(false), "join");
            }).ConfigureAwait(false);
            (EngineStatus status, GroupView? view) = await users[0].GetGroupAsync("simulation", cancellationToken).ConfigureAwait(false);
            Check(status, "group");
            var recipients = new int[n];
            var sessions = new TwoServerSession[n];
            await ForEachAsync(Enumerable.Range(0, n).ToArray(), async i =>
            {
                recipients[i] = RandomNumberGenerator.GetInt32(n);
                (EngineStatus s, TwoServerSession? session) = await users[i].OpenSessionAsync(view!, GroupPartition.ForRecipient(n, recipients[i]), cancellationToken).ConfigureAwait(false);
                Check(s, "session");
                sessions[i] = session!;
            }).ConfigureAwait(false);
            double setupSeconds = sw.Elapsed.TotalSeconds;
            step();

            var uploadMs = new List<double>();
            var fetchMs = new List<double>();
            int delivered = 0, expected = 0, failures = 0;
            for (int r = 0; r < rounds; r++)
            {
                (status, long round) = await users[0].GetRoundAsync(cancellationToken).ConfigureAwait(false);
                Check(status, "round");
                sw.Restart();
                await ForEachAsync(Enumerable.Range(0, n).ToArray(), async i =>
                    Check((await users[i].SendAsync(round, sessions[i], Encoding.UTF8.GetBytes($"r{round} from {i}"), cancellationToken: cancellationToken).ConfigureAwait(false)).Status, "upload")).ConfigureAwait(false);
                uploadMs.Add(sw.Elapsed.TotalMilliseconds);
                if (s1.Node.CloseRound() != s2.Node.CloseRound()) throw new InvalidOperationException("The servers' rounds diverged.");
                sw.Restart();
                var got = new int[n];
                var bad = new int[n];
                await ForEachAsync(Enumerable.Range(0, n).ToArray(), async i =>
                {
                    (EngineStatus s, FetchedRound? fetched) = await users[i].FetchAsync(round, view!, cancellationToken).ConfigureAwait(false);
                    Check(s, "fetch");
                    got[i] = fetched!.Messages.Count(m => m.Verdict == RecordVerdict.Accepted);
                    bad[i] = fetched.Messages.Count(m => m.Verdict is RecordVerdict.Tampered or RecordVerdict.Malformed);
                }).ConfigureAwait(false);
                fetchMs.Add(sw.Elapsed.TotalMilliseconds);
                delivered += got.Sum();
                failures += bad.Sum();
                expected += n;                                           // one message per sender, each to one recipient
                step();
            }
            double[] perMessage = uploadMs.Zip(fetchMs, (u, f) => (u + f) / n).Order().ToArray();
            return new TwoServerLoopbackSizeReport(n, rounds, setupSeconds, Median(uploadMs), Median(fetchMs), Median(perMessage),
                                                   s1.Requests + s2.Requests, s1.Refusals + s2.Refusals, delivered, expected, failures, perMessage[0], perMessage[^1]);
        }
        finally
        {
            foreach (TwoServerTcpConnection c in connections) await c.DisposeAsync().ConfigureAwait(false);
            foreach (SchnorrSigningKey? k in keys) k?.Dispose();
        }
    }

    private static Task ForEachAsync<T>(T[] items, Func<T, Task> body)
        => Parallel.ForEachAsync(items, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (item, _) => await body(item).ConfigureAwait(false));

    private static void Check(EngineStatus status, string step)
    {
        if (status != EngineStatus.Ok) throw new InvalidOperationException($"{step} failed: {status}");
    }

    private static double Median(IEnumerable<double> values)
    {
        double[] sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
