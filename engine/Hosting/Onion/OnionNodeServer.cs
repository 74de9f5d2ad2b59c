using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.IO.Pipelines;
using Engine.Hosting.Framing;
using Engine.Hosting.Roles;
using Engine.Onion.Roles;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;

namespace Engine.Hosting.Onion;

/// <summary>
/// A reference server for one onion node (relay or destination) on Kestrel: raw TCP, length-prefixed frames,
/// bound to 127.0.0.1 by default. Setup and data packets arrive on inbound connections; ACKs and backward packets
/// return on the connection their link came from. Next hops are reached over outbound connections opened on
/// demand from the directory (handle → endpoint). No cryptography here: every packet goes to <see cref="OnionNode"/>.
/// </summary>
public sealed class OnionNodeServer : IAsyncDisposable
{
    /// <summary>Largest frame accepted (a setup packet on the 3072-bit group is about 9 KiB; data up to 1 MiB).</summary>
    public const int MaxFrameBytes = (1 << 20) + 64 * 1024;

    /// <summary>Setups and ACKs being processed at once (waiting in the batch scheduler) before reading pauses.</summary>
    public const int MaxSetupsInFlight = 256;

    private readonly OnionNode _node;
    private readonly string _roleName;
    private readonly IReadOnlyDictionary<string, IPEndPoint> _directory;
    private readonly Func<byte[], byte[]?>? _onMessage;
    private readonly ConcurrentDictionary<string, FrameChannel> _inbound = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Lazy<Task<FrameChannel>>> _outbound = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private readonly SemaphoreSlim _inFlight = new(MaxSetupsInFlight, MaxSetupsInFlight);
    private readonly List<Socket> _sockets = new();
    private WebApplication? _app;
    private int _connectionCounter;

    /// <summary>
    /// A server for <paramref name="node"/>. <paramref name="directory"/> maps node handles to endpoints (filled
    /// as servers start, so it is read at forwarding time). A destination answers each delivered message with
    /// <paramref name="onMessage"/>'s reply, if it returns one.
    /// </summary>
    public OnionNodeServer(OnionNode node, IReadOnlyDictionary<string, IPEndPoint> directory, Func<byte[], byte[]?>? onMessage = null)
    {
        _node = node;
        _roleName = "onion/" + node.Id;
        _directory = directory;
        _onMessage = onMessage;
    }

    /// <summary>The bound endpoint, once started.</summary>
    public IPEndPoint? EndPoint { get; private set; }

    /// <summary>Counters for the simulation's report.</summary>
    public long PacketsProcessed => Interlocked.Read(ref _packets);
    private long _packets;

    /// <summary>Packets refused, by status.</summary>
    public ConcurrentDictionary<EngineStatus, long> Refusals { get; } = new();

    /// <summary>
    /// Connection caps, timeouts and the send queue's size; set before <see cref="StartAsync"/>. A relay's links
    /// route back over the connection they came on, so an idle connection is kept 10 minutes (not the default 2).
    /// </summary>
    public ConnectionLimits Limits { get; init; } = DefaultLimits;

    /// <summary>A relay's default limits: <see cref="ConnectionLimits.Default"/> with a 10-minute idle timeout.</summary>
    public static ConnectionLimits DefaultLimits { get; } = ConnectionLimits.Default with { IdleTimeout = TimeSpan.FromMinutes(10) };

    /// <summary>What the connection limits refused or closed.</summary>
    public ConnectionCounters Connections { get; } = new("onion");

    /// <summary>Starts Kestrel on <paramref name="address"/> (loopback by default), port 0 picks a free port.</summary>
    public async Task StartAsync(IPAddress? address = null, int port = 0)
    {
        (_app, EndPoint) = await KestrelListener.StartAsync<InboundHandler, OnionNodeServer>(this, address, port, Limits, Connections, MaxFrameBytes).ConfigureAwait(false);
        _sweep = SweepExpiredLinksAsync();
    }

    /// <summary>How often expired links are removed from the node's table.</summary>
    public static TimeSpan ExpirySweepInterval { get; } = TimeSpan.FromSeconds(5);

    /// <summary>Links removed because their expiry passed.</summary>
    public long ExpiredLinksRemoved => Interlocked.Read(ref _expiredRemoved);
    private long _expiredRemoved;
    private Task? _sweep;

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

    private sealed class InboundHandler(OnionNodeServer server) : ConnectionHandler
    {
        public override Task OnConnectedAsync(ConnectionContext connection) => server.ServeInboundAsync(connection);
    }

    private async Task ServeInboundAsync(ConnectionContext connection)
    {
        string id = "conn-" + Interlocked.Increment(ref _connectionCounter);
        FrameChannel channel = FrameChannel.Accept(connection, MaxFrameBytes, Limits, Connections);
        _inbound[id] = channel;
        try
        {
            await channel.RunAsync((type, payload) => OnInboundFrameAsync(id, channel, type, payload), _stopping.Token).ConfigureAwait(false);
        }
        finally
        {
            _inbound.TryRemove(id, out _);
        }
    }

    private async ValueTask OnInboundFrameAsync(string connectionId, FrameChannel channel, byte type, Memory<byte> payload)
    {
        Interlocked.Increment(ref _packets);
        DateTimeOffset now = DateTimeOffset.UtcNow;
        long start = System.Diagnostics.Stopwatch.GetTimestamp();
        switch ((OnionFrameType)type)
        {
            case OnionFrameType.Setup:
            {
                // Not awaited: the next frame is read while this setup's exponentiations wait in the batch, so the
                // setups of one connection (all of them, between two relays) batch together. Bounded by _inFlight.
                await _inFlight.WaitAsync(_stopping.Token).ConfigureAwait(false);
                _ = HandleSetupAsync(connectionId, channel, payload.ToArray(), now, start);
                return;
            }
            case OnionFrameType.Data:
            {
                // In place: the frame's pooled buffer becomes the packet for the next hop.
                EngineStatus status = _node.ProcessData(payload.Span, now, out DataRoute route);
                Record(status, type, start, payload.Length);
                if (status != EngineStatus.Ok) { await RefuseAsync(channel, status).ConfigureAwait(false); return; }
                if (route.Action == SetupAction.Forward)
                {
                    FrameChannel? next = await TryOutboundAsync(route.Destination).ConfigureAwait(false);
                    if (next is null) { await RefuseAsync(channel, EngineStatus.Unreachable).ConfigureAwait(false); return; }
                    await next.SendAsync(type, payload).ConfigureAwait(false);
                    return;
                }
                byte[]? reply = _onMessage?.Invoke(payload.Slice(route.MessageOffset, route.MessageLength).ToArray());
                if (reply is not null)
                {
                    string inLinkId = Convert.ToHexStringLower(payload.Span[..Engine.Onion.Setup.SetupLayout.LinkIdSize]);
                    Outgoing back = _node.CreateBackward(inLinkId, reply, now.AddMinutes(1));
                    await channel.SendAsync((byte)OnionFrameType.Backward, back.Packet).ConfigureAwait(false);
                }
                return;
            }
            default:
                Record(EngineStatus.UnknownMessageType, (byte)OnionFrameType.Error, start, payload.Length);
                await RefuseAsync(channel, EngineStatus.UnknownMessageType).ConfigureAwait(false);
                return;
        }
    }

    /// <summary>Counts a setup or data packet in the role instruments (<see cref="RoleMetrics"/>, role "onion/ID").</summary>
    private void Record(EngineStatus status, byte type, long start, int bytesIn)
        => RoleMetrics.Record(_roleName, new RoleReply(status, status == EngineStatus.Ok ? type : (byte)OnionFrameType.Error),
                              System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalMilliseconds, bytesIn, status == EngineStatus.Ok ? bytesIn : 1);

    private async Task HandleSetupAsync(string connectionId, FrameChannel channel, byte[] packet, DateTimeOffset now, long start)
    {
        try
        {
            SetupResult result = await _node.ProcessSetupAsync(packet, connectionId, now).ConfigureAwait(false);
            Record(result.Status, (byte)OnionFrameType.Setup, start, packet.Length);
            if (result.Status != EngineStatus.Ok) { await RefuseAsync(channel, result.Status).ConfigureAwait(false); return; }
            Outgoing outgoing = result.Outgoing;
            if (outgoing.Action == SetupAction.Acknowledge) { await channel.SendAsync((byte)OnionFrameType.Ack, outgoing.Packet).ConfigureAwait(false); return; }
            FrameChannel? next = await TryOutboundAsync(outgoing.Destination).ConfigureAwait(false);
            if (next is null)
            {
                // Unknown or dead next hop: forget the link just made and tell the previous hop why.
                _node.RemoveLink(packet);
                await RefuseAsync(channel, EngineStatus.Unreachable).ConfigureAwait(false);
                return;
            }
            await next.SendAsync((byte)OnionFrameType.Setup, outgoing.Packet).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
            Refusals.AddOrUpdate(EngineStatus.InternalError, 1, (_, n) => n + 1);      // connection gone or next hop unknown
        }
        finally
        {
            _inFlight.Release();
        }
    }

    private async Task HandleAckAsync(byte[] packet)
    {
        try
        {
            SetupResult result = await _node.ProcessAckAsync(packet, DateTimeOffset.UtcNow).ConfigureAwait(false);
            if (result.Status != EngineStatus.Ok) { Refusals.AddOrUpdate(result.Status, 1, (_, n) => n + 1); return; }
            if (_inbound.TryGetValue(result.Outgoing.Destination, out FrameChannel? previous))
                await previous.SendAsync((byte)OnionFrameType.Ack, result.Outgoing.Packet).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
        {
            Refusals.AddOrUpdate(EngineStatus.InternalError, 1, (_, n) => n + 1);
        }
        finally
        {
            _inFlight.Release();
        }
    }

    private ValueTask RefuseAsync(FrameChannel channel, EngineStatus status)
    {
        Refusals.AddOrUpdate(status, 1, (_, n) => n + 1);
        return channel.SendAsync((byte)OnionFrameType.Error, new[] { (byte)status });
    }

    /// <summary>
    /// The connection to the next hop, opened once per handle (its read loop carries ACKs and backward packets back);
    /// null when the hop is unknown, refuses, does not answer within the write timeout, or was dropped. A failed or
    /// dropped connection leaves the cache, so the next packet for that hop dials again.
    /// </summary>
    private async Task<FrameChannel?> TryOutboundAsync(string handle)
    {
        Lazy<Task<FrameChannel>> entry = _outbound.GetOrAdd(handle, h => new Lazy<Task<FrameChannel>>(() => ConnectAsync(h)));
        try
        {
            FrameChannel channel = await entry.Value.ConfigureAwait(false);
            if (!channel.Dropped) return channel;
        }
        catch (Exception e) when (e is SocketException or InvalidOperationException or IOException or OperationCanceledException) { }
        _outbound.TryRemove(new KeyValuePair<string, Lazy<Task<FrameChannel>>>(handle, entry));
        return null;
    }

    private async Task<FrameChannel> ConnectAsync(string handle)
    {
        if (!_directory.TryGetValue(handle, out IPEndPoint? endpoint)) throw new InvalidOperationException($"No endpoint for node {handle}.");
        var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
            timeout.CancelAfter(Limits.WriteTimeout);
            await socket.ConnectAsync(endpoint, timeout.Token).ConfigureAwait(false);
        }
        catch { socket.Dispose(); throw; }
        lock (_sockets) _sockets.Add(socket);
        var stream = new NetworkStream(socket, ownsSocket: true);
        // Sends to the next hop queue like a server's (a next hop that stops reading is dropped, not waited for);
        // no idle timeout on this side: the next hop closes idle links itself.
        var channel = new FrameChannel(PipeReader.Create(stream), PipeWriter.Create(stream), MaxFrameBytes,
                                       new FrameChannelOptions { Limits = Limits, QueueSends = true, Abort = socket.Dispose, Counters = Connections });
        _ = RunOutboundAsync(handle, socket, channel);
        return channel;
    }

    /// <summary>Reads ACKs and backward packets from a next hop; when that connection ends, the next setup to that hop dials again.</summary>
    private async Task RunOutboundAsync(string handle, Socket socket, FrameChannel channel)
    {
        try { await channel.RunAsync(OnOutboundFrameAsync, _stopping.Token).ConfigureAwait(false); }
        finally
        {
            if (_outbound.TryGetValue(handle, out Lazy<Task<FrameChannel>>? cached) && cached.IsValueCreated
                && cached.Value.IsCompletedSuccessfully && ReferenceEquals(cached.Value.Result, channel))
                _outbound.TryRemove(new KeyValuePair<string, Lazy<Task<FrameChannel>>>(handle, cached));
            lock (_sockets) _sockets.Remove(socket);
            socket.Dispose();
        }
    }

    private async ValueTask OnOutboundFrameAsync(byte type, Memory<byte> payload)
    {
        Interlocked.Increment(ref _packets);
        EngineStatus status;
        string destination;
        switch ((OnionFrameType)type)
        {
            case OnionFrameType.Ack:
                await _inFlight.WaitAsync(_stopping.Token).ConfigureAwait(false);
                _ = HandleAckAsync(payload.ToArray());                          // batched like setups
                return;
            case OnionFrameType.Backward:
                status = _node.ProcessBackward(payload.Span, DateTimeOffset.UtcNow, out DataRoute route);
                destination = route.Destination;
                break;
            case OnionFrameType.Error: return;                                   // a refusal further along: nothing to undo here
            default: status = EngineStatus.UnknownMessageType; destination = ""; break;
        }
        if (status != EngineStatus.Ok)
        {
            Refusals.AddOrUpdate(status, 1, (_, n) => n + 1);
            return;
        }
        if (_inbound.TryGetValue(destination, out FrameChannel? previous))
            await previous.SendAsync(type, payload).ConfigureAwait(false);
    }

    /// <summary>Stops Kestrel and closes every connection.</summary>
    public async ValueTask DisposeAsync()
    {
        _stopping.Cancel();
        if (_sweep is not null) await _sweep.ConfigureAwait(false);
        lock (_sockets) foreach (Socket s in _sockets) s.Dispose();
        await KestrelListener.StopAsync(_app).ConfigureAwait(false);
    }
}
