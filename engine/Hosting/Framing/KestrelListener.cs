using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Engine.Hosting.Framing;

/// <summary>
/// The one way the reference servers start Kestrel: a slim host with no logging, one raw-TCP listener whose
/// connections go to the given handler type, and the server object registered so the handler can take it.
/// </summary>
internal static class KestrelListener
{
    /// <summary>Starts listening on <paramref name="address"/> (loopback when null); port 0 picks a free port, returned in the endpoint.</summary>
    public static async Task<(WebApplication App, IPEndPoint EndPoint)> StartAsync<THandler, TServer>(TServer server, IPAddress? address, int port)
        where THandler : ConnectionHandler
        where TServer : class
    {
        IPAddress bound = address ?? IPAddress.Loopback;
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(server);
        builder.WebHost.ConfigureKestrel(k => k.Listen(bound, port, l => l.UseConnectionHandler<THandler>()));
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
}
