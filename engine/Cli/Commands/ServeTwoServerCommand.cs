using System.CommandLine;
using System.Net;
using System.Security.Cryptography;
using Engine.Hosting;
using Engine.Hosting.TwoServer;
using Engine.Primitives.Groups;
using Engine.Primitives.Schnorr;
using Engine.TwoServer;
using Engine.TwoServer.Roles;
using Engine.TwoServer.Storage;
using Engine.Hosting.Framing;

namespace Engine.Cli.Commands;

/// <summary>Options of <c>engine serve two-server</c>.</summary>
internal sealed record TwoServerServeOptions(string Role, string KeyFile, string PeerKeyFile, string Address, int Port, int BlockSize, double RoundSeconds, double RunForSeconds)
{
    /// <summary>Where the state lives: a directory (SQLite), a PostgreSQL connection string, or "memory"; null: KEY.data beside the key file.</summary>
    public string? Data { get; init; }

    /// <summary>The server's connection limits.</summary>
    public ConnectionLimits Limits { get; init; } = ConnectionLimits.Default;

    /// <summary>Cluster mode (issue #17): the cluster's PostgreSQL connection string; null: the single-process server.</summary>
    public string? Cluster { get; init; }

    /// <summary>Cluster mode: "both" (a silo with a frontend), "silo" or "frontend".</summary>
    public string ClusterPart { get; init; } = "both";

    /// <summary>Cluster mode: the silo-to-silo and gateway ports (0: free ones).</summary>
    public (int Silo, int Gateway) ClusterPorts { get; init; }

    /// <summary>Cluster mode: declare an unresponsive silo dead after about two seconds instead of Orleans' default.</summary>
    public bool FastFailureDetection { get; init; }
}

/// <summary>
/// <c>engine serve two-server --role s1|s2</c>: one of Protocol 2's two servers on Kestrel until Ctrl+C, SIGTERM or
/// <c>--run-for</c>. It closes a round at every multiple of <c>--round-seconds</c> of wall-clock time. Its signing key lives in <c>--key</c> (created,
/// owner-only, if missing, or use <c>engine two-server keygen</c>; the public half is written beside it as <c>FILE.pub</c>); <c>--peer-key</c> is the other
/// server's <c>.pub</c>, needed to check the receipts of users' keys (paper §5.3.1).
/// </summary>
internal static class ServeTwoServerCommand
{
    public static Command Create(TextWriter output)
    {
        var role = new Option<string>("--role") { Description = "s1 or s2.", Required = true };
        var key = new Option<string>("--key") { Description = "This server's secret signing key (hex); created if missing, public key written to FILE.pub.", Required = true };
        var peer = new Option<string>("--peer-key") { Description = "The other server's public key file (its FILE.pub).", Required = true };
        var address = new Option<string>("--address") { Description = "Address to listen on.", DefaultValueFactory = _ => "127.0.0.1" };
        var port = new Option<int>("--port") { Description = "Port (default 7501 for s1, 7502 for s2; 0 picks a free one).", DefaultValueFactory = _ => -1 };
        var block = new Option<int>("--block") { Description = "Message block size B in bytes (both servers and all users must agree).", DefaultValueFactory = _ => 256 };
        var round = new Option<double>("--round-seconds") { Description = "Close a round and open the next this often.", DefaultValueFactory = _ => 10 };
        var runFor = new Option<double>("--run-for") { Description = "Stop after this many seconds (0: run until Ctrl+C or SIGTERM)." };
        var data = new Option<string?>("--data") { Description = "Durable state: a directory (SQLite, default KEY.data beside --key), a PostgreSQL connection string (Host=…), or 'memory'." };
        var cluster = new Option<string?>("--cluster") { Description = "Run as part of this server's Orleans cluster, whose state, membership and reminders live in this PostgreSQL database (S1 and S2 each have their own)." };
        var part = new Option<string>("--cluster-part") { Description = "Cluster mode: both (a silo with a frontend), silo, or frontend (stateless, an Orleans client of the silos).", DefaultValueFactory = _ => "both" };
        var siloPort = new Option<int>("--silo-port") { Description = "Cluster mode: the silo-to-silo port (0: a free one).", DefaultValueFactory = _ => 0 };
        var gatewayPort = new Option<int>("--gateway-port") { Description = "Cluster mode: the port frontends reach the silo on (0: a free one).", DefaultValueFactory = _ => 0 };
        var fastFailure = new Option<bool>("--fast-failure-detection") { Description = "Cluster mode: declare a silo that stops answering dead after about two seconds (Orleans' default waits tens of seconds and tolerates long pauses); for one machine or a fast, quiet network." };
        var command = new Command("two-server", "One of Protocol 2's two servers (S1 or S2) (SPEC.md §2.6).");
        foreach (Option o in new Option[] { role, key, peer, address, port, block, round, runFor, data, cluster, part, siloPort, gatewayPort, fastFailure }) command.Options.Add(o);
        var limitOptions = new ConnectionLimitOptions(command);
        command.SetAction(r => !limitOptions.TryRead(r, output, out ConnectionLimits limits) ? 1 :
                               RunAsync(new TwoServerServeOptions(r.GetValue(role)!, r.GetValue(key)!, r.GetValue(peer)!, r.GetValue(address)!, r.GetValue(port),
                                                                  r.GetValue(block), r.GetValue(round), r.GetValue(runFor))
                               {
                                   Limits = limits, Data = r.GetValue(data), Cluster = r.GetValue(cluster), ClusterPart = r.GetValue(part)!,
                                   ClusterPorts = (r.GetValue(siloPort), r.GetValue(gatewayPort)), FastFailureDetection = r.GetValue(fastFailure),
                               }, output, CancellationToken.None).GetAwaiter().GetResult());
        return command;
    }

    internal static async Task<int> RunAsync(TwoServerServeOptions options, TextWriter output, CancellationToken cancellationToken)
    {
        int index = options.Role switch { "s1" => 1, "s2" => 2, _ => 0 };
        if (index == 0) return Fail(output, $"--role is s1 or s2, not '{options.Role}'");
        if (!IPAddress.TryParse(options.Address, out IPAddress? address)) return Fail(output, $"--address must be an IP address, not '{options.Address}'");
        if (options.RoundSeconds <= 0) return Fail(output, "--round-seconds must be positive");
        TwoServerParameters parameters;
        try { parameters = TwoServerParameters.ForBlockSize(options.BlockSize); }
        catch (ArgumentOutOfRangeException e) { return Fail(output, e.Message.Split(Environment.NewLine)[0]); }
        PrimeOrderGroup group = PrimeOrderGroups.Bls12381G1;
        using SchnorrSigningKey? key = LoadOrCreateKey(options.KeyFile, group, output);
        if (key is null) return 1;
        byte[] peerKey;
        try { peerKey = Convert.FromHexString(File.ReadAllText(options.PeerKeyFile).Trim()); }
        catch (Exception e) when (e is IOException or FormatException or UnauthorizedAccessException) { return Fail(output, $"cannot read the peer key '{options.PeerKeyFile}': {e.Message}"); }
        Span<ulong> element = stackalloc ulong[group.ElementLimbs];
        EngineStatus peerStatus = group.Decode(peerKey, element);
        if (peerStatus != EngineStatus.Ok) return Fail(output, $"the peer key is not a {group.Name} public key: {peerStatus}");
        if (peerKey.AsSpan().SequenceEqual(key.PublicKey)) return Fail(output, "the peer key is this server's own key");

        if (options.Cluster is not null)
            return await ServeTwoServerClusterCommand.RunAsync(options, index, address, parameters, key, peerKey, output, cancellationToken).ConfigureAwait(false);
        string data = options.Data ?? options.KeyFile + ".data";
        ITwoServerStore store;
        try { store = data == "memory" ? new InMemoryTwoServerStore() : SqlTwoServerStore.Open(data); }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException or ArgumentException or System.Data.Common.DbException)
        {
            return Fail(output, $"cannot open the state at '{data}': {e.Message}");
        }
        using var closeStore = store as IDisposable;
        using var shutdown = new ShutdownSignal(options.RunForSeconds, cancellationToken);
        using var host = new EngineHost();
        TwoServerNode node = host.CreateTwoServerNode(index, key, peerKey, parameters, store);
        // Rounds are numbered by the wall clock (round r is open from (r − 1)·T to r·T since the Unix epoch, T the
        // round length), so two servers agree on the round without talking to each other (given synchronised
        // clocks), and a restarted one resumes in step: the rounds it missed are closed at once, its uploads kept.
        long roundMs = (long)(options.RoundSeconds * 1000);
        long WallClockRound() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / roundMs + 1;
        long stored = store.CurrentRound, resumed = node.AdvanceRoundTo(WallClockRound());
        await using var server = new TwoServerServer(node) { Limits = options.Limits };
        int port = options.Port >= 0 ? options.Port : 7500 + index;
        try { await server.StartAsync(address, port).ConfigureAwait(false); }
        catch (IOException e) { return Fail(output, $"cannot listen on {address}:{port}: {e.Message}"); }
        output.WriteLine($"{options.Role} listening on {server.EndPoint}, B = {parameters.BlockSize}, a round every {options.RoundSeconds:0.###} s, public key {Convert.ToHexStringLower(key.PublicKey)}");
        output.WriteLine($"{options.Role}: state in {(store is SqlTwoServerStore sql ? sql.Description : "memory (lost on restart)")}; round {resumed}" +
                         (stored > 1 ? $" (resumed from round {stored})" : ""));
        output.Flush();
        try
        {
            while (true)
            {
                // Just past the next boundary. A timer that fires early finds the wall clock still in the open round and
                // waits again: forcing the round on would run this server ahead of the clock, and of the other server.
                await Task.Delay(TimeSpan.FromMilliseconds(roundMs - DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() % roundMs + 1), shutdown.Token).ConfigureAwait(false);
                long closed = store.CurrentRound;
                if (WallClockRound() <= closed) continue;
                int uploads = store.Uploads(closed).Count;
                node.AdvanceRoundTo(WallClockRound());
                output.WriteLine($"{options.Role}: round {closed} closed with {uploads} uploads; {server.Requests} requests, {server.Refusals} refused");
                output.Flush();
            }
        }
        catch (OperationCanceledException) { }
        output.WriteLine($"{options.Role} stopped: {server.Requests} requests, {server.Refusals} refused; connections: {server.Connections}");
        return 0;
    }

    private static int Fail(TextWriter output, string message)
    {
        output.WriteLine($"error: {message}");
        return 1;
    }

    /// <summary>The server's key from its file, or a new one written there (owner-only) with the public key in FILE.pub.</summary>
    internal static SchnorrSigningKey? LoadOrCreateKey(string path, PrimeOrderGroup group, TextWriter output)
    {
        byte[] secret;
        if (File.Exists(path))
        {
            try
            {
                using SecretFile file = SecretFile.Read(path);
                secret = GC.AllocateArray<byte>(file[SecretFile.Unnamed].Length, pinned: true);
                file[SecretFile.Unnamed].CopyTo(secret);
            }
            catch (InvalidDataException e) { Fail(output, $"the key file '{path}': {e.Message}"); return null; }
        }
        else
        {
            Span<ulong> scalar = stackalloc ulong[PrimeOrderGroup.ScalarLimbs];
            group.RandomScalar(scalar);
            secret = GC.AllocateArray<byte>(PrimeOrderGroup.ScalarSizeInBytes, pinned: true);
            PrimeOrderGroup.EncodeScalar(scalar, secret);
            scalar.Clear();
            SecretFile.Write(path, [(SecretFile.Unnamed, secret)]);
            output.WriteLine($"created key file {path} (owner-only)");
        }
        EngineStatus status = SchnorrSigningKey.Import(group, secret, out SchnorrSigningKey? key);
        CryptographicOperations.ZeroMemory(secret);
        if (status != EngineStatus.Ok) { Fail(output, $"the key file '{path}' does not hold a valid key: {status}"); return null; }
        // Rewritten only when missing or stale, and atomically: the other server may be reading it right now.
        string pub = Convert.ToHexStringLower(key!.PublicKey) + "\n";
        if (!File.Exists(path + ".pub") || File.ReadAllText(path + ".pub") != pub)
        {
            File.WriteAllText(path + ".pub.tmp", pub);
            File.Move(path + ".pub.tmp", path + ".pub", overwrite: true);
        }
        return key;
    }
}
