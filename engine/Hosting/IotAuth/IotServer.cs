using System.Net;
using Engine.Hosting.Framing;
using Engine.IotAuth.Roles;
using Engine.IotAuth.Wire;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;

namespace Engine.Hosting.IotAuth;

/// <summary>
/// A Protocol 3 server on Kestrel (raw TCP, length-prefixed frames, 127.0.0.1 by default) for either role, the cloud
/// server or the operation centre: a new connection gets the role's hello (if it has one), then each frame is one
/// request answered on the same connection. No cryptography here.
/// </summary>
/// <remarks>Requests are small (the largest is a CS evaluation of 64 attributes), so frames are capped at 16 KiB.</remarks>
public sealed class IotServer : IAsyncDisposable
{
    /// <summary>Largest frame in either direction.</summary>
    public const int MaxFrameBytes = 16 << 10;

    private readonly CancellationTokenSource _stopping = new();
    private WebApplication? _app;
    private Timer? _sweeper;
    private long _requests, _refusals;

    /// <summary>A server for <paramref name="role"/>.</summary>
    public IotServer(IIotServerRole role) => Role = role;

    /// <summary>The role.</summary>
    public IIotServerRole Role { get; }

    /// <summary>The bound endpoint, once started.</summary>
    public IPEndPoint? EndPoint { get; private set; }

    /// <summary>Requests handled and refused.</summary>
    public (long Requests, long Refusals) Counts => (Interlocked.Read(ref _requests), Interlocked.Read(ref _refusals));

    /// <summary>Connection caps, timeouts and the send queue's size; set before <see cref="StartAsync"/>.</summary>
    public ConnectionLimits Limits { get; init; } = ConnectionLimits.Default;

    /// <summary>What the connection limits refused or closed.</summary>
    public ConnectionCounters Connections { get; } = new("iot");

    /// <summary>Starts Kestrel on <paramref name="address"/> (loopback by default); port 0 picks a free port.</summary>
    public async Task StartAsync(IPAddress? address = null, int port = 0)
    {
        (_app, EndPoint) = await KestrelListener.StartAsync<Handler, IotServer>(this, address, port, Limits, Connections, MaxFrameBytes).ConfigureAwait(false);
        // The OC's outstanding challenges and sessions expire: sweep them (and wipe their secrets) every 5 s.
        if (Role is OperationCenter oc) _sweeper = new Timer(_ => oc.Sweep(), null, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5));
    }

    private sealed class Handler(IotServer server) : ConnectionHandler
    {
        public override async Task OnConnectedAsync(ConnectionContext connection)
        {
            var channel = FrameChannel.Accept(connection, MaxFrameBytes, server.Limits, server.Connections);
            byte[] hello = server.Role.Hello();
            if (hello.Length > 0) await channel.SendAsync((byte)IotMessageType.Hello, hello).ConfigureAwait(false);
            await channel.RunAsync((type, payload) => server.OnFrameAsync(channel, type, payload), server._stopping.Token).ConfigureAwait(false);
        }
    }

    private async ValueTask OnFrameAsync(FrameChannel channel, byte type, Memory<byte> payload)
    {
        Interlocked.Increment(ref _requests);
        // The frame's buffer is ours only until this returns: one request at a time per connection, while other
        // connections' proofs fill the same verification batch.
        (EngineStatus status, IotMessageType responseType, byte[] response) = await Role.ProcessAsync((IotMessageType)type, payload, _stopping.Token).ConfigureAwait(false);
        if (status != EngineStatus.Ok) Interlocked.Increment(ref _refusals);
        await channel.SendAsync((byte)responseType, response).ConfigureAwait(false);
    }

    /// <summary>Stops Kestrel and closes every connection.</summary>
    public async ValueTask DisposeAsync()
    {
        _stopping.Cancel();
        if (_sweeper is not null) await _sweeper.DisposeAsync().ConfigureAwait(false);
        await KestrelListener.StopAsync(_app).ConfigureAwait(false);
    }
}
