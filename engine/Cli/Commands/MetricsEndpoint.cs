using System.CommandLine;
using System.CommandLine.Invocation;
using System.Net;
using Engine.Hosting.Roles;
using Engine.Primitives.Batching;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;

namespace Engine.Cli.Commands;

/// <summary>
/// The Prometheus endpoint of every <c>engine serve …</c> command (<c>--metrics-port</c>, issue #14): OpenTelemetry's
/// ASP.NET Core exporter serving <c>GET /metrics</c> in the Prometheus text format, with the engine's meters: the role
/// servers' requests, refusals by status, latency and bytes (<see cref="RoleMetrics"/>), the batch schedulers' batch
/// sizes and queue delay (<see cref="BatchMetrics"/>), and the connection limits' refusals (Engine.Hosting).
/// </summary>
internal sealed class MetricsEndpoint : IAsyncDisposable
{
    /// <summary>The meters exported.</summary>
    public static readonly string[] Meters = [RoleMetrics.MeterName, BatchMetrics.MeterName, "Engine.Hosting"];

    private readonly WebApplication _app;

    private MetricsEndpoint(WebApplication app, IPEndPoint endPoint) => (_app, EndPoint) = (app, endPoint);

    /// <summary>Where /metrics is served.</summary>
    public IPEndPoint EndPoint { get; }

    /// <summary>Serves /metrics on <paramref name="address"/> (loopback when null) and <paramref name="port"/> (0 picks a free one).</summary>
    public static async Task<MetricsEndpoint> StartAsync(int port, IPAddress? address = null)
    {
        IPAddress bound = address ?? IPAddress.Loopback;
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(bound, port));
        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics.AddMeter(Meters).AddPrometheusExporter());
        WebApplication app = builder.Build();
        app.MapPrometheusScrapingEndpoint();
        await app.StartAsync().ConfigureAwait(false);
        string url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new MetricsEndpoint(app, new IPEndPoint(bound, new Uri(url).Port));
    }

    /// <summary>Stops serving.</summary>
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// Adds <c>--metrics-port</c> to <paramref name="serve"/> and to all its subcommands (a recursive option), and wraps
    /// each subcommand's action so that, with the option given, the endpoint runs for as long as the server does.
    /// </summary>
    public static void AddTo(Command serve, TextWriter output)
    {
        var option = new Option<int?>("--metrics-port") { Description = "Serve Prometheus metrics (GET /metrics) on this loopback port (0 picks a free one).", Recursive = true };
        serve.Options.Add(option);
        foreach (Command command in serve.Subcommands)
        {
            if (command.Action is not SynchronousCommandLineAction inner) continue;
            command.SetAction(result =>
            {
                int? port = result.GetValue(option);
                if (port is null) return inner.Invoke(result);
                if (port is < 0 or > 65535) { output.WriteLine("error: --metrics-port is a port number (0 to 65535)"); return 1; }
                MetricsEndpoint endpoint;
                try { endpoint = StartAsync(port.Value).GetAwaiter().GetResult(); }
                catch (IOException e) { output.WriteLine($"error: cannot serve metrics on port {port}: {e.Message}"); return 1; }
                try
                {
                    output.WriteLine($"metrics on http://{endpoint.EndPoint}/metrics");
                    output.Flush();
                    return inner.Invoke(result);
                }
                finally { endpoint.DisposeAsync().AsTask().GetAwaiter().GetResult(); }
            });
        }
    }
}
