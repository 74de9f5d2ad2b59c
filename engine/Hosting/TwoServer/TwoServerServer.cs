using System.Net;
using Engine.Hosting.Framing;
using Engine.TwoServer.Roles;
using Engine.TwoServer.Wire;
using Engine.Hosting.Roles;

namespace Engine.Hosting.TwoServer;

/// <summary>
/// S1 or S2 of Protocol 2 as a reference server on Kestrel (raw TCP, length-prefixed frames, 127.0.0.1 by default).
/// The node under <see cref="TwoServerRole"/> on the one <see cref="RoleServer"/>: each connection gets a Hello with a
/// fresh challenge; every later frame is one request for the <see cref="TwoServerNode"/>, answered on the same
/// connection. No cryptography here.
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

    private RoleServer? _server;

    /// <summary>A server for <paramref name="node"/>.</summary>
    public TwoServerServer(TwoServerNode node) => Node = node;

    /// <summary>The role.</summary>
    public TwoServerNode Node { get; }

    /// <summary>The bound endpoint, once started.</summary>
    public IPEndPoint? EndPoint => _server?.EndPoint;

    /// <summary>Requests handled.</summary>
    public long Requests => _server?.Counts.Requests ?? 0;

    /// <summary>Requests refused.</summary>
    public long Refusals => _server?.Counts.Refusals ?? 0;

    /// <summary>Connection caps, timeouts and the send queue's size; set before <see cref="StartAsync"/>.</summary>
    public ConnectionLimits Limits { get; init; } = ConnectionLimits.Default;

    /// <summary>What the connection limits refused or closed.</summary>
    public ConnectionCounters Connections { get; } = new("two-server");

    /// <summary>Starts Kestrel on <paramref name="address"/> (loopback by default); port 0 picks a free port.</summary>
    public Task StartAsync(IPAddress? address = null, int port = 0)
    {
        _server = new RoleServer(new TwoServerRole(Node), MaxRequestBytes, Connections) { Limits = Limits };
        return _server.StartAsync(address, port);
    }

    /// <summary>Stops Kestrel and closes every connection.</summary>
    public ValueTask DisposeAsync() => _server?.DisposeAsync() ?? ValueTask.CompletedTask;
}
