using System.Net;

namespace Engine.Cluster.TwoServer;

/// <summary>S1 and S2 as users see them: frontends to connect to, the servers' public keys, and the round clock.</summary>
public interface IServerPair
{
    /// <summary>Frontends per server (users are spread over them).</summary>
    int Frontends { get; }

    /// <summary>Frontend <paramref name="frontend"/> of server <paramref name="server"/> (1 or 2).</summary>
    IPEndPoint EndPoint(int server, int frontend);

    /// <summary>Server <paramref name="server"/>'s signing key.</summary>
    byte[] PublicKey(int server);

    /// <summary>Closes the open round on both servers; returns the round now open.</summary>
    Task<long> CloseRoundAsync();
}

/// <summary>
/// The single-process servers (one <see cref="Hosting.TwoServer.TwoServerServer"/> per server over a
/// <see cref="Engine.TwoServer.Storage.SqlTwoServerStore"/>), as the reference the cluster's overhead is measured against.
/// </summary>
public sealed class SingleProcessPair : IServerPair, IAsyncDisposable
{
    private readonly Hosting.TwoServer.TwoServerServer[] _servers;
    private readonly Engine.TwoServer.Storage.SqlTwoServerStore[] _stores;
    private readonly Primitives.Schnorr.SchnorrSigningKey[] _keys;

    private SingleProcessPair(Hosting.TwoServer.TwoServerServer[] servers, Engine.TwoServer.Storage.SqlTwoServerStore[] stores, Primitives.Schnorr.SchnorrSigningKey[] keys)
        => (_servers, _stores, _keys) = (servers, stores, keys);

    /// <summary>Starts S1 and S2 on loopback with their state in <paramref name="s1Database"/> and <paramref name="s2Database"/>.</summary>
    public static async Task<SingleProcessPair> StartAsync(string s1Database, string s2Database, Engine.TwoServer.TwoServerParameters parameters)
    {
        var group = Primitives.Groups.PrimeOrderGroups.Bls12381G1;
        Primitives.Schnorr.SchnorrSigningKey[] keys = [Primitives.Schnorr.SchnorrSigningKey.Generate(group), Primitives.Schnorr.SchnorrSigningKey.Generate(group)];
        Engine.TwoServer.Storage.SqlTwoServerStore[] stores = [Engine.TwoServer.Storage.SqlTwoServerStore.Open(s1Database), Engine.TwoServer.Storage.SqlTwoServerStore.Open(s2Database)];
        var servers = new Hosting.TwoServer.TwoServerServer[2];
        for (int s = 0; s < 2; s++)
        {
            var node = new Engine.TwoServer.Roles.TwoServerNode(s + 1, keys[s], keys[1 - s].PublicKey, parameters, stores[s]);
            servers[s] = new Hosting.TwoServer.TwoServerServer(node) { Limits = Hosting.Framing.ConnectionLimits.LoopbackSimulation };
            await servers[s].StartAsync(IPAddress.Loopback).ConfigureAwait(false);
        }
        return new SingleProcessPair(servers, stores, keys);
    }

    /// <inheritdoc/>
    public int Frontends => 1;

    /// <inheritdoc/>
    public IPEndPoint EndPoint(int server, int frontend) => _servers[server - 1].EndPoint!;

    /// <inheritdoc/>
    public byte[] PublicKey(int server) => _keys[server - 1].PublicKey.ToArray();

    /// <inheritdoc/>
    public Task<long> CloseRoundAsync()
    {
        long r1 = _servers[0].Node.CloseRound(), r2 = _servers[1].Node.CloseRound();
        return r1 == r2 ? Task.FromResult(r1) : throw new InvalidOperationException("The servers' rounds diverged.");
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        foreach (Hosting.TwoServer.TwoServerServer server in _servers) await server.DisposeAsync().ConfigureAwait(false);
        foreach (Engine.TwoServer.Storage.SqlTwoServerStore store in _stores) store.Dispose();
        foreach (Primitives.Schnorr.SchnorrSigningKey key in _keys) key.Dispose();
    }
}
