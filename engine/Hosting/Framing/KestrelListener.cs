using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Engine.Hosting.Framing;

/// <summary>
/// The one way the reference servers start Kestrel: a slim host with no logging, one raw-TCP listener whose
/// connections pass the <see cref="ConnectionLimits"/> caps (in total and per remote address; one over is closed
/// as soon as it is accepted, and counted) and then go to the given handler type, and the server object registered
/// so the handler can take it.
/// </summary>
internal static class KestrelListener
{
    /// <summary>
    /// Starts listening on <paramref name="address"/> (loopback when null); port 0 picks a free port, returned in the
    /// endpoint. <paramref name="maxFrameBytes"/> sizes the transport's read buffer so that a whole legal frame fits.
    /// </summary>
    public static async Task<(WebApplication App, IPEndPoint EndPoint)> StartAsync<THandler, TServer>(TServer server, IPAddress? address, int port,
                                                                                                    ConnectionLimits limits, ConnectionCounters counters, int maxFrameBytes)
        where THandler : ConnectionHandler
        where TServer : class
    {
        limits.Validate();
        IPAddress bound = address ?? IPAddress.Loopback;
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(server);
        // The socket transport pauses reading past MaxReadBufferSize (1 MiB by default) until the reader consumes;
        // a frame is consumed only when whole, so the buffer must hold the largest frame.
        builder.WebHost.UseSockets(o => o.MaxReadBufferSize = Math.Max(1L << 20, maxFrameBytes + 64L * 1024));
        var gate = new ConnectionGate(limits, counters);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.MaxConcurrentConnections = limits.MaxConnections + 64;          // a backstop; the gate refuses first, and counts
            k.Listen(bound, port, l =>
            {
                l.Use(gate.Middleware);
                l.UseConnectionHandler<THandler>();
            });
        });
        WebApplication app = builder.Build();
        await app.StartAsync().ConfigureAwait(false);
        string url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return (app, new IPEndPoint(bound, new Uri(url).Port));
    }

    /// <summary>Stops and disposes the host (nothing when it never started).</summary>
    public static async ValueTask StopAsync(WebApplication? app)
    {
        if (app is null) return;
        await app.StopAsync().ConfigureAwait(false);
        await app.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Counts open connections, in total and per address, and closes those over the caps before any read.</summary>
    private sealed class ConnectionGate(ConnectionLimits limits, ConnectionCounters counters)
    {
        private readonly ConcurrentDictionary<IPAddress, int> _perAddress = new();
        private int _open;

        public ConnectionDelegate Middleware(ConnectionDelegate next) => async connection =>
        {
            IPAddress remote = (connection.RemoteEndPoint as IPEndPoint)?.Address ?? IPAddress.None;
            if (Interlocked.Increment(ref _open) > limits.MaxConnections)
            {
                Interlocked.Decrement(ref _open);
                counters.OnRefusedTotal();
                return;
            }
            if (_perAddress.AddOrUpdate(remote, 1, (_, n) => n + 1) > limits.MaxConnectionsPerAddress)
            {
                Leave(remote);
                counters.OnRefusedPerAddress();
                return;
            }
            counters.OnAccepted();
            try { await next(connection).ConfigureAwait(false); }
            finally { Leave(remote); }
        };

        private void Leave(IPAddress remote)
        {
            Interlocked.Decrement(ref _open);
            // The table holds only addresses with open connections: at most MaxConnections entries.
            while (true)
            {
                int n = _perAddress[remote];
                if (n == 1 ? _perAddress.TryRemove(new KeyValuePair<IPAddress, int>(remote, 1)) : _perAddress.TryUpdate(remote, n - 1, n)) return;
            }
        }
    }
}
