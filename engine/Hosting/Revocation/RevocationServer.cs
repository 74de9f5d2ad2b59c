using System.Net;
using Engine.Hosting.Framing;
using Engine.Revocation.Roles;
using Engine.Revocation.Wire;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;

namespace Engine.Hosting.Revocation;

/// <summary>
/// A Protocol 4 server on Kestrel (raw TCP, length-prefixed frames, 127.0.0.1 by default) for any of its roles: an
/// authority, the source CSP or an accepting CSP. Each frame is one request answered on the same connection; the
/// role does the cryptography.
/// </summary>
/// <remarks>Frames are capped at <see cref="MaxFrameBytes"/> (an accepting CSP's stores and fetches carry whole ciphertexts).</remarks>
public sealed class RevocationServer : IAsyncDisposable
{
    /// <summary>Largest frame in either direction: 8 MiB.</summary>
    public const int MaxFrameBytes = 8 << 20;

    private readonly CancellationTokenSource _stopping = new();
    private WebApplication? _app;
    private long _requests, _refusals, _bytesIn, _bytesOut;

    /// <summary>A server for <paramref name="role"/>.</summary>
    public RevocationServer(IRevocationRole role) => Role = role;

    /// <summary>The role.</summary>
    public IRevocationRole Role { get; }

    /// <summary>The bound endpoint, once started.</summary>
    public IPEndPoint? EndPoint { get; private set; }

    /// <summary>Requests handled and refused, and payload bytes received and sent.</summary>
    public (long Requests, long Refusals, long BytesIn, long BytesOut) Counts
        => (Interlocked.Read(ref _requests), Interlocked.Read(ref _refusals), Interlocked.Read(ref _bytesIn), Interlocked.Read(ref _bytesOut));

    /// <summary>Connection caps, timeouts and the send queue's size; set before <see cref="StartAsync"/>.</summary>
    public ConnectionLimits Limits { get; init; } = ConnectionLimits.Default;

    /// <summary>What the connection limits refused or closed.</summary>
    public ConnectionCounters Connections { get; } = new("revocation");

    /// <summary>Starts Kestrel on <paramref name="address"/> (loopback by default); port 0 picks a free port.</summary>
    public async Task StartAsync(IPAddress? address = null, int port = 0)
        => (_app, EndPoint) = await KestrelListener.StartAsync<Handler, RevocationServer>(this, address, port, Limits, Connections, MaxFrameBytes).ConfigureAwait(false);

    private sealed class Handler(RevocationServer server) : ConnectionHandler
    {
        public override async Task OnConnectedAsync(ConnectionContext connection)
        {
            var channel = FrameChannel.Accept(connection, MaxFrameBytes, server.Limits, server.Connections);
            await channel.RunAsync((type, payload) => server.OnFrameAsync(channel, type, payload), server._stopping.Token).ConfigureAwait(false);
        }
    }

    private async ValueTask OnFrameAsync(FrameChannel channel, byte type, Memory<byte> payload)
    {
        Interlocked.Increment(ref _requests);
        Interlocked.Add(ref _bytesIn, payload.Length);
        (EngineStatus status, RevocationMessageType responseType, byte[] response) = await Role.ProcessAsync((RevocationMessageType)type, payload, _stopping.Token).ConfigureAwait(false);
        if (status != EngineStatus.Ok) Interlocked.Increment(ref _refusals);
        Interlocked.Add(ref _bytesOut, response.Length);
        await channel.SendAsync((byte)responseType, response).ConfigureAwait(false);
    }

    /// <summary>Stops Kestrel and closes every connection.</summary>
    public async ValueTask DisposeAsync()
    {
        _stopping.Cancel();
        await KestrelListener.StopAsync(_app).ConfigureAwait(false);
    }
}
