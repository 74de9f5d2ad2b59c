using System.Diagnostics.Metrics;

namespace Engine.Hosting.Roles;

/// <summary>
/// The role servers' instruments (System.Diagnostics.Metrics, meter <see cref="MeterName"/>): requests and refusals
/// (by role, and refusals by status), request latency (a histogram per role, milliseconds), and request and response
/// bytes. Any listener can read them: the CLI's <c>--metrics-port</c> exports them in the Prometheus text format via
/// OpenTelemetry; tests read them with a <see cref="MeterListener"/>.
/// </summary>
public static class RoleMetrics
{
    /// <summary>The meter's name, to subscribe to.</summary>
    public const string MeterName = "Engine.Roles";

    private static readonly Meter Meter = new(MeterName);

    /// <summary>engine.role.requests: every request a role server received (tag role).</summary>
    public static readonly Counter<long> Requests = Meter.CreateCounter<long>("engine.role.requests", description: "Requests received by a role server");

    /// <summary>engine.role.refusals: requests answered with a refusal (tags role, status).</summary>
    public static readonly Counter<long> Refusals = Meter.CreateCounter<long>("engine.role.refusals", description: "Requests refused, by status");

    /// <summary>engine.role.latency: time from a request's arrival to its answer being queued (tag role).</summary>
    public static readonly Histogram<double> Latency = Meter.CreateHistogram<double>("engine.role.latency", unit: "ms", description: "Request latency",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 10000] });

    /// <summary>engine.role.bytes: request and response payload bytes (tags role, direction in|out).</summary>
    public static readonly Counter<long> Bytes = Meter.CreateCounter<long>("engine.role.bytes", unit: "By", description: "Payload bytes");

    /// <summary>Records one answered request.</summary>
    public static void Record(string role, RoleReply reply, double milliseconds, int requestBytes, int responseBytes)
    {
        var tag = new KeyValuePair<string, object?>("role", role);
        Requests.Add(1, tag);
        if (reply.Status != EngineStatus.Ok) Refusals.Add(1, tag, new KeyValuePair<string, object?>("status", reply.Status.ToString()));
        Latency.Record(milliseconds, tag);
        Bytes.Add(requestBytes, tag, new KeyValuePair<string, object?>("direction", "in"));
        Bytes.Add(responseBytes, tag, new KeyValuePair<string, object?>("direction", "out"));
    }
}
