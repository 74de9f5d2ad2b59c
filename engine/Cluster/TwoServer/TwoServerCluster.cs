using System.Net;
using System.Net.Sockets;
using Engine.Cluster.Membership;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Orleans.Messaging;

namespace Engine.Cluster.TwoServer;

/// <summary>Where one S1 or S2 cluster lives and how its silos and frontends reach it.</summary>
public sealed record TwoServerClusterOptions
{
    /// <summary>The cluster's PostgreSQL database (membership, reminders, state), shared by its silos and by nobody else.</summary>
    public required string ConnectionString { get; init; }

    /// <summary>1 for S1, 2 for S2: the two servers are two clusters, never one.</summary>
    public required int ServerIndex { get; init; }

    /// <summary>The Orleans cluster id.</summary>
    public string ClusterId => $"engine-two-server-s{ServerIndex}";

    /// <summary>The address silos listen on and advertise.</summary>
    public IPAddress Address { get; init; } = IPAddress.Loopback;

    /// <summary>The silo-to-silo port (0: a free one).</summary>
    public int SiloPort { get; init; }

    /// <summary>The port frontends connect to as Orleans clients (0: a free one).</summary>
    public int GatewayPort { get; init; }

    /// <summary>How long a round stays open; zero: rounds close only when asked (tests, simulations).</summary>
    public TimeSpan RoundLength { get; init; }

    /// <summary>
    /// Declare a silo dead after about two seconds without answers instead of Orleans' default (tens of seconds): for
    /// loopback tests and simulations, where a silo is killed on purpose.
    /// </summary>
    public bool FastFailureDetection { get; init; }
}

/// <summary>
/// Starts the silos and frontend clients of an S1 or S2 cluster (issue #17): Orleans with its membership and reminder
/// tables on the cluster's PostgreSQL database, the grains of <see cref="Grains"/>, and per silo a
/// <see cref="ClusterState"/> (the durable store every grain writes through) and a <see cref="SiloLoad"/>.
/// </summary>
public static class TwoServerCluster
{
    /// <summary>Starts a silo; frontends in the same process take its <see cref="IGrainFactory"/>.</summary>
    public static async Task<IHost> StartSiloAsync(TwoServerClusterOptions options, CancellationToken cancellationToken = default)
    {
        var database = new ClusterDatabase(options.ConnectionString);
        int siloPort = options.SiloPort != 0 ? options.SiloPort : FreePort(options.Address);
        int gatewayPort = options.GatewayPort != 0 ? options.GatewayPort : FreePort(options.Address);
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(database);
        builder.Services.AddSingleton(_ => new ClusterState(database, options.RoundLength));
        builder.Services.AddSingleton<SiloLoad>();
        builder.UseOrleans(silo =>
        {
            silo.Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (options.ClusterId, options.ClusterId));
            silo.ConfigureEndpoints(options.Address, siloPort, gatewayPort, listenOnAnyHostAddress: false);
            silo.Services.AddSingleton<IMembershipTable, PostgresMembershipTable>();
            silo.AddReminders();
            silo.Services.AddSingleton<IReminderTable, PostgresReminderTable>();
            silo.Configure<Orleans.Hosting.ReminderOptions>(o => o.MinimumReminderPeriod = TimeSpan.FromSeconds(1));
            if (options.FastFailureDetection) silo.Configure<ClusterMembershipOptions>(FastMembership);
        });
        IHost host = builder.Build();
        try
        {
            host.Services.GetRequiredService<ClusterState>();          // the store's schema, before any grain needs it
            await host.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            host.Dispose();
            throw;
        }
        return host;
    }

    /// <summary>Connects a frontend that runs outside the silos (an Orleans client, through the gateways the membership table lists).</summary>
    public static async Task<IHost> StartClientAsync(TwoServerClusterOptions options, CancellationToken cancellationToken = default)
    {
        var database = new ClusterDatabase(options.ConnectionString);
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(database);
        builder.UseOrleansClient(client =>
        {
            client.Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (options.ClusterId, options.ClusterId));
            client.Services.AddSingleton<IGatewayListProvider, PostgresMembershipTable>();
        });
        IHost host = builder.Build();
        try { await host.StartAsync(cancellationToken).ConfigureAwait(false); }
        catch
        {
            host.Dispose();
            throw;
        }
        return host;
    }

    /// <summary>The state operations of a frontend's node, as grain calls through <paramref name="host"/> (a silo or a client).</summary>
    public static ClusterTwoServerStore Store(IHost host) => new(host.Services.GetRequiredService<IGrainFactory>());

    /// <summary>What the silo <paramref name="host"/> carried.</summary>
    public static SiloLoad Load(IHost host) => host.Services.GetRequiredService<SiloLoad>();

    /// <summary>
    /// Stops a silo without the graceful hand-over (what a crash looks like to the others: its grains are not
    /// deactivated, its membership row stays until the others vote it dead).
    /// </summary>
    public static async Task KillAsync(IHost host)
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync().ConfigureAwait(false);
        try { await host.StopAsync(cancelled.Token).ConfigureAwait(false); }
        catch (OperationCanceledException) { }
        host.Dispose();
    }

    private static void FastMembership(ClusterMembershipOptions o)
    {
        o.ProbeTimeout = TimeSpan.FromMilliseconds(500);
        o.NumMissedProbesLimit = 2;
        o.NumVotesForDeathDeclaration = 1;
        o.TableRefreshTimeout = TimeSpan.FromSeconds(1);
        o.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(2);
    }

    private static int FreePort(IPAddress address)
    {
        using var listener = new TcpListener(address, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
