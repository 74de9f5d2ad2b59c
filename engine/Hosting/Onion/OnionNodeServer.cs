using System.Collections.Concurrent;
using System.Net;
using Engine.Hosting.Framing;
using Engine.Hosting.Roles;
using Engine.Onion.Roles;

namespace Engine.Hosting.Onion;

/// <summary>
/// A reference server for one onion node (relay or destination): the node's <see cref="OnionNodeRole"/> on the shared
/// <see cref="RoleServer"/> with routing. Setup and data packets arrive on inbound connections; ACKs and backward
/// packets return on the connection their link came from; next hops are dialled on demand from the directory (handle →
/// endpoint). Expired links are swept every few seconds. No cryptography here: every packet goes to <see cref="OnionNode"/>.
/// </summary>
public sealed class OnionNodeServer : IAsyncDisposable
{
    /// <summary>Largest frame accepted (a setup packet on the 3072-bit group is about 9 KiB; data up to 1 MiB).</summary>
    public const int MaxFrameBytes = (1 << 20) + 64 * 1024;

    /// <summary>Setups and ACKs being processed at once (waiting in the batch scheduler) before reading pauses.</summary>
    public const int MaxSetupsInFlight = 256;

    private readonly OnionNode _node;
    private readonly IReadOnlyDictionary<string, IPEndPoint> _directory;
    private readonly Func<byte[], byte[]?>? _onMessage;
    private readonly CancellationTokenSource _stopping = new();
    private RoleServer? _server;
    private Task? _sweep;
    private long _expiredRemoved;

    /// <summary>
    /// A server for <paramref name="node"/>. <paramref name="directory"/> maps node handles to endpoints (filled
    /// as servers start, so it is read at forwarding time). A destination answers each delivered message with
    /// <paramref name="onMessage"/>'s reply, if it returns one.
    /// </summary>
    public OnionNodeServer(OnionNode node, IReadOnlyDictionary<string, IPEndPoint> directory, Func<byte[], byte[]?>? onMessage = null)
    {
        _node = node;
        _directory = directory;
        _onMessage = onMessage;
        Connections = new ConnectionCounters("onion");
    }

    /// <summary>The bound endpoint, once started.</summary>
    public IPEndPoint? EndPoint => _server?.EndPoint;

    /// <summary>Frames processed: setups, data and backward packets and ACKs, from previous and next hops.</summary>
    public long PacketsProcessed => _server?.Counts.Requests ?? 0;

    /// <summary>Packets refused, by status (unreachable next hops and connections lost meanwhile included).</summary>
    public ConcurrentDictionary<EngineStatus, long> Refusals => _server?.RefusalsByStatus ?? new();

    /// <summary>
    /// Connection caps, timeouts and the send queue's size; set before <see cref="StartAsync"/>. A relay's links
    /// route back over the connection they came on, so an idle connection is kept 10 minutes (not the default 2).
    /// </summary>
    public ConnectionLimits Limits { get; init; } = DefaultLimits;

    /// <summary>A relay's default limits: <see cref="ConnectionLimits.Default"/> with a 10-minute idle timeout.</summary>
    public static ConnectionLimits DefaultLimits { get; } = ConnectionLimits.Default with { IdleTimeout = TimeSpan.FromMinutes(10) };

    /// <summary>What the connection limits refused or closed.</summary>
    public ConnectionCounters Connections { get; }

    /// <summary>Starts Kestrel on <paramref name="address"/> (loopback by default), port 0 picks a free port.</summary>
    public async Task StartAsync(IPAddress? address = null, int port = 0)
    {
        var role = new OnionNodeRole(_node) { OnMessage = _onMessage };
        _server = new RoleServer(role, MaxFrameBytes, Connections)
        {
            Limits = Limits,
            Routing = new RoleRouting { Resolve = handle => _directory.TryGetValue(handle, out IPEndPoint? endpoint) ? endpoint : null, MaxInFlight = MaxSetupsInFlight },
        };
        await _server.StartAsync(address, port).ConfigureAwait(false);
        _sweep = SweepExpiredLinksAsync();
    }

    /// <summary>How often expired links are removed from the node's table.</summary>
    public static TimeSpan ExpirySweepInterval { get; } = TimeSpan.FromSeconds(5);

    /// <summary>Links removed because their expiry passed.</summary>
    public long ExpiredLinksRemoved => Interlocked.Read(ref _expiredRemoved);

    private async Task SweepExpiredLinksAsync()
    {
        using var timer = new PeriodicTimer(ExpirySweepInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(_stopping.Token).ConfigureAwait(false))
                Interlocked.Add(ref _expiredRemoved, _node.RemoveExpired(DateTimeOffset.UtcNow));
        }
        catch (OperationCanceledException) { }
    }

    /// <summary>Stops Kestrel and closes every connection.</summary>
    public async ValueTask DisposeAsync()
    {
        _stopping.Cancel();
        if (_sweep is not null) await _sweep.ConfigureAwait(false);
        if (_server is not null) await _server.DisposeAsync().ConfigureAwait(false);
    }
}
