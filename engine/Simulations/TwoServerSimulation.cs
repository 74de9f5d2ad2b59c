using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using Engine.TwoServer;
using Engine.TwoServer.Content;
using Engine.TwoServer.Partitions;
using Engine.TwoServer.Records;
using Engine.TwoServer.Roles;

using Engine.Hosting.TwoServer;

namespace Engine.Simulations;

/// <summary>Options of <see cref="TwoServerSimulation"/>.</summary>
/// <param name="GroupSizes">Group sizes to run (the paper's range is 500 to 10 000).</param>
/// <param name="SampledUsers">Members whose inboxes are built and reconstructed per size (every member's work has the same shape).</param>
/// <param name="BlockSize">B, bytes per message block.</param>
/// <param name="SubgroupFraction">κ as a fraction of n for the subgroup experiment (the paper uses 25 %).</param>
/// <param name="MillionUsersGroupSize">Group size into which one million users are split for the Figure 3 extrapolation.</param>
/// <param name="Repeat">Measured runs per group size (after the warm-up); each figure is their median, with min–max shown.</param>
public sealed record TwoServerSimulationOptions(IReadOnlyList<int> GroupSizes, int SampledUsers = 8, int BlockSize = 256, double SubgroupFraction = 0.25,
                                                int MillionUsersGroupSize = 1000, int Repeat = 3);

/// <summary>One group size's figures: each the median over <see cref="Repetitions"/> (which hold every run's own figures).</summary>
public sealed record TwoServerSizeReport(
    int GroupSize, int SampledUsers, int Accepted, int Failures,
    double GenerationMsPerMessage, double FanOutMsPerInbox, double ReconstructMsPerInbox, double RoundCpuMs, double MessageMsAmortised,
    double ServerBytesPerMessage, double SubgroupSize, double SubgroupMsPerRecipient, double DialMs)
{
    /// <summary>The measured runs behind the medians (empty inside a run).</summary>
    public IReadOnlyList<TwoServerSizeReport> Repetitions { get; init; } = [];

    /// <summary>Min and max of one figure over <see cref="Repetitions"/> (the figure itself when there are none).</summary>
    public (double Min, double Max) Spread(Func<TwoServerSizeReport, double> figure) =>
        Repetitions.Count == 0 ? (figure(this), figure(this)) : (Repetitions.Min(figure), Repetitions.Max(figure));
}

/// <summary>What <c>engine simulate two-server</c> measured.</summary>
public sealed record TwoServerSimulationReport(
    string Mode, int BlockSize, int RecordBytes, IReadOnlyList<TwoServerSizeReport> Sizes,
    int MillionUsersGroupSize, double MillionUsersRoundCpuSeconds, double MillionUsersMessageMs, string Method, int Repeat = 1);

/// <summary>
/// The paper's experiments (Figures 2, 3, 5 and 6) in process: the same sharing, fan-out and reconstruction code the
/// servers run, with no sockets. Per group size n, every member sends one message to a random member in a round;
/// share generation is timed for all n senders, the servers' fan-out and the receivers' reconstruction for sampled
/// members (each member's inbox holds one entry per message, so they cost the same) and scaled to n. Also: a
/// subgroup message to κ = 25 % of n (amortised per recipient), a dial with κ = n parts, and one million users split
/// into groups, extrapolated from the measured group size. Everything is one core; say so when quoting it.
/// </summary>
public static class TwoServerSimulation
{
    /// <summary>Runs the experiments; <paramref name="progress"/> gets (sizes done, sizes total).</summary>
    /// <exception cref="ArgumentException">A group size below 2, no sampled user, or a bad fraction.</exception>
    public static TwoServerSimulationReport Run(TwoServerSimulationOptions options, Action<int, int>? progress = null, CancellationToken cancellationToken = default)
    {
        if (options.GroupSizes.Count == 0 || options.GroupSizes.Any(n => n is < 2 or > 100_000)) throw new ArgumentException("Group sizes are 2 to 100 000.", nameof(options));
        if (options.SampledUsers < 1) throw new ArgumentException("Sample at least one user.", nameof(options));
        if (options.SubgroupFraction is <= 0 or > 0.5) throw new ArgumentException("The subgroup fraction is in (0, 0.5].", nameof(options));
        if (options.MillionUsersGroupSize is < 2 or > 1_000_000) throw new ArgumentException("The million-user split needs groups of 2 to 1 000 000.", nameof(options));
        if (options.Repeat is < 1 or > 20) throw new ArgumentException("Repeat is 1 to 20.", nameof(options));
        TwoServerParameters parameters = TwoServerParameters.ForBlockSize(options.BlockSize);
        // Warm-up: without it the first size times tier-0 code. Each path runs well past the JIT's 30-call threshold
        // (16 sampled inboxes × 4), and the pauses let the background tier-1 compiles land.
        for (int i = 0; i < 4; i++) { RunSize(parameters, 200, 16, options.SubgroupFraction); Thread.Sleep(100); }
        var sizes = new List<TwoServerSizeReport>();
        var all = options.GroupSizes.Append(options.MillionUsersGroupSize).Distinct().ToList();
        foreach (int n in all)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var runs = new List<TwoServerSizeReport>();
            for (int r = 0; r < options.Repeat; r++) runs.Add(RunSize(parameters, n, Math.Min(options.SampledUsers, n), options.SubgroupFraction));
            sizes.Add(MedianOf(runs));
            progress?.Invoke(sizes.Count, all.Count);
        }
        TwoServerSizeReport basis = sizes.Single(s => s.GroupSize == options.MillionUsersGroupSize);
        double groups = Math.Ceiling(1_000_000.0 / options.MillionUsersGroupSize);
        var shown = sizes.Where(s => options.GroupSizes.Contains(s.GroupSize)).ToList();
        return new TwoServerSimulationReport("in-process", parameters.BlockSize, parameters.RecordSize, shown, options.MillionUsersGroupSize,
            groups * basis.RoundCpuMs / 1000, basis.MessageMsAmortised,
            $"one core, warmed up; median of {options.Repeat} run(s) per size (min–max shown); share generation timed for all senders, fan-out and reconstruction timed on {options.SampledUsers} sampled members per size and scaled by n; " +
            $"one million users = {groups:F0} groups of {options.MillionUsersGroupSize}, extrapolated from that group size's measured round", options.Repeat);
    }

    private static TwoServerSizeReport RunSize(TwoServerParameters parameters, int n, int sampled, double subgroupFraction)
    {
        // One message per user per round, each to a random member.
        var round = new InProcessRound(parameters, n);
        byte[] payload = RandomNumberGenerator.GetBytes(Math.Min(32, parameters.MaxPayload));
        var partitions = new GroupPartition[n];
        for (int s = 0; s < n; s++) partitions[s] = GroupPartition.ForRecipient(n, RandomNumberGenerator.GetInt32(n));
        var sw = Stopwatch.StartNew();
        foreach (GroupPartition partition in partitions) round.Send(partition, payload);
        double generationMs = sw.Elapsed.TotalMilliseconds;

        int[] users = Enumerable.Range(0, sampled).Select(i => (int)((long)i * n / sampled)).ToArray();
        int inboxBytes = FanOut.InboxSize(round.S1Uploads, 0, parameters.RecordSize);
        byte[] s1 = new byte[inboxBytes], s2 = new byte[inboxBytes];
        var fanOutMs = new List<double>();
        var reconstructMs = new List<double>();
        int accepted = 0, failures = 0;
        foreach (int u in users)
        {
            sw.Restart();
            FanOut.WriteInbox(round.S1Uploads, u, parameters.RecordSize, s1);
            FanOut.WriteInbox(round.S2Uploads, u, parameters.RecordSize, s2);
            fanOutMs.Add(sw.Elapsed.TotalMilliseconds);
            sw.Restart();
            InboxReader.ReadRound(parameters, s1, s2, out List<ReceivedMessage> got);
            reconstructMs.Add(sw.Elapsed.TotalMilliseconds);
            accepted += got.Count(m => m.Verdict == RecordVerdict.Accepted);
            failures += got.Count(m => m.Verdict is RecordVerdict.Tampered or RecordVerdict.Malformed);
        }
        // Medians: a garbage collection or a neighbour on the shared machine must not move a whole size's figure.
        double fanOutPerInbox = Median(fanOutMs), reconstructPerInbox = Median(reconstructMs);
        double roundCpu = generationMs + n * (fanOutPerInbox + reconstructPerInbox);

        // Subgroup mode: one message to κ = fraction·n members costs every member one entry; amortised per recipient.
        int kappa = Math.Max(1, (int)(subgroupFraction * n));
        var subgroupRound = new InProcessRound(parameters, n);
        int[] tau = Enumerable.Range(0, n).OrderBy(_ => RandomNumberGenerator.GetInt32(int.MaxValue)).Take(kappa).ToArray();
        sw.Restart();
        subgroupRound.Send(GroupPartition.ForSubgroup(n, tau), payload);
        double subgroupGeneration = sw.Elapsed.TotalMilliseconds;
        double subgroupPerMember = 0;
        foreach (int u in users)
        {
            sw.Restart();
            List<ReceivedMessage> got = subgroupRound.Receive(u);
            subgroupPerMember += sw.Elapsed.TotalMilliseconds;
            if (got.Single().Verdict != (tau.Contains(u) ? RecordVerdict.Accepted : RecordVerdict.Noise)) failures++;
        }
        double subgroupTotal = subgroupGeneration + n * subgroupPerMember / sampled;

        // Dial with κ = n parts (the paper's safest setting): g^x of the default 2048-bit group, in fragments.
        using Dial dial = Dial.Start(Primitives.Groups.PrimeOrderGroups.Modp2048Q256);
        var dialRound = new InProcessRound(parameters, n);
        sw.Restart();
        foreach (byte[] fragment in Fragments.Split(parameters, ContentKind.DialRequest, dial.PublicElement))
            foreach (OneToManyPart part in OneToManyPlan.ForDial(n, RandomNumberGenerator.GetInt32(n), n))
                dialRound.Send(part.Partition, part.IsCover ? default : fragment, part.IsCover);
        double dialMs = sw.Elapsed.TotalMilliseconds;

        return new TwoServerSizeReport(n, sampled, accepted, failures, generationMs / n, fanOutPerInbox, reconstructPerInbox, roundCpu, roundCpu / n,
            2.0 * n * (parameters.RecordSize + 9), kappa, subgroupTotal / kappa, dialMs);
    }

    private static double Median(IEnumerable<double> values)
    {
        double[] sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>Every timed figure the median over the runs; counts summed (they are checks, not timings).</summary>
    private static TwoServerSizeReport MedianOf(List<TwoServerSizeReport> runs)
    {
        double M(Func<TwoServerSizeReport, double> f) => Median(runs.Select(f));
        TwoServerSizeReport first = runs[0];
        return new TwoServerSizeReport(first.GroupSize, first.SampledUsers, runs.Sum(r => r.Accepted), runs.Sum(r => r.Failures),
            M(r => r.GenerationMsPerMessage), M(r => r.FanOutMsPerInbox), M(r => r.ReconstructMsPerInbox), M(r => r.RoundCpuMs), M(r => r.MessageMsAmortised),
            first.ServerBytesPerMessage, first.SubgroupSize, M(r => r.SubgroupMsPerRecipient), M(r => r.DialMs)) { Repetitions = runs };
    }

    /// <summary>The report as indented JSON.</summary>
    public static string ToJson(TwoServerSimulationReport report) => JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true });
}
