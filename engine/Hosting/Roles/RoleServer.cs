using System.Buffers;
using System.Diagnostics;
using System.Net;
using Engine.Hosting.Framing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;

namespace Engine.Hosting.Roles;

/// <summary>
/// The one Kestrel frame server for any request–response role (issue #14): raw TCP, length-prefixed frames, 127.0.0.1
/// by default, the connection limits of <see cref="ConnectionLimits"/>. A new connection gets the role's greeting (if
/// it has one), then each frame is one request answered on the same connection through
/// <see cref="IEngineRole.ProcessAsync"/>; every answer is counted in <see cref="RoleMetrics"/>. No cryptography here.
/// </summary>
/// <remarks>
/// The frame's buffer is the server's only until the request returns, so each connection has one request in flight,
/// while other connections' requests fill the same batches. Onion relays forward to other nodes and keep their own
/// server (<c>OnionNodeServer</c>); their role still takes the contract (<see cref="OnionNodeRole"/>).
/// </remarks>
public sealed class RoleServer : IAsyncDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private WebApplication? _app;
    private long _requests, _refusals, _bytesIn, _bytesOut;

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

    /// <summary>Requests handled and refused, and payload bytes received and sent.</summary>
    public (long Requests, long Refusals, long BytesIn, long BytesOut) Counts
        => (Interlocked.Read(ref _requests), Interlocked.Read(ref _refusals), Interlocked.Read(ref _bytesIn), Interlocked.Read(ref _bytesOut));

    /// <summary>Connection caps, timeouts and the send queue's size; set before <see cref="StartAsync"/>.</summary>
    public ConnectionLimits Limits { get; init; } = ConnectionLimits.Default;

    /// <summary>What the connection limits refused or closed.</summary>
    public ConnectionCounters Connections { get; }

    /// <summary>The stopping token (cancelled by <see cref="DisposeAsync"/>).</summary>
    public CancellationToken Stopping => _stopping.Token;

    /// <summary>Starts Kestrel on <paramref name="address"/> (loopback by default); port 0 picks a free port.</summary>
    public async Task StartAsync(IPAddress? address = null, int port = 0)
        => (_app, EndPoint) = await KestrelListener.StartAsync<Handler, RoleServer>(this, address, port, Limits, Connections, MaxRequestBytes).ConfigureAwait(false);

    private sealed class Handler(RoleServer server) : ConnectionHandler
    {
        public override async Task OnConnectedAsync(ConnectionContext connection)
        {
            var channel = FrameChannel.Accept(connection, server.MaxRequestBytes, server.Limits, server.Connections);
            var state = new RoleConnection(connection.RemoteEndPoint?.ToString() ?? "client") { RemoteAddress = (connection.RemoteEndPoint as IPEndPoint)?.Address };
            // One buffer per connection, reused by every answer: the channel copies a frame into its send queue
            // before SendAsync returns, and a connection has one request in flight.
            var response = new ArrayBufferWriter<byte>();
            byte type = server.Role.Open(state, response);
            if (type != 0) await channel.SendAsync(type, response.WrittenMemory).ConfigureAwait(false);
            try
            {
                await channel.RunAsync((t, payload) => server.OnFrameAsync(channel, state, response, t, payload), server._stopping.Token).ConfigureAwait(false);
            }
            finally { response.Clear(); }                              // answers may hold session material
        }
    }

    private async ValueTask OnFrameAsync(FrameChannel channel, RoleConnection state, ArrayBufferWriter<byte> response, byte type, Memory<byte> payload)
    {
        long start = Stopwatch.GetTimestamp();
        Interlocked.Increment(ref _requests);
        Interlocked.Add(ref _bytesIn, payload.Length);
        response.Clear();
        RoleReply reply = await Role.ProcessAsync(state, type, payload, response, _stopping.Token).ConfigureAwait(false);
        if (reply.Status != EngineStatus.Ok) Interlocked.Increment(ref _refusals);
        Interlocked.Add(ref _bytesOut, response.WrittenCount);
        await channel.SendAsync(reply.Type, response.WrittenMemory).ConfigureAwait(false);
        RoleMetrics.Record(Role.Name, reply, Stopwatch.GetElapsedTime(start).TotalMilliseconds, payload.Length, response.WrittenCount);
    }

    /// <summary>Stops Kestrel and closes every connection.</summary>
    public async ValueTask DisposeAsync()
    {
        _stopping.Cancel();
        await KestrelListener.StopAsync(_app).ConfigureAwait(false);
    }
}
