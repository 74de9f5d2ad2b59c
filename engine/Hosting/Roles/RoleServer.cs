using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Engine.Hosting.Framing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.ObjectPool;

namespace Engine.Hosting.Roles;

/// <summary>
/// The one Kestrel frame server for every role (issue #14): raw TCP, length-prefixed frames, 127.0.0.1 by default,
/// the connection limits of <see cref="ConnectionLimits"/>. A new connection gets the role's greeting (if it has one),
/// then each frame is one request answered through <see cref="IEngineRole.ProcessAsync"/>; every answer is counted in
/// <see cref="RoleMetrics"/>. No cryptography here.
/// </summary>
/// <remarks>
/// A request–response role answers on the same connection, one request in flight per connection (the frame's buffer
/// is the server's only until the request returns) while other connections' requests fill the same batches. A
/// routing role (<see cref="IRoutingRole"/>, with <see cref="Routing"/> set: an onion relay) sends each reply where
/// its <see cref="RoleReply.Route"/> says, dialling next hops on demand; its pipelined requests (setups, ACKs) are
/// copied and processed while the connection's next frames are read, so one previous hop's setups batch together.
/// </remarks>
public sealed class RoleServer : IAsyncDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<string, FrameChannel> _inbound = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Lazy<Task<FrameChannel>>> _outbound = new(StringComparer.Ordinal);
    private readonly List<Socket> _sockets = [];
    private readonly ObjectPool<ArrayBufferWriter<byte>> _buffers = new DefaultObjectPool<ArrayBufferWriter<byte>>(new BufferPolicy(), 256);
    private SemaphoreSlim? _inFlight;
    private WebApplication? _app;
    private long _requests, _refusals, _bytesIn, _bytesOut, _connections;
    private int _inFlightNow, _inFlightPeak;

    /// <summary>
    /// A server for <paramref name="role"/> reading request frames of at most <paramref name="maxRequestBytes"/>, counting
    /// its connections in <paramref name="connections"/> (a new set named after the role if null).
    /// </summary>
    public RoleServer(IEngineRole role, int maxRequestBytes, ConnectionCounters? connections = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRequestBytes, 16);
        (Role, MaxRequestBytes, Connections) = (role, maxRequestBytes, connections ?? new ConnectionCounters(role.Name));
    }

    /// <summary>The role.</summary>
    public IEngineRole Role { get; }

    /// <summary>Largest request frame read.</summary>
    public int MaxRequestBytes { get; }

    /// <summary>The bound endpoint, once started.</summary>
    public IPEndPoint? EndPoint { get; private set; }

    /// <summary>Requests handled (frames from next hops included) and refused, and payload bytes received and sent.</summary>
    public (long Requests, long Refusals, long BytesIn, long BytesOut) Counts
        => (Interlocked.Read(ref _requests), Interlocked.Read(ref _refusals), Interlocked.Read(ref _bytesIn), Interlocked.Read(ref _bytesOut));

    /// <summary>The most pipelined requests a routing role had in flight at once (never above <see cref="RoleRouting.MaxInFlight"/>).</summary>
    public int PeakPipelinedInFlight => Volatile.Read(ref _inFlightPeak);

    /// <summary>Refusals by status (a routing role's unreachable next hops and lost connections included).</summary>
    public ConcurrentDictionary<EngineStatus, long> RefusalsByStatus { get; } = new();

    /// <summary>Connection caps, timeouts and the send queue's size; set before <see cref="StartAsync"/>.</summary>
    public ConnectionLimits Limits { get; init; } = ConnectionLimits.Default;

    /// <summary>For a routing role (<see cref="IRoutingRole"/>): how the peers its replies name are reached. Null: every reply goes back to its sender.</summary>
    public RoleRouting? Routing { get; init; }

    /// <summary>What the connection limits refused or closed.</summary>
    public ConnectionCounters Connections { get; }

    /// <summary>The stopping token (cancelled by <see cref="DisposeAsync"/>).</summary>
    public CancellationToken Stopping => _stopping.Token;

    /// <summary>Starts Kestrel on <paramref name="address"/> (loopback by default); port 0 picks a free port.</summary>
    public async Task StartAsync(IPAddress? address = null, int port = 0)
    {
        if (Routing is not null && Role is not IRoutingRole) throw new InvalidOperationException($"{Role.Name} does not route: set no Routing.");
        if (Routing is not null) _inFlight = new SemaphoreSlim(Routing.MaxInFlight, Routing.MaxInFlight);
        (_app, EndPoint) = await KestrelListener.StartAsync<Handler, RoleServer>(this, address, port, Limits, Connections, MaxRequestBytes).ConfigureAwait(false);
    }

    private sealed class Handler(RoleServer server) : ConnectionHandler
    {
        public override Task OnConnectedAsync(ConnectionContext connection) => server.ServeAsync(connection);
    }

    private async Task ServeAsync(ConnectionContext connection)
    {
        var channel = FrameChannel.Accept(connection, MaxRequestBytes, Limits, Connections);
        // A routing role's replies name the previous hop by its connection's peer name: one the server gives, unique.
        string peer = Routing is null ? connection.RemoteEndPoint?.ToString() ?? "client" : "conn-" + Interlocked.Increment(ref _connections);
        var state = new RoleConnection(peer) { RemoteAddress = (connection.RemoteEndPoint as IPEndPoint)?.Address };
        // One buffer per connection, reused by every answer: the channel copies a frame into its send queue
        // before SendAsync returns, and a connection has one request in flight (pipelined ones take their own).
        var response = new ArrayBufferWriter<byte>();
        byte type = Role.Open(state, response);
        if (type != 0) await channel.SendAsync(type, response.WrittenMemory).ConfigureAwait(false);
        if (Routing is not null) _inbound[peer] = channel;
        try
        {
            await channel.RunAsync((t, payload) => OnFrameAsync(channel, state, response, t, payload, fromNextHop: false), _stopping.Token).ConfigureAwait(false);
        }
        finally
        {
            if (Routing is not null) _inbound.TryRemove(peer, out _);
            response.Clear();                                                  // answers may hold session material
            (state.State as IDisposable)?.Dispose();
        }
    }

    private async ValueTask OnFrameAsync(FrameChannel channel, RoleConnection state, ArrayBufferWriter<byte> response, byte type, Memory<byte> payload, bool fromNextHop)
    {
        if (Role is IRoutingRole routing && Routing is not null && routing.IsPipelined(type))
        {
            // Not awaited: the next frame is read while this one waits in the batch. Bounded by MaxInFlight.
            await _inFlight!.WaitAsync(_stopping.Token).ConfigureAwait(false);
            int now = Interlocked.Increment(ref _inFlightNow);
            for (int peak = Volatile.Read(ref _inFlightPeak); now > peak && Interlocked.CompareExchange(ref _inFlightPeak, now, peak) != peak; peak = Volatile.Read(ref _inFlightPeak)) { }
            byte[] copy = ArrayPool<byte>.Shared.Rent(payload.Length);
            payload.Span.CopyTo(copy);
            _ = PipelinedAsync(channel, state, type, copy, payload.Length, fromNextHop);
            return;
        }
        response.Clear();
        await HandleAsync(channel, state, type, payload, response, fromNextHop).ConfigureAwait(false);
    }

    private async Task PipelinedAsync(FrameChannel channel, RoleConnection state, byte type, byte[] copy, int length, bool fromNextHop)
    {
        ArrayBufferWriter<byte> response = _buffers.Get();
        try { await HandleAsync(channel, state, type, copy.AsMemory(0, length), response, fromNextHop).ConfigureAwait(false); }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
            RefusalsByStatus.AddOrUpdate(EngineStatus.InternalError, 1, (_, n) => n + 1);   // a connection went away meanwhile
        }
        finally
        {
            _buffers.Return(response);
            ArrayPool<byte>.Shared.Return(copy, clearArray: true);
            Interlocked.Decrement(ref _inFlightNow);
            _inFlight!.Release();
        }
    }

    /// <summary>One request: processed, counted, and its reply sent back, on, or (from a next hop, with no route) dropped.</summary>
    private async ValueTask HandleAsync(FrameChannel channel, RoleConnection state, byte type, ReadOnlyMemory<byte> request, ArrayBufferWriter<byte> response, bool fromNextHop)
    {
        long start = Stopwatch.GetTimestamp();
        Interlocked.Increment(ref _requests);
        Interlocked.Add(ref _bytesIn, request.Length);
        RoleReply reply = await Role.ProcessAsync(state, type, request, response, _stopping.Token).ConfigureAwait(false);
        if (reply.Status != EngineStatus.Ok)
        {
            Interlocked.Increment(ref _refusals);
            RefusalsByStatus.AddOrUpdate(reply.Status, 1, (_, n) => n + 1);
        }
        RoleMetrics.Record(Role.Name, reply, Stopwatch.GetElapsedTime(start).TotalMilliseconds, request.Length, response.WrittenCount);
        if (Role is not IRoutingRole routing || Routing is null)
        {
            await SendAsync(channel, reply.Type, response.WrittenMemory).ConfigureAwait(false);
            return;
        }
        if (reply.Route is null)
        {
            if (fromNextHop) return;                                           // nothing goes back to a next hop
            if (!routing.IsDelivery(reply))
            {
                await SendAsync(channel, reply.Type, response.WrittenMemory).ConfigureAwait(false);
                return;
            }
            ArrayBufferWriter<byte> answer = _buffers.Get();
            try
            {
                if (routing.Deliver(state, request.Span, response.WrittenSpan, answer) is { } back)
                    await SendAsync(channel, back.Type, answer.WrittenMemory).ConfigureAwait(false);
            }
            finally { _buffers.Return(answer); }
            return;
        }
        FrameChannel? target = await RouteAsync(reply.Route).ConfigureAwait(false);
        if (target is not null)
        {
            await SendAsync(target, reply.Type, response.WrittenMemory).ConfigureAwait(false);
            return;
        }
        RefusalsByStatus.AddOrUpdate(EngineStatus.Unreachable, 1, (_, n) => n + 1);
        if (fromNextHop) return;                                               // the previous hop is gone: drop
        response.Clear();
        RoleReply refusal = routing.Unroutable(state, type, request.Span, response);
        await SendAsync(channel, refusal.Type, response.WrittenMemory).ConfigureAwait(false);
    }

    private ValueTask SendAsync(FrameChannel channel, byte type, ReadOnlyMemory<byte> payload)
    {
        Interlocked.Add(ref _bytesOut, payload.Length);
        return channel.SendAsync(type, payload);
    }

    /// <summary>
    /// Where a route leads: a connected peer by its connection's name, else a peer of the routing directory over a
    /// connection dialled once per name (its frames are requests too); null when unknown, refused, not answering
    /// within the write timeout, or dropped. A failed or dropped connection leaves the cache, so the next use dials again.
    /// </summary>
    private async Task<FrameChannel?> RouteAsync(string route)
    {
        if (_inbound.TryGetValue(route, out FrameChannel? previous)) return previous;
        if (Routing!.Resolve(route) is null) return null;
        Lazy<Task<FrameChannel>> entry = _outbound.GetOrAdd(route, r => new Lazy<Task<FrameChannel>>(() => ConnectAsync(r)));
        try
        {
            FrameChannel channel = await entry.Value.ConfigureAwait(false);
            if (!channel.Dropped) return channel;
        }
        catch (Exception e) when (e is SocketException or InvalidOperationException or IOException or OperationCanceledException) { }
        _outbound.TryRemove(new KeyValuePair<string, Lazy<Task<FrameChannel>>>(route, entry));
        return null;
    }

    private async Task<FrameChannel> ConnectAsync(string peer)
    {
        IPEndPoint endpoint = Routing!.Resolve(peer) ?? throw new InvalidOperationException($"No endpoint for {peer}.");
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
        // no idle timeout on this side: the next hop closes idle connections itself.
        var channel = new FrameChannel(PipeReader.Create(stream), PipeWriter.Create(stream), MaxRequestBytes,
                                       new FrameChannelOptions { Limits = Limits, QueueSends = true, Abort = socket.Dispose, Counters = Connections });
        _ = RunOutboundAsync(peer, socket, channel);
        return channel;
    }

    /// <summary>Reads what a next hop sends back (an onion relay's ACKs and backward packets) as requests from that peer.</summary>
    private async Task RunOutboundAsync(string peer, Socket socket, FrameChannel channel)
    {
        var state = new RoleConnection(peer);
        var response = new ArrayBufferWriter<byte>();
        try { await channel.RunAsync((t, payload) => OnFrameAsync(channel, state, response, t, payload, fromNextHop: true), _stopping.Token).ConfigureAwait(false); }
        finally
        {
            if (_outbound.TryGetValue(peer, out Lazy<Task<FrameChannel>>? cached) && cached.IsValueCreated
                && cached.Value.IsCompletedSuccessfully && ReferenceEquals(cached.Value.Result, channel))
                _outbound.TryRemove(new KeyValuePair<string, Lazy<Task<FrameChannel>>>(peer, cached));
            lock (_sockets) _sockets.Remove(socket);
            socket.Dispose();
            response.Clear();
        }
    }

    /// <summary>Stops Kestrel and closes every connection, dialled ones too.</summary>
    public async ValueTask DisposeAsync()
    {
        _stopping.Cancel();
        lock (_sockets) foreach (Socket s in _sockets) s.Dispose();
        await KestrelListener.StopAsync(_app).ConfigureAwait(false);
    }

    /// <summary>Pipelined requests' answer buffers: wiped on return (answers may hold session material), dropped past 1 MiB.</summary>
    private sealed class BufferPolicy : PooledObjectPolicy<ArrayBufferWriter<byte>>
    {
        public override ArrayBufferWriter<byte> Create() => new(4096);

        public override bool Return(ArrayBufferWriter<byte> buffer)
        {
            buffer.Clear();
            return buffer.Capacity <= 1 << 20;
        }
    }
}
