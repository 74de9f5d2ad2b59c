using System.Net;
using Engine.Hosting.Framing;
using Engine.TwoServer.Roles;
using Engine.TwoServer.Wire;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;

namespace Engine.Hosting.TwoServer;

/// <summary>
/// S1 or S2 of Protocol 2 as a reference server on Kestrel (raw TCP, length-prefixed frames, 127.0.0.1 by default).
/// Each connection gets a Hello with a fresh challenge; every later frame is one request for the
/// <see cref="TwoServerNode"/>, answered on the same connection. No cryptography here.
/// </summary>
/// <remarks>The paper assumes private user–server channels: on anything but loopback, put TLS in front.</remarks>
public sealed class TwoServerServer : IAsyncDisposable
{
    /// <summary>Largest frame a client accepts from a server (a member's inbox holds one record per message of the round).</summary>
    public const int MaxFrameBytes = 64 << 20;

    /// <summary>
    /// Largest request frame the server reads, close to its largest legal request: an upload (four records and a
    /// signature) or a session (three partition vectors of the largest group), plus 4 KiB of names and lengths.
    /// </summary>
    public int MaxRequestBytes => Math.Max(4 * Node.Parameters.RecordSize, 3 * ((Node.Quotas.MaxGroupMembers + 7) / 8)) + 4096;

    private readonly CancellationTokenSource _stopping = new();
    private WebApplication? _app;
    private long _requests, _refusals;

    /// <summary>A server for <paramref name="node"/>.</summary>
    public TwoServerServer(TwoServerNode node) => Node = node;

    /// <summary>The role.</summary>
    public TwoServerNode Node { get; }

    /// <summary>The bound endpoint, once started.</summary>
    public IPEndPoint? EndPoint { get; private set; }

    /// <summary>Requests handled.</summary>
    public long Requests => Interlocked.Read(ref _requests);

    /// <summary>Requests refused.</summary>
    public long Refusals => Interlocked.Read(ref _refusals);

    /// <summary>Connection caps, timeouts and the send queue's size; set before <see cref="StartAsync"/>.</summary>
    public ConnectionLimits Limits { get; init; } = ConnectionLimits.Default;

    /// <summary>What the connection limits refused or closed.</summary>
    public ConnectionCounters Connections { get; } = new("two-server");

    /// <summary>Starts Kestrel on <paramref name="address"/> (loopback by default); port 0 picks a free port.</summary>
    public async Task StartAsync(IPAddress? address = null, int port = 0)
    {
        (_app, EndPoint) = await KestrelListener.StartAsync<Handler, TwoServerServer>(this, address, port, Limits, Connections, MaxRequestBytes).ConfigureAwait(false);
    }

    private sealed class Handler(TwoServerServer server) : ConnectionHandler
    {
        public override async Task OnConnectedAsync(ConnectionContext connection)
        {
            var channel = FrameChannel.Accept(connection, server.MaxRequestBytes, server.Limits, server.Connections);
            byte[] challenge = TwoServerNode.NewChallenge();
            await channel.SendAsync((byte)TwoServerMessageType.Hello, server.Node.Hello(challenge)).ConfigureAwait(false);
            await channel.RunAsync((type, payload) => server.OnFrameAsync(channel, challenge, type, payload), server._stopping.Token).ConfigureAwait(false);
        }
    }

    private async ValueTask OnFrameAsync(FrameChannel channel, byte[] challenge, byte type, Memory<byte> payload)
    {
        Interlocked.Increment(ref _requests);
        // The frame's buffer is only ours until this returns, so the request is awaited here: one request at a time
        // per connection, while other connections' uploads fill the same signature batch.
        (EngineStatus status, TwoServerMessageType responseType, byte[] response) =
            await Node.ProcessAsync((TwoServerMessageType)type, payload, challenge).ConfigureAwait(false);
        if (status != EngineStatus.Ok) Interlocked.Increment(ref _refusals);
        await channel.SendAsync((byte)responseType, response).ConfigureAwait(false);
    }

    /// <summary>Stops Kestrel and closes every connection.</summary>
    public async ValueTask DisposeAsync()
    {
        _stopping.Cancel();
        await KestrelListener.StopAsync(_app).ConfigureAwait(false);
    }
}
