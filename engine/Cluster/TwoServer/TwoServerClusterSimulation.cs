using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Engine.Hosting.TwoServer;
using Engine.Primitives.Groups;
using Engine.Primitives.Schnorr;
using Engine.TwoServer;
using Engine.TwoServer.Partitions;
using Engine.TwoServer.Records;
using Engine.TwoServer.Roles;

namespace Engine.Cluster.TwoServer;

/// <summary>What one silo carried during a cluster simulation.</summary>
public sealed record SiloReport(int Server, int Silo, long GroupActivations, long Uploads, long BytesServed, long RoundsServed);

/// <summary>The outcome of <see cref="TwoServerClusterSimulation.RunAsync"/>.</summary>
public sealed record TwoServerClusterReport(int Silos, int Groups, int GroupSize, int Rounds, double SetupSeconds, double UploadsPerSecond, double FetchesPerSecond,
                                            long InboxBytesPerRound, int Delivered, int Expected, int Failures, IReadOnlyList<SiloReport> PerSilo);

/// <summary>
/// <c>engine simulate two-server --mode cluster</c>: S1 and S2 each as a cluster of <c>silos</c> silos and as many
/// frontends on loopback, <c>groups</c> groups of <c>n</c> users, each user connected to one frontend of each server
/// (round robin). Every round every user uploads one message to a random member of its group, both clusters' clocks
/// close the round, and every user fetches and reconstructs its inboxes. Reports throughput and each silo's load.
/// </summary>
public static class TwoServerClusterSimulation
{
    /// <summary>
    /// Runs the simulation with S1's state in <paramref name="s1Database"/> and S2's in <paramref name="s2Database"/>
    /// (PostgreSQL). <paramref name="silos"/> 0 runs the reference instead: the single-process servers, their state in
    /// the same databases (<see cref="SingleProcessPair"/>), driven the same way.
    /// </summary>
    public static async Task<TwoServerClusterReport> RunAsync(string s1Database, string s2Database, int silos, int groups, int groupSize, int rounds, int blockSize,
                                                              CancellationToken cancellationToken = default)
    {
        if (groups < 1 || groupSize is < 2 or > 2000 || rounds < 1 || silos < 0) throw new ArgumentException("At least one group of 2 to 2000 users and one round.");
        TwoServerParameters parameters = TwoServerParameters.ForBlockSize(blockSize);
        var sw = Stopwatch.StartNew();
        if (silos == 0)
        {
            await using SingleProcessPair single = await SingleProcessPair.StartAsync(s1Database, s2Database, parameters).ConfigureAwait(false);
            return await DriveAsync(single, sw, parameters, 0, groups, groupSize, rounds, [], cancellationToken).ConfigureAwait(false);
        }
        await using TwoServerClusterRig rig = await TwoServerClusterRig.StartAsync(s1Database, s2Database, silos, silos, parameters, cancellationToken: cancellationToken).ConfigureAwait(false);
        var loads = new List<(int Server, SiloLoad Load)>();
        foreach (TwoServerClusterRig.Side side in new[] { rig.S1, rig.S2 })
            loads.AddRange(side.Loads.Select(l => (side.Index, l)));
        return await DriveAsync(rig, sw, parameters, silos, groups, groupSize, rounds, loads, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<TwoServerClusterReport> DriveAsync(IServerPair servers, Stopwatch sw, TwoServerParameters parameters, int silos, int groups, int groupSize,
                                                                 int rounds, List<(int Server, SiloLoad Load)> loads, CancellationToken cancellationToken)
    {
        await using var users = await ClusterUsers.ConnectAsync(servers, parameters, groups, groupSize, cancellationToken).ConfigureAwait(false);
        await users.RegisterJoinAndOpenSessionsAsync(cancellationToken).ConfigureAwait(false);
        double setup = sw.Elapsed.TotalSeconds;

        double uploadSeconds = 0, fetchSeconds = 0;
        int delivered = 0, expected = 0, failures = 0;
        long inboxBytes = 0;
        for (int r = 0; r < rounds; r++)
        {
            sw.Restart();
            long round = await users.SendAllAsync(cancellationToken).ConfigureAwait(false);
            uploadSeconds += sw.Elapsed.TotalSeconds;
            await servers.CloseRoundAsync().ConfigureAwait(false);
            sw.Restart();
            (int got, int bad, long bytes) = await users.FetchAllAsync(round, cancellationToken).ConfigureAwait(false);
            fetchSeconds += sw.Elapsed.TotalSeconds;
            delivered += got;
            failures += bad;
            inboxBytes += bytes;
            expected += users.Count;
        }
        var perSilo = new List<SiloReport>();
        for (int i = 0; i < loads.Count; i++)
        {
            (int server, SiloLoad load) = loads[i];
            perSilo.Add(new SiloReport(server, loads.Take(i).Count(l => l.Server == server), load.GroupActivations, load.Uploads, load.BytesServed, load.RoundsServed));
        }
        return new TwoServerClusterReport(silos, groups, groupSize, rounds, setup, users.Count * rounds / uploadSeconds, users.Count * rounds / fetchSeconds,
                                          inboxBytes / rounds, delivered, expected, failures, perSilo);
    }
}

/// <summary>
/// Users of an <see cref="IServerPair"/> (the clusters, or the single-process reference): <c>groups</c> × <c>n</c> users, user i in group i / n, connected to
/// frontend i mod f of each server; each opens one session to a random member and sends one message a round.
/// </summary>
public sealed class ClusterUsers : IAsyncDisposable
{
    private readonly IServerPair _servers;
    private readonly TwoServerParameters _parameters;
    private readonly int _groupSize;
    private readonly SchnorrSigningKey[] _keys;
    private readonly TwoServerUser[] _users;
    private readonly List<TwoServerTcpConnection> _connections = [];
    private readonly Engine.TwoServer.Roles.GroupView?[] _views;
    private readonly TwoServerSession?[] _sessions;
    private readonly int[] _recipients;

    private ClusterUsers(IServerPair servers, TwoServerParameters parameters, int groups, int groupSize)
    {
        _servers = servers;
        _parameters = parameters;
        _groupSize = groupSize;
        int count = groups * groupSize;
        _keys = new SchnorrSigningKey[count];
        _users = new TwoServerUser[count];
        _views = new Engine.TwoServer.Roles.GroupView?[groups];
        _sessions = new TwoServerSession?[count];
        _recipients = new int[count];
    }

    /// <summary>How many users.</summary>
    public int Count => _users.Length;

    /// <summary>The name of group <paramref name="group"/>.</summary>
    public static string GroupName(int group) => $"group-{group:D4}";

    /// <summary>Creates the users and connects each to its frontends.</summary>
    public static async Task<ClusterUsers> ConnectAsync(IServerPair servers, TwoServerParameters parameters, int groups, int groupSize, CancellationToken cancellationToken)
    {
        var users = new ClusterUsers(servers, parameters, groups, groupSize);
        for (int i = 0; i < users.Count; i++)
        {
            users._keys[i] = SchnorrSigningKey.Generate(PrimeOrderGroups.Bls12381G1);
            await users.ReconnectAsync(i, cancellationToken).ConfigureAwait(false);
        }
        return users;
    }

    /// <summary>Opens new connections for user <paramref name="i"/> (after a frontend restart), to its own frontends or to <paramref name="frontend"/>'s.</summary>
    public async Task ReconnectAsync(int i, CancellationToken cancellationToken, int? frontend = null)
    {
        int f = frontend ?? i % _servers.Frontends;
        TwoServerTcpConnection c1 = await TwoServerTcpConnection.ConnectAsync(_servers.EndPoint(1, f), cancellationToken).ConfigureAwait(false);
        TwoServerTcpConnection c2 = await TwoServerTcpConnection.ConnectAsync(_servers.EndPoint(2, f), cancellationToken).ConfigureAwait(false);
        lock (_connections) _connections.AddRange([c1, c2]);
        _users[i] = new TwoServerUser($"user-{i:D6}", _parameters, _keys[i], c1, c2, _servers.PublicKey(1), _servers.PublicKey(2));
    }

    /// <summary>Reconnects every user.</summary>
    public async Task ReconnectAllAsync(CancellationToken cancellationToken)
    {
        for (int i = 0; i < Count; i++) await ReconnectAsync(i, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Registers every user, joins its group, and opens its session to a random member.</summary>
    public async Task RegisterJoinAndOpenSessionsAsync(CancellationToken cancellationToken)
    {
        await ForEachAsync(Count, async i =>
        {
            Check(await _users[i].RegisterAsync(cancellationToken).ConfigureAwait(false), "register");
            Check(await _users[i].JoinAsync(GroupName(i / _groupSize), cancellationToken).ConfigureAwait(false), "join");
        }).ConfigureAwait(false);
        for (int g = 0; g < _views.Length; g++)
        {
            (EngineStatus status, Engine.TwoServer.Roles.GroupView? view) = await _users[g * _groupSize].GetGroupAsync(GroupName(g), cancellationToken).ConfigureAwait(false);
            Check(status, "group");
            _views[g] = view;
        }
        await ForEachAsync(Count, async i =>
        {
            _recipients[i] = RandomNumberGenerator.GetInt32(_groupSize);
            (EngineStatus s, TwoServerSession? session) = await _users[i].OpenSessionAsync(_views[i / _groupSize]!, GroupPartition.ForRecipient(_groupSize, _recipients[i]), cancellationToken).ConfigureAwait(false);
            Check(s, "session");
            _sessions[i] = session;
        }).ConfigureAwait(false);
    }

    /// <summary>The open round, asked of S1 through user 0's frontend.</summary>
    public async Task<long> RoundAsync(CancellationToken cancellationToken)
    {
        (EngineStatus status, long round) = await _users[0].GetRoundAsync(cancellationToken).ConfigureAwait(false);
        Check(status, "round");
        return round;
    }

    /// <summary>Message of user <paramref name="i"/> in round <paramref name="round"/>.</summary>
    public static byte[] Message(long round, int i) => Encoding.UTF8.GetBytes($"r{round} from {i}");

    /// <summary>User <paramref name="i"/> sends its message of the open round; the status both servers gave.</summary>
    public async Task<EngineStatus> SendAsync(int i, long round, CancellationToken cancellationToken)
        => (await _users[i].SendAsync(round, _sessions[i]!, Message(round, i), cancellationToken: cancellationToken).ConfigureAwait(false)).Status;

    /// <summary>Every user sends its message; returns the round.</summary>
    public async Task<long> SendAllAsync(CancellationToken cancellationToken)
    {
        long round = await RoundAsync(cancellationToken).ConfigureAwait(false);
        await ForEachAsync(Count, async i => Check(await SendAsync(i, round, cancellationToken).ConfigureAwait(false), "upload")).ConfigureAwait(false);
        return round;
    }

    /// <summary>Messages that <paramref name="i"/> received in <paramref name="round"/> (accepted records' payloads), or null with the refusal.</summary>
    public async Task<(EngineStatus Status, List<byte[]> Messages, int Tampered, long Bytes)> FetchAsync(int i, long round, CancellationToken cancellationToken)
    {
        (EngineStatus s, FetchedRound? fetched) = await _users[i].FetchAsync(round, _views[i / _groupSize]!, cancellationToken).ConfigureAwait(false);
        if (s != EngineStatus.Ok) return (s, [], 0, 0);
        List<byte[]> accepted = [.. fetched!.Messages.Where(m => m.Verdict == RecordVerdict.Accepted).Select(m => m.Payload.ToArray())];
        int tampered = fetched.Messages.Count(m => m.Verdict is RecordVerdict.Tampered or RecordVerdict.Malformed);
        return (EngineStatus.Ok, accepted, tampered, 2L * fetched.Messages.Count * _parameters.RecordSize);
    }

    /// <summary>Every user fetches <paramref name="round"/>: (messages received, tampered records, inbox bytes).</summary>
    public async Task<(int Delivered, int Tampered, long Bytes)> FetchAllAsync(long round, CancellationToken cancellationToken)
    {
        int delivered = 0, tampered = 0;
        long bytes = 0;
        await ForEachAsync(Count, async i =>
        {
            (EngineStatus s, List<byte[]> messages, int bad, long b) = await FetchAsync(i, round, cancellationToken).ConfigureAwait(false);
            Check(s, "fetch");
            Interlocked.Add(ref delivered, messages.Count);
            Interlocked.Add(ref tampered, bad);
            Interlocked.Add(ref bytes, b);
        }).ConfigureAwait(false);
        return (delivered, tampered, bytes);
    }

    /// <summary>The member user <paramref name="i"/> sends to (its index in the whole population).</summary>
    public int RecipientOf(int i) => i / _groupSize * _groupSize + _recipients[i];

    private static Task ForEachAsync(int count, Func<int, Task> body)
        => Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, _) => await body(i).ConfigureAwait(false));

    private static void Check(EngineStatus status, string step)
    {
        if (status != EngineStatus.Ok) throw new InvalidOperationException($"{step} failed: {status}");
    }

    /// <summary>Closes the connections and wipes the keys.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (TwoServerTcpConnection c in _connections) await c.DisposeAsync().ConfigureAwait(false);
        foreach (SchnorrSigningKey? k in _keys) k?.Dispose();
    }
}

/// <summary>
/// Two scratch databases on a PostgreSQL server, one per logical server (S1's and S2's clusters never share one),
/// created for a simulation and dropped after it.
/// </summary>
public sealed class ScratchDatabases : IDisposable
{
    private readonly string _admin;
    private readonly string[] _names;

    private ScratchDatabases(string admin, string[] names, string[] connectionStrings)
    {
        _admin = admin;
        _names = names;
        ConnectionStrings = connectionStrings;
    }

    /// <summary>S1's and S2's connection strings.</summary>
    public IReadOnlyList<string> ConnectionStrings { get; }

    /// <summary>Creates them through <paramref name="adminConnection"/> (a role that may create databases).</summary>
    /// <exception cref="Npgsql.NpgsqlException">The server refused or did not answer.</exception>
    public static ScratchDatabases Create(string adminConnection)
    {
        string stem = "engine_cluster_" + Guid.NewGuid().ToString("N")[..12];
        string[] names = [stem + "_s1", stem + "_s2"];
        using (var connection = new Npgsql.NpgsqlConnection(adminConnection))
        {
            connection.Open();
            foreach (string name in names)
            {
                using var command = new Npgsql.NpgsqlCommand($"CREATE DATABASE {name}", connection);
                command.ExecuteNonQuery();
            }
        }
        return new ScratchDatabases(adminConnection, names,
                                    [.. names.Select(n => new Npgsql.NpgsqlConnectionStringBuilder(adminConnection) { Database = n }.ConnectionString)]);
    }

    /// <summary>Drops both databases.</summary>
    public void Dispose()
    {
        Npgsql.NpgsqlConnection.ClearAllPools();
        using var connection = new Npgsql.NpgsqlConnection(_admin);
        connection.Open();
        foreach (string name in _names)
        {
            using var command = new Npgsql.NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", connection);
            command.ExecuteNonQuery();
        }
    }
}
