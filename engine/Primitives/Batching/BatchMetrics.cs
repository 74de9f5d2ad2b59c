using System.Diagnostics.Metrics;

namespace Engine.Primitives.Batching;

/// <summary>
/// The batch schedulers' instruments (System.Diagnostics.Metrics, meter <see cref="MeterName"/>): the size of every
/// batch computed and how long its oldest request waited in the queue, each a histogram tagged with the scheduler
/// ("modexp/2048", "signature", "proof", "ring-signature").
/// </summary>
public static class BatchMetrics
{
    /// <summary>The meter's name, to subscribe to.</summary>
    public const string MeterName = "Engine.Batching";

    private static readonly Meter Meter = new(MeterName);

    /// <summary>engine.batch.size: items per computed batch (tag scheduler).</summary>
    public static readonly Histogram<int> Size = Meter.CreateHistogram<int>("engine.batch.size", unit: "{item}", description: "Items per computed batch",
        advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 4, 8, 16, 32, 64, 128, 256] });

    /// <summary>engine.batch.queue_delay: how long a batch's oldest request waited before a worker took it (tag scheduler).</summary>
    public static readonly Histogram<double> QueueDelay = Meter.CreateHistogram<double>("engine.batch.queue_delay", unit: "ms", description: "Queue delay of a batch's oldest request",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 25, 50, 100] });

    internal static void Record(string scheduler, int items, double waitedMilliseconds)
    {
        var tag = new KeyValuePair<string, object?>("scheduler", scheduler);
        Size.Record(items, tag);
        QueueDelay.Record(waitedMilliseconds, tag);
    }
}
