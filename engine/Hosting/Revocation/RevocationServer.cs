using System.Net;
using Engine.Hosting.Framing;
using Engine.Revocation.Roles;
using Engine.Hosting.Roles;

namespace Engine.Hosting.Revocation;

/// <summary>
/// A Protocol 4 server on Kestrel (raw TCP, length-prefixed frames, 127.0.0.1 by default) for any of its roles: an
/// authority, the source CSP or an accepting CSP: the role under <see cref="RevocationRole"/> on the one
/// <see cref="RoleServer"/>. Each frame is one request answered on the same connection; the role does the cryptography.
/// </summary>
/// <remarks>Frames are capped at <see cref="MaxFrameBytes"/> (an accepting CSP's stores and fetches carry whole ciphertexts).</remarks>
public sealed class RevocationServer : IAsyncDisposable
{
    /// <summary>Largest frame in either direction: 8 MiB.</summary>
    public const int MaxFrameBytes = 8 << 20;

    private RoleServer? _server;

    /// <summary>A server for <paramref name="role"/>.</summary>
    public RevocationServer(IRevocationRole role) => Role = role;

    /// <summary>The role.</summary>
    public IRevocationRole Role { get; }

    /// <summary>The bound endpoint, once started.</summary>
    public IPEndPoint? EndPoint => _server?.EndPoint;

    /// <summary>Requests handled and refused, and payload bytes received and sent.</summary>
    public (long Requests, long Refusals, long BytesIn, long BytesOut) Counts => _server?.Counts ?? default;

    /// <summary>Connection caps, timeouts and the send queue's size; set before <see cref="StartAsync"/>.</summary>
    public ConnectionLimits Limits { get; init; } = ConnectionLimits.Default;

    /// <summary>What the connection limits refused or closed.</summary>
    public ConnectionCounters Connections { get; } = new("revocation");

    /// <summary>Starts Kestrel on <paramref name="address"/> (loopback by default); port 0 picks a free port.</summary>
    public Task StartAsync(IPAddress? address = null, int port = 0)
    {
        _server = new RoleServer(new RevocationRole("abe/" + Role.GetType().Name, Role), MaxFrameBytes, Connections) { Limits = Limits };
        return _server.StartAsync(address, port);
    }

    /// <summary>Stops Kestrel and closes every connection.</summary>
    public ValueTask DisposeAsync() => _server?.DisposeAsync() ?? ValueTask.CompletedTask;
}
