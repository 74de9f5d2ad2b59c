using System.CommandLine;
using System.Net;
using Engine.Hosting.Framing;
using System.Security.Cryptography;
using Engine.Hosting;
using Engine.Hosting.Onion;
using Engine.Onion;
using Engine.Onion.Keys;
using Engine.Storage;
using Engine.Onion.Storage;
using Engine.Primitives.Batching;
using Engine.Primitives.Groups;

namespace Engine.Cli.Commands;

/// <summary>Options of <c>engine serve kgc</c>.</summary>
internal sealed record KgcServeOptions(string Group, string Address, int Port, string EnrolmentKeyFile, string? TrustFile, double RunForSeconds)
{
    /// <summary>Where the state lives: a directory (SQLite), a PostgreSQL connection string, or "memory"; null: kgc.data beside the enrolment key.</summary>
    public string? Data { get; init; }

    /// <summary>The key file that seals the KGC's secrets at rest; null: kgc-state.key beside the enrolment key.</summary>
    public string? StateKeyFile { get; init; }

    /// <summary>One of several KGC instances on the same <see cref="Data"/>: pull what the others enrolled and registered.</summary>
    public bool Shared { get; init; }

    /// <summary>The server's connection limits.</summary>
    public ConnectionLimits Limits { get; init; } = ConnectionLimits.Default;
}

/// <summary>Options of <c>engine serve relay|destination</c>.</summary>
internal sealed record NodeServeOptions(string Role, string Id, string Kgc, string Group, string Address, int Port, string EnrolmentKeyFile,
                                        bool Batching, bool Echo, double RunForSeconds, double StatusIntervalSeconds)
{
    /// <summary>The node's secret-value file; null: ID.node-key beside the enrolment key.</summary>
    public string? KeyFile { get; init; }

    /// <summary>The server's connection limits.</summary>
    public ConnectionLimits Limits { get; init; } = ConnectionLimits.Default;
}

/// <summary>
/// <c>engine serve kgc|relay|destination</c>: one real Protocol 1 server on Kestrel (raw TCP, length-prefixed frames),
/// running until Ctrl+C, SIGTERM or <c>--run-for</c>. The KGC issues partial keys over the enrolment channel and
/// serves the signed directory; a relay or destination enrols at the KGC, registers where it listens, and batches
/// the exponentiations of concurrent link setups through an <see cref="EngineHost"/>.
/// </summary>
internal static class ServeCommand
{
    public static Command Create(TextWriter output)
    {
        var serve = new Command("serve", "Run one server until Ctrl+C: Protocol 1's KGC directory, relay or destination, Protocol 2's S1 or S2, or Protocol 3's cloud server or operation centre.");
        Option<string> Group() => new("--group") { Description = "Modp2048Q256, Modp3072Q256 or BLS12381G1 (all servers and clients must agree).", DefaultValueFactory = _ => "Modp2048Q256" };
        Option<string> Address() => new("--address") { Description = "Address to listen on.", DefaultValueFactory = _ => "127.0.0.1" };
        Option<int> Port(int d) => new("--port") { Description = "Port to listen on (0 picks a free one and prints it).", DefaultValueFactory = _ => d };
        Option<string> EnrolmentKey() => new("--enrolment-key") { Description = "File with the 32-byte enrolment key in hex, shared by the KGC and its nodes out of band (the KGC creates it if missing).", Required = true };
        Option<double> RunFor() => new("--run-for") { Description = "Stop after this many seconds (0: run until Ctrl+C or SIGTERM)." };

        var kgc = new Command("kgc", "The key generation centre and node directory (SPEC.md §1.1).");
        var kgcGroup = Group(); var kgcAddress = Address(); var kgcPort = Port(7400); var kgcKey = EnrolmentKey(); var kgcRunFor = RunFor();
        var trust = new Option<string?>("--trust-file") { Description = "Write the trust anchor (group, endpoint, pk_sys, list key) that clients need to this file." };
        var kgcData = new Option<string?>("--data") { Description = "Durable state: a directory (SQLite, default kgc.data beside the enrolment key), a PostgreSQL connection string (Host=…), or 'memory'." };
        var stateKey = new Option<string?>("--state-key") { Description = "Key file sealing the KGC's secrets at rest (created if missing, owner-only; default kgc-state.key beside the enrolment key). Keep it apart from backups of --data." };
        var kgcShared = new Option<bool>("--shared") { Description = "One of several instances of this KGC on the same --data (PostgreSQL) and --state-key: each serves the enrolments and endpoints the others recorded." };
        foreach (Option o in new Option[] { kgcGroup, kgcAddress, kgcPort, kgcKey, trust, kgcRunFor, kgcData, stateKey, kgcShared }) kgc.Options.Add(o);
        var kgcLimits = new ConnectionLimitOptions(kgc);
        kgc.SetAction(r => !kgcLimits.TryRead(r, output, out ConnectionLimits limits) ? 1 :
                           RunKgcAsync(new KgcServeOptions(r.GetValue(kgcGroup)!, r.GetValue(kgcAddress)!, r.GetValue(kgcPort), r.GetValue(kgcKey)!,
                                                           r.GetValue(trust), r.GetValue(kgcRunFor)) { Limits = limits, Data = r.GetValue(kgcData), StateKeyFile = r.GetValue(stateKey), Shared = r.GetValue(kgcShared) }, output, CancellationToken.None).GetAwaiter().GetResult());
        serve.Subcommands.Add(kgc);

        foreach (string role in new[] { "relay", "destination" })
        {
            var command = new Command(role, role == "relay" ? "An onion relay (SPEC.md §1.2–1.3)." : "An onion destination: accepts links and answers messages (SPEC.md §1.2–1.3).");
            var id = new Option<string>("--id") { Description = "The node's identity (its name in the KGC's list).", Required = true };
            var kgcEndpoint = new Option<string>("--kgc") { Description = "The KGC's HOST:PORT.", DefaultValueFactory = _ => "127.0.0.1:7400" };
            var group = Group(); var address = Address(); var port = Port(0); var key = EnrolmentKey(); var runFor = RunFor();
            var noBatching = new Option<bool>("--no-batching") { Description = "Compute each exponentiation at once instead of batching concurrent setups." };
            var noEcho = new Option<bool>("--no-echo") { Description = "Destination: deliver messages without answering (default: echo each one back)." };
            var status = new Option<double>("--status-interval") { Description = "Print the counters every this many seconds (0: only at exit).", DefaultValueFactory = _ => 10 };
            var nodeKey = new Option<string?>("--key") { Description = "The node's secret value (created if missing, owner-only; default ID.node-key beside the enrolment key): a restart with it keeps the node's key." };
            foreach (Option o in new Option[] { id, kgcEndpoint, group, address, port, key, nodeKey, noBatching, status, runFor }) command.Options.Add(o);
            if (role == "destination") command.Options.Add(noEcho);
            var nodeLimits = new ConnectionLimitOptions(command, OnionNodeServer.DefaultLimits);
            command.SetAction(r => !nodeLimits.TryRead(r, output, out ConnectionLimits limits) ? 1 :
                                   RunNodeAsync(new NodeServeOptions(role, r.GetValue(id)!, r.GetValue(kgcEndpoint)!, r.GetValue(group)!, r.GetValue(address)!,
                                                                     r.GetValue(port), r.GetValue(key)!, !r.GetValue(noBatching), role == "destination" && !r.GetValue(noEcho),
                                                                     r.GetValue(runFor), r.GetValue(status)) { Limits = limits, KeyFile = r.GetValue(nodeKey) }, output, CancellationToken.None).GetAwaiter().GetResult());
            serve.Subcommands.Add(command);
        }
        serve.Subcommands.Add(ServeTwoServerCommand.Create(output));
        foreach (Command c in Iot.ServeIotCommand.Create(output)) serve.Subcommands.Add(c);
        foreach (Command c in Abe.ServeAbeCommand.Create(output)) serve.Subcommands.Add(c);
        MetricsEndpoint.AddTo(serve, output);
        return serve;
    }

    internal static async Task<int> RunKgcAsync(KgcServeOptions options, TextWriter output, CancellationToken cancellationToken)
    {
        if (!TryGroup(options.Group, output, out PrimeOrderGroup? group) || !TryAddress(options.Address, output, out IPAddress? address)) return 1;
        byte[]? enrolmentKey = ReadEnrolmentKey(options.EnrolmentKeyFile, create: true, output);
        if (enrolmentKey is null) return 1;
        string beside = Path.GetDirectoryName(Path.GetFullPath(options.EnrolmentKeyFile))!;
        string data = options.Data ?? Path.Combine(beside, "kgc.data");
        SqlKgcStore? store = null;
        SecretSealer? sealer = null;
        KeyGenerationCenter kgc;
        if (data == "memory") kgc = new KeyGenerationCenter(new OnionParameters(group!));
        else
        {
            string stateKeyFile = options.StateKeyFile ?? Path.Combine(beside, "kgc-state.key");
            byte[]? stateKey = ReadOrCreateKey(stateKeyFile, "state key", SecretSealer.KeySize, output);
            if (stateKey is null) { CryptographicOperations.ZeroMemory(enrolmentKey); return 1; }
            sealer = new SecretSealer(stateKey);
            CryptographicOperations.ZeroMemory(stateKey);
            try
            {
                store = SqlKgcStore.Open(data, sealer);
                kgc = store.LoadOrCreate(new OnionParameters(group!));
            }
            catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException or ArgumentException or System.Data.Common.DbException)
            {
                store?.Dispose();
                sealer.Dispose();
                CryptographicOperations.ZeroMemory(enrolmentKey);
                output.WriteLine($"error: cannot open the KGC state at '{data}': {e.Message}");
                return 1;
            }
        }
        using var shutdown = new ShutdownSignal(options.RunForSeconds, cancellationToken);
        using var ownedKgc = kgc;
        using var ownedStore = store;
        using var ownedSealer = sealer;
        if (options.Shared && store is null) { output.WriteLine("error: --shared needs --data that the instances share (a PostgreSQL connection string)"); return 1; }
        await using var server = new KgcDirectoryServer(kgc, enrolmentKey, options.Shared ? new SharedKgcDirectory(store!) : null)
        {
            Limits = options.Limits, OnRegistered = store is null ? null : store.RecordEndpoint,
        };
        CryptographicOperations.ZeroMemory(enrolmentKey);
        if (store is not null) server.RestoreEndpoints(store.Endpoints());
        try { await server.StartAsync(address, options.Port).ConfigureAwait(false); }
        catch (IOException e) { output.WriteLine($"error: cannot listen on {options.Address}:{options.Port}: {e.Message}"); return 1; }
        output.WriteLine($"kgc listening on {server.EndPoint}, group {group!.Name}");
        output.WriteLine(store is null ? "kgc state in memory: a restart makes new keys (every node re-enrols, every trust file is replaced)"
                                       : $"kgc state in {store.Description}: {server.Endpoints.Count} registered endpoints restored, pk_sys {Convert.ToHexStringLower(kgc.MasterPublicKey)[..16]}…");
        if (options.TrustFile is not null)
        {
            var anchor = new KgcTrustFile(group.Name, server.EndPoint!, kgc.MasterPublicKey.ToArray(), kgc.ListSigningKey.ToArray());
            string temporary = options.TrustFile + ".tmp";
            File.WriteAllText(temporary, anchor.ToText());
            File.Move(temporary, options.TrustFile, overwrite: true);                // readers never see half a file
            output.WriteLine($"trust anchor written to {options.TrustFile}");
        }
        output.Flush();
        await shutdown.WaitAsync().ConfigureAwait(false);
        output.WriteLine($"kgc stopped: {server.Endpoints.Count} nodes registered; connections: {server.Connections}");
        return 0;
    }

    internal static async Task<int> RunNodeAsync(NodeServeOptions options, TextWriter output, CancellationToken cancellationToken)
    {
        if (!TryGroup(options.Group, output, out PrimeOrderGroup? group) || !TryAddress(options.Address, output, out IPAddress? address)) return 1;
        if (!IPEndPoint.TryParse(options.Kgc, out IPEndPoint? kgcEndpoint) || kgcEndpoint.Port == 0)
        {
            output.WriteLine($"error: --kgc must be HOST:PORT, not '{options.Kgc}'");
            return 1;
        }
        byte[]? enrolmentKey = ReadEnrolmentKey(options.EnrolmentKeyFile, create: false, output);
        if (enrolmentKey is null) return 1;
        using var shutdown = new ShutdownSignal(options.RunForSeconds, cancellationToken);
        using var host = new EngineHost(new EngineHostOptions { EnableBatching = options.Batching });
        int delivered = 0;
        var parameters = new OnionParameters(group!);
        string keyFile = options.KeyFile ?? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(options.EnrolmentKeyFile))!, FileName(options.Id) + ".node-key");
        using CertificatelessSecretValue? secretValue = LoadOrCreateSecretValue(keyFile, parameters, options.Id, output);
        if (secretValue is null) { CryptographicOperations.ZeroMemory(enrolmentKey); return 1; }
        OnionNodeService service;
        try
        {
            service = await OnionNodeService.StartAsync(new OnionNodeServiceOptions(options.Id, kgcEndpoint, enrolmentKey, parameters)
            {
                SecretValue = secretValue,
                Limits = options.Limits,
                Address = address!,
                Port = options.Port,
                OnMessage = options.Role == "destination" ? m => { Interlocked.Increment(ref delivered); return options.Echo ? m : null; } : null,
            }, host, shutdown.Token).ConfigureAwait(false);
        }
        catch (EngineException e) { output.WriteLine($"error: {e.Message}"); return 1; }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or IOException or OperationCanceledException)
        {
            output.WriteLine($"error: cannot start {options.Role} '{options.Id}' (KGC at {kgcEndpoint}): {e.Message}");
            return 1;
        }
        finally { CryptographicOperations.ZeroMemory(enrolmentKey); }

        await using (service)
        {
            output.WriteLine($"{options.Role} '{options.Id}' listening on {service.Server.EndPoint}, enrolled at {kgcEndpoint}, group {group!.Name}, " +
                             $"{(options.Batching ? "batched setups" : "unbatched")}");
            output.Flush();
            string Counters() => $"{options.Role} '{options.Id}': {service.Node.LinkCount} links, {service.Server.PacketsProcessed} packets, " +
                                 (options.Role == "destination" ? $"{delivered} messages delivered, " : "") +
                                 $"refused {{{string.Join(", ", service.Server.Refusals.OrderBy(p => p.Key).Select(p => $"{p.Key}: {p.Value}"))}}}; " +
                                 $"connections: {service.Server.Connections}";
            if (options.StatusIntervalSeconds > 0)
            {
                using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.StatusIntervalSeconds));
                try { while (await timer.WaitForNextTickAsync(shutdown.Token).ConfigureAwait(false)) { output.WriteLine(Counters()); output.Flush(); } }
                catch (OperationCanceledException) { }
            }
            else await shutdown.WaitAsync().ConfigureAwait(false);
            output.WriteLine($"stopped: {Counters()}");
        }
        return 0;
    }

    /// <summary>A file name for an identity: itself when it is a plain name, else its hex.</summary>
    /// <summary>An identifier as a file name: itself when it is plain, else hex (no path tricks from a name).</summary>
    internal static string FileName(string id)
        => id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.') && !id.StartsWith('.') ? id : "x-" + Convert.ToHexStringLower(System.Text.Encoding.UTF8.GetBytes(id));

    /// <summary>The node's secret value from its key file, or a new one written there (owner-only) before the node enrols with it.</summary>
    private static CertificatelessSecretValue? LoadOrCreateSecretValue(string path, OnionParameters parameters, string id, TextWriter output)
    {
        byte[] secret = GC.AllocateArray<byte>(PrimeOrderGroup.ScalarSizeInBytes, pinned: true);
        try
        {
            if (!File.Exists(path))
            {
                var fresh = new CertificatelessSecretValue(parameters, id);
                fresh.ExportSecret(secret);
                SecretFile.Write(path, [("id", System.Text.Encoding.UTF8.GetBytes(id)), ("secret-value", secret)]);
                output.WriteLine($"created node key file {path} (owner-only: a restart with it keeps this node's key)");
                return fresh;
            }
            using SecretFile file = SecretFile.Read(path);
            string saved = System.Text.Encoding.UTF8.GetString(file["id"]);
            if (saved != id) { output.WriteLine($"error: the node key file '{path}' is for '{saved}', not '{id}'"); return null; }
            if (file["secret-value"].Length != secret.Length) { output.WriteLine($"error: the node key file '{path}' holds no 32-byte secret value"); return null; }
            file["secret-value"].CopyTo(secret);
            EngineStatus status = CertificatelessSecretValue.Restore(parameters, id, secret, out CertificatelessSecretValue? value);
            if (status != EngineStatus.Ok) { output.WriteLine($"error: the node key file '{path}' does not hold a secret value for group {parameters.Group.Name}: {status}"); return null; }
            return value;
        }
        catch (InvalidDataException e) { output.WriteLine($"error: the node key file '{path}': {e.Message}"); return null; }
        finally { CryptographicOperations.ZeroMemory(secret); }
    }

    /// <summary>A random <paramref name="size"/>-byte key from its file, or a new one written there (owner-only).</summary>
    internal static byte[]? ReadOrCreateKey(string path, string what, int size, TextWriter output)
    {
        byte[] key = GC.AllocateArray<byte>(size, pinned: true);
        if (!File.Exists(path))
        {
            RandomNumberGenerator.Fill(key);
            SecretFile.Write(path, [(SecretFile.Unnamed, key)]);
            output.WriteLine($"created {what} file {path} (owner-only; back it up apart from the data it seals)");
            return key;
        }
        try
        {
            using SecretFile file = SecretFile.Read(path);
            if (file[SecretFile.Unnamed].Length != size) { output.WriteLine($"error: the {what} file '{path}' does not hold {size} bytes"); return null; }
            file[SecretFile.Unnamed].CopyTo(key);
            return key;
        }
        catch (InvalidDataException e) { output.WriteLine($"error: the {what} file '{path}': {e.Message}"); return null; }
    }

    private static bool TryGroup(string name, TextWriter output, out PrimeOrderGroup? group)
    {
        group = PrimeOrderGroups.Find(name);
        if (group is null) output.WriteLine($"error: unknown group '{name}' (Modp2048Q256, Modp3072Q256 or BLS12381G1)");
        return group is not null;
    }

    private static bool TryAddress(string text, TextWriter output, out IPAddress? address)
    {
        if (IPAddress.TryParse(text, out address)) return true;
        output.WriteLine($"error: --address must be an IP address, not '{text}'");
        return false;
    }

    /// <summary>Reads the hex enrolment key; the KGC creates a random one (owner-only file) if the file is missing.</summary>
    internal static byte[]? ReadEnrolmentKey(string path, bool create, TextWriter output)
    {
        if (!File.Exists(path))
        {
            if (!create) { output.WriteLine($"error: enrolment key file '{path}' does not exist (the KGC creates it; copy it to the nodes)"); return null; }
            byte[] fresh = GC.AllocateArray<byte>(Enrolment.KeySize, pinned: true);
            RandomNumberGenerator.Fill(fresh);
            SecretFile.Write(path, [(SecretFile.Unnamed, fresh)]);
            output.WriteLine($"created enrolment key file {path} (owner-only; copy it to each node over a trusted channel)");
            return fresh;
        }
        byte[] key;
        try
        {
            using SecretFile file = SecretFile.Read(path);
            key = GC.AllocateArray<byte>(file[SecretFile.Unnamed].Length, pinned: true);
            file[SecretFile.Unnamed].CopyTo(key);
        }
        catch (InvalidDataException e) { output.WriteLine($"error: enrolment key file '{path}': {e.Message}"); return null; }
        if (key.Length == Enrolment.KeySize) return key;
        output.WriteLine($"error: enrolment key file '{path}' holds {key.Length} bytes, not {Enrolment.KeySize}");
        return null;
    }
}
