using System.Net;
using Engine.Hosting.Framing;
using Engine.IotAuth.Roles;
using Engine.IotAuth.Wire;
using Engine.Hosting.Roles;

namespace Engine.Hosting.IotAuth;

/// <summary>
/// A Protocol 3 server on Kestrel (raw TCP, length-prefixed frames, 127.0.0.1 by default) for either role, the cloud
/// server or the operation centre, under <see cref="IotRole"/> on the one <see cref="RoleServer"/>: a new connection gets
/// the role's hello (if it has one), then each frame is one request answered on the same connection. No cryptography here.
/// </summary>
/// <remarks>Requests are small (the largest is a CS evaluation of 64 attributes), so frames are capped at 16 KiB.</remarks>
public sealed class IotServer : IAsyncDisposable
{
    /// <summary>Largest frame in either direction.</summary>
    public const int MaxFrameBytes = 16 << 10;

    private RoleServer? _server;
    private Timer? _sweeper;

    /// <summary>A server for <paramref name="role"/>.</summary>
    public IotServer(IIotServerRole role) => Role = role;

    /// <summary>The role.</summary>
    public IIotServerRole Role { get; }

    /// <summary>The bound endpoint, once started.</summary>
    public IPEndPoint? EndPoint => _server?.EndPoint;

    /// <summary>Requests handled and refused.</summary>
    public (long Requests, long Refusals) Counts => _server is null ? default : (_server.Counts.Requests, _server.Counts.Refusals);

    /// <summary>Connection caps, timeouts and the send queue's size; set before <see cref="StartAsync"/>.</summary>
    public ConnectionLimits Limits { get; init; } = ConnectionLimits.Default;

    /// <summary>What the connection limits refused or closed.</summary>
    public ConnectionCounters Connections { get; } = new("iot");

    /// <summary>Starts Kestrel on <paramref name="address"/> (loopback by default); port 0 picks a free port.</summary>
    public async Task StartAsync(IPAddress? address = null, int port = 0)
    {
        string name = Role is OperationCenter ? "iot-oc" : "iot-cs";
        _server = new RoleServer(new IotRole(name, Role), MaxFrameBytes, Connections) { Limits = Limits };
        await _server.StartAsync(address, port).ConfigureAwait(false);
        // The OC's outstanding challenges and sessions expire: sweep them (and wipe their secrets) every 5 s.
        if (Role is OperationCenter oc) _sweeper = new Timer(_ => oc.Sweep(), null, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5));
    }

    /// <summary>Stops Kestrel and closes every connection.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_sweeper is not null) await _sweeper.DisposeAsync().ConfigureAwait(false);
        if (_server is not null) await _server.DisposeAsync().ConfigureAwait(false);
    }
}
