using System.Diagnostics.Metrics;

namespace Engine.Hosting.Framing;

/// <summary>
/// What a server's connection limits did (issue #15: "refusals counted"): read by the CLI and tests, and published
/// as the <c>engine.connections.*</c> counters of the <c>Engine.Hosting</c> meter, tagged with the server's role.
/// </summary>
public sealed class ConnectionCounters
{
    private static readonly Meter HostingMeter = new("Engine.Hosting");
    private static readonly Counter<long> AcceptedMetric = HostingMeter.CreateCounter<long>("engine.connections.accepted");
    private static readonly Counter<long> ClosedMetric = HostingMeter.CreateCounter<long>("engine.connections.closed", description: "connections closed by a limit, tagged by reason");

    private readonly KeyValuePair<string, object?> _role;
    private long _accepted, _refusedTotal, _refusedPerAddress, _timedOut, _tooLarge, _malformed, _slowReaders;

    /// <summary>Counters for a server of <paramref name="role"/> (a metric tag: kgc, relay, s1, …).</summary>
    public ConnectionCounters(string role) => _role = new("role", role);

    /// <summary>Connections accepted (within the caps).</summary>
    public long Accepted => Interlocked.Read(ref _accepted);

    /// <summary>Connections closed at once because the server was at <see cref="ConnectionLimits.MaxConnections"/>.</summary>
    public long RefusedTotal => Interlocked.Read(ref _refusedTotal);

    /// <summary>Connections closed at once because their address was at <see cref="ConnectionLimits.MaxConnectionsPerAddress"/>.</summary>
    public long RefusedPerAddress => Interlocked.Read(ref _refusedPerAddress);

    /// <summary>Connections closed because a frame (or the next one) did not arrive in time.</summary>
    public long TimedOut => Interlocked.Read(ref _timedOut);

    /// <summary>Connections closed because a frame announced more than the role's maximum.</summary>
    public long FramesTooLarge => Interlocked.Read(ref _tooLarge);

    /// <summary>Connections closed because a frame header was malformed.</summary>
    public long MalformedFrames => Interlocked.Read(ref _malformed);

    /// <summary>Peers dropped because they did not read what was sent to them.</summary>
    public long SlowReadersDropped => Interlocked.Read(ref _slowReaders);

    internal void OnAccepted() { Interlocked.Increment(ref _accepted); AcceptedMetric.Add(1, _role); }

    internal void OnRefusedTotal() => Closed(ref _refusedTotal, "max-connections");

    internal void OnRefusedPerAddress() => Closed(ref _refusedPerAddress, "max-per-address");

    internal void OnSlowReader() => Closed(ref _slowReaders, "slow-reader");

    /// <summary>Counts the status a read loop ended with (nothing for a clean close).</summary>
    internal void OnReadEnded(EngineStatus status)
    {
        switch (status)
        {
            case EngineStatus.TimedOut: Closed(ref _timedOut, "timeout"); break;
            case EngineStatus.FrameTooLarge: Closed(ref _tooLarge, "frame-too-large"); break;
            case EngineStatus.Malformed: Closed(ref _malformed, "malformed-frame"); break;
        }
    }

    private void Closed(ref long counter, string reason)
    {
        Interlocked.Increment(ref counter);
        ClosedMetric.Add(1, _role, new("reason", reason));
    }

    /// <inheritdoc/>
    public override string ToString()
        => $"accepted {Accepted}, refused {RefusedTotal} (server full) + {RefusedPerAddress} (address full), timed out {TimedOut}, " +
           $"frames too large {FramesTooLarge}, malformed {MalformedFrames}, slow readers dropped {SlowReadersDropped}";
}
