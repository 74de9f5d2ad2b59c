using System.Net;
using Engine.Cluster.TwoServer.Grains;
using Engine.Hosting.Framing;
using Engine.Hosting.TwoServer;
using Engine.Primitives.Schnorr;
using Engine.TwoServer;
using Engine.TwoServer.Roles;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Engine.Cluster.TwoServer;

/// <summary>
/// S1 and S2 each as an Orleans cluster on loopback: per server, silos (grains, state in the server's own PostgreSQL
/// database) and stateless frontends (Orleans clients, each a Kestrel <see cref="TwoServerServer"/> whose node's state
/// operations are grain calls). What <c>engine simulate two-server --mode cluster</c> and the cluster tests run; it
/// can kill a silo and restart a frontend on its port.
/// </summary>
public sealed class TwoServerClusterRig : IServerPair, IAsyncDisposable
{
    /// <summary>One frontend: its Orleans client and its Kestrel server.</summary>
    public sealed record Frontend(IHost Client, TwoServerServer Server, int Port);

    /// <summary>One logical server (S1 or S2) as a cluster.</summary>
    public sealed class Side
    {
        internal Side(int index, TwoServerClusterOptions options, SchnorrSigningKey key)
        {
            Index = index;
            Options = options;
            Key = key;
        }

        /// <summary>1 or 2.</summary>
        public int Index { get; }

        /// <summary>The cluster's options.</summary>
        public TwoServerClusterOptions Options { get; }

        /// <summary>The server's signing key (every frontend signs with it).</summary>
        public SchnorrSigningKey Key { get; }

        /// <summary>The silos (null: killed).</summary>
        public List<IHost?> Silos { get; } = [];

        /// <summary>The frontends.</summary>
        public List<Frontend> Frontends { get; } = [];

        /// <summary>The live silos' loads, by silo index (killed silos keep what they carried until they died).</summary>
        public List<SiloLoad> Loads { get; } = [];

        /// <summary>The cluster's round clock, through a live silo.</summary>
        public IRoundClockGrain Clock => Silos.First(s => s is not null)!.Services.GetRequiredService<IGrainFactory>().GetGrain<IRoundClockGrain>(0);
    }

    private readonly TwoServerParameters _parameters;
    private TwoServerQuotas _quotas = TwoServerQuotas.Default;
    private readonly ConnectionLimits _limits;

    private TwoServerClusterRig(TwoServerParameters parameters, ConnectionLimits limits, Side s1, Side s2)
    {
        _parameters = parameters;
        _limits = limits;
        S1 = s1;
        S2 = s2;
    }

    /// <summary>S1's cluster.</summary>
    public Side S1 { get; }

    /// <summary>S2's cluster.</summary>
    public Side S2 { get; }

    /// <summary>
    /// Starts <paramref name="silos"/> silos and <paramref name="frontends"/> frontends per server, S1's state in
    /// <paramref name="s1Database"/> and S2's in <paramref name="s2Database"/> (PostgreSQL connection strings; two
    /// databases: the servers' operators do not share one). Rounds close when <see cref="CloseRoundAsync"/> says.
    /// </summary>
    public static async Task<TwoServerClusterRig> StartAsync(string s1Database, string s2Database, int silos, int frontends, TwoServerParameters parameters,
                                                             ConnectionLimits? limits = null, CancellationToken cancellationToken = default, TwoServerQuotas? quotas = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(silos, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(frontends, 1);
        var group = Engine.Primitives.Groups.PrimeOrderGroups.Bls12381G1;
        var s1 = new Side(1, new TwoServerClusterOptions { ConnectionString = s1Database, ServerIndex = 1, FastFailureDetection = true }, SchnorrSigningKey.Generate(group));
        var s2 = new Side(2, new TwoServerClusterOptions { ConnectionString = s2Database, ServerIndex = 2, FastFailureDetection = true }, SchnorrSigningKey.Generate(group));
        var rig = new TwoServerClusterRig(parameters, limits ?? ConnectionLimits.LoopbackSimulation, s1, s2) { _quotas = quotas ?? TwoServerQuotas.Default };
        try
        {
            foreach (Side side in new[] { s1, s2 })
                for (int i = 0; i < silos; i++)
                {
                    IHost silo = await TwoServerCluster.StartSiloAsync(side.Options, cancellationToken).ConfigureAwait(false);
                    side.Silos.Add(silo);
                    side.Loads.Add(TwoServerCluster.Load(silo));
                }
            foreach (Side side in new[] { s1, s2 })
                for (int i = 0; i < frontends; i++)
                    side.Frontends.Add(await rig.StartFrontendAsync(side, port: 0, cancellationToken).ConfigureAwait(false));
        }
        catch
        {
            await rig.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return rig;
    }

    private async Task<Frontend> StartFrontendAsync(Side side, int port, CancellationToken cancellationToken)
    {
        IHost client = await TwoServerCluster.StartClientAsync(side.Options, cancellationToken).ConfigureAwait(false);
        Side peer = side.Index == 1 ? S2 : S1;
        var node = new TwoServerNode(side.Index, side.Key, peer.Key.PublicKey, _parameters, TwoServerCluster.Store(client)) { Quotas = _quotas };
        var server = new TwoServerServer(node) { Limits = _limits };
        try { await server.StartAsync(IPAddress.Loopback, port).ConfigureAwait(false); }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            client.Dispose();
            throw;
        }
        return new Frontend(client, server, server.EndPoint!.Port);
    }

    /// <summary>The side of server <paramref name="index"/>.</summary>
    public Side Server(int index) => index == 1 ? S1 : S2;

    /// <inheritdoc/>
    public async Task<long> CloseRoundAsync()
    {
        long r1 = await S1.Clock.Close().ConfigureAwait(false), r2 = await S2.Clock.Close().ConfigureAwait(false);
        if (r1 != r2) throw new InvalidOperationException($"The servers' rounds diverged: {r1} and {r2}.");
        return r1;
    }

    /// <summary>Kills silo <paramref name="silo"/> of server <paramref name="server"/> without a graceful hand-over.</summary>
    public async Task KillSiloAsync(int server, int silo)
    {
        Side side = Server(server);
        IHost host = side.Silos[silo] ?? throw new InvalidOperationException("That silo is already down.");
        side.Silos[silo] = null;
        await TwoServerCluster.KillAsync(host).ConfigureAwait(false);
    }

    /// <summary>Stops frontend <paramref name="frontend"/> of server <paramref name="server"/> (closing its connections) and starts a new one on the same port.</summary>
    public async Task RestartFrontendAsync(int server, int frontend, CancellationToken cancellationToken = default)
    {
        Side side = Server(server);
        Frontend old = side.Frontends[frontend];
        await old.Server.DisposeAsync().ConfigureAwait(false);
        await old.Client.StopAsync(cancellationToken).ConfigureAwait(false);
        old.Client.Dispose();
        side.Frontends[frontend] = await StartFrontendAsync(side, old.Port, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public IPEndPoint EndPoint(int server, int frontend) => new(IPAddress.Loopback, Server(server).Frontends[frontend].Port);

    /// <inheritdoc/>
    public int Frontends => S1.Frontends.Count;

    /// <inheritdoc/>
    public byte[] PublicKey(int server) => Server(server).Key.PublicKey.ToArray();

    /// <summary>Stops every frontend and silo.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (Side side in new[] { S1, S2 })
        {
            foreach (Frontend f in side.Frontends)
            {
                await f.Server.DisposeAsync().ConfigureAwait(false);
                try { await f.Client.StopAsync().ConfigureAwait(false); } catch (Exception e) when (e is OrleansException or OperationCanceledException or TimeoutException) { }
                f.Client.Dispose();
            }
            side.Frontends.Clear();
        }
        foreach (Side side in new[] { S1, S2 })
        {
            for (int i = 0; i < side.Silos.Count; i++)
            {
                if (side.Silos[i] is not { } silo) continue;
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                try { await silo.StopAsync(timeout.Token).ConfigureAwait(false); } catch (OperationCanceledException) { }
                silo.Dispose();
                side.Silos[i] = null;
            }
            side.Key.Dispose();
        }
    }
}
