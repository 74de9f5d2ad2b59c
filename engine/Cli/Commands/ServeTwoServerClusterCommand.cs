using System.Net;
using Engine.Cluster.TwoServer;
using Engine.Hosting;
using Engine.Hosting.TwoServer;
using Engine.Primitives.Schnorr;
using Engine.TwoServer;
using Engine.TwoServer.Roles;
using Microsoft.Extensions.Hosting;

namespace Engine.Cli.Commands;

/// <summary>
/// <c>engine serve two-server --role s1|s2 --cluster CONNECTION</c> (issue #17): this process joins the server's
/// Orleans cluster as a silo with a frontend (the default), a silo alone, or a stateless frontend (an Orleans client of
/// the silos). Every silo and frontend of one server points at the same PostgreSQL database; the other server's cluster
/// has its own. The cluster's round clock closes a round every <c>--round-seconds</c> of wall-clock time.
/// </summary>
internal static class ServeTwoServerClusterCommand
{
    public static async Task<int> RunAsync(TwoServerServeOptions options, int index, IPAddress address, TwoServerParameters parameters, SchnorrSigningKey key,
                                           byte[] peerKey, TextWriter output, CancellationToken cancellationToken)
    {
        if (options.ClusterPart is not ("both" or "silo" or "frontend")) return Fail(output, $"--cluster-part is both, silo or frontend, not '{options.ClusterPart}'");
        if (!Engine.Storage.SqlDatabase.IsPostgres(options.Cluster!)) return Fail(output, "--cluster takes a PostgreSQL connection string (Host=…;Database=… or postgres://…)");
        var cluster = new TwoServerClusterOptions
        {
            ConnectionString = options.Cluster!, ServerIndex = index, Address = address, SiloPort = options.ClusterPorts.Silo, GatewayPort = options.ClusterPorts.Gateway,
            RoundLength = TimeSpan.FromSeconds(options.RoundSeconds), FastFailureDetection = options.FastFailureDetection,
        };
        using var shutdown = new ShutdownSignal(options.RunForSeconds, cancellationToken);
        using var engineHost = new EngineHost();
        IHost? silo = null, client = null;
        TwoServerServer? frontend = null;
        try
        {
            if (options.ClusterPart != "frontend")
            {
                silo = await TwoServerCluster.StartSiloAsync(cluster, shutdown.Token).ConfigureAwait(false);
                output.WriteLine($"{options.Role}: silo of cluster {cluster.ClusterId} up (state, membership and reminders in PostgreSQL)");
            }
            if (options.ClusterPart != "silo")
            {
                IHost grains = silo ?? (client = await TwoServerCluster.StartClientAsync(cluster, shutdown.Token).ConfigureAwait(false));
                TwoServerNode node = engineHost.CreateTwoServerNode(index, key, peerKey, parameters, TwoServerCluster.Store(grains));
                frontend = new TwoServerServer(node) { Limits = options.Limits };
                int port = options.Port >= 0 ? options.Port : 7500 + index;
                try { await frontend.StartAsync(address, port).ConfigureAwait(false); }
                catch (IOException e) { return Fail(output, $"cannot listen on {address}:{port}: {e.Message}"); }
                output.WriteLine($"{options.Role}: frontend listening on {frontend.EndPoint}, B = {parameters.BlockSize}, public key {Convert.ToHexStringLower(key.PublicKey)}");
            }
            output.Flush();
            SiloLoad? load = silo is null ? null : TwoServerCluster.Load(silo);
            try
            {
                while (true)
                {
                    await Task.Delay(TimeSpan.FromSeconds(options.RoundSeconds), shutdown.Token).ConfigureAwait(false);
                    output.WriteLine($"{options.Role}: " + string.Join("; ", new[]
                    {
                        load is null ? null : $"silo: {load.GroupsActive} groups active, {load.Uploads} uploads stored, {load.BytesServed:N0} bytes to frontends",
                        frontend is null ? null : $"frontend: {frontend.Requests} requests, {frontend.Refusals} refused",
                    }.Where(s => s is not null)));
                    output.Flush();
                }
            }
            catch (OperationCanceledException) { }
            output.WriteLine($"{options.Role} stopped");
            return 0;
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or OrleansException or ArgumentException or TimeoutException)
        {
            return Fail(output, $"the cluster: {e.Message}");
        }
        finally
        {
            if (frontend is not null) await frontend.DisposeAsync().ConfigureAwait(false);
            foreach (IHost? h in new[] { client, silo })
            {
                if (h is null) continue;
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
                try { await h.StopAsync(timeout.Token).ConfigureAwait(false); } catch (OperationCanceledException) { }
                h.Dispose();
            }
        }
    }

    private static int Fail(TextWriter output, string message)
    {
        output.WriteLine($"error: {message}");
        return 1;
    }
}
