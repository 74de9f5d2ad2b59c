using System.Diagnostics.Metrics;
using Engine.Hosting.Roles;
using Engine.Primitives.Batching;

namespace Engine.Simulations;

/// <summary>One role server's figures over a run: requests, refusals, latency percentiles (milliseconds).</summary>
public sealed record RoleFigures(string Role, long Requests, long Refusals, double LatencyP50, double LatencyP99);

/// <summary>One batch scheduler's figures over a run: batches, items, mean batch size, queue delay of the batches' oldest requests.</summary>
public sealed record SchedulerFigures(string Scheduler, long Batches, long Items, double MeanBatch, double QueueDelayP50, double QueueDelayMax);

/// <summary>
/// What a simulation shows of the servers' instruments (issue #14): a <see cref="MeterListener"/> on the role
/// servers' meter (<see cref="RoleMetrics"/>) and the schedulers' (<see cref="BatchMetrics"/>), the same measurements
/// a server's <c>--metrics-port</c> exports, gathered in process while the simulation runs. Latency and delay
/// samples are kept up to <see cref="MaxSamples"/> per role or scheduler (the percentiles are over those).
/// </summary>
/// <remarks>Thread-safe: measurements arrive from every server thread.</remarks>
public sealed class MetricsRecorder : IDisposable
{
    /// <summary>Samples kept per role or scheduler for the percentiles.</summary>
    public const int MaxSamples = 200_000;

    private readonly MeterListener _listener = new();
    private readonly object _gate = new();
    private readonly Dictionary<string, (long Requests, long Refusals, List<double> Latency)> _roles = [];
    private readonly Dictionary<string, (long Batches, long Items, List<double> Delay)> _schedulers = [];

    /// <summary>Starts listening.</summary>
    public MetricsRecorder()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name is RoleMetrics.MeterName or BatchMetrics.MeterName) listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            if (instrument.Name != "engine.role.refusals") return;
            lock (_gate) Role(Tag(tags, "role")).Refusals += value;
        });
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) =>
        {
            lock (_gate)
            {
                if (instrument.Name == "engine.role.latency")
                {
                    ref var role = ref Role(Tag(tags, "role"));
                    role.Requests++;
                    if (role.Latency.Count < MaxSamples) role.Latency.Add(value);
                }
                else if (instrument.Name == "engine.batch.queue_delay")
                {
                    List<double> delay = Scheduler(Tag(tags, "scheduler")).Delay;
                    if (delay.Count < MaxSamples) delay.Add(value);
                }
            }
        });
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) =>
        {
            if (instrument.Name != "engine.batch.size") return;
            lock (_gate)
            {
                ref var scheduler = ref Scheduler(Tag(tags, "scheduler"));
                scheduler.Batches++;
                scheduler.Items += value;
            }
        });
        _listener.Start();
    }

    /// <summary>The roles seen so far, by name.</summary>
    public IReadOnlyList<RoleFigures> Roles
    {
        get
        {
            lock (_gate)
                return _roles.OrderBy(r => r.Key, StringComparer.Ordinal)
                             .Select(r => new RoleFigures(r.Key, r.Value.Requests, r.Value.Refusals, Percentile(r.Value.Latency, 0.50), Percentile(r.Value.Latency, 0.99)))
                             .ToArray();
        }
    }

    /// <summary>The schedulers seen so far, by name.</summary>
    public IReadOnlyList<SchedulerFigures> Schedulers
    {
        get
        {
            lock (_gate)
                return _schedulers.OrderBy(s => s.Key, StringComparer.Ordinal)
                                  .Select(s => new SchedulerFigures(s.Key, s.Value.Batches, s.Value.Items, s.Value.Batches == 0 ? 0 : s.Value.Items / (double)s.Value.Batches,
                                                                    Percentile(s.Value.Delay, 0.50), s.Value.Delay.Count == 0 ? 0 : s.Value.Delay.Max()))
                                  .ToArray();
        }
    }

    /// <summary>Stops listening.</summary>
    public void Dispose() => _listener.Dispose();

    private ref (long Requests, long Refusals, List<double> Latency) Role(string name)
    {
        ref var entry = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_roles, name, out bool existed);
        if (!existed) entry = (0, 0, []);
        return ref entry;
    }

    private ref (long Batches, long Items, List<double> Delay) Scheduler(string name)
    {
        ref var entry = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_schedulers, name, out bool existed);
        if (!existed) entry = (0, 0, []);
        return ref entry;
    }

    private static string Tag(ReadOnlySpan<KeyValuePair<string, object?>> tags, string key)
    {
        foreach (KeyValuePair<string, object?> tag in tags)
            if (tag.Key == key) return tag.Value as string ?? "?";
        return "?";
    }

    private static double Percentile(List<double> samples, double q)
    {
        if (samples.Count == 0) return 0;
        double[] sorted = [.. samples];
        Array.Sort(sorted);
        return sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Length) - 1, 0, sorted.Length - 1)];
    }
}
