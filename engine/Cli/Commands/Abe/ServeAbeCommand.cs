using System.CommandLine;
using System.Net;
using Engine.Cli.Commands.Iot;
using Engine.Hosting;
using Engine.Hosting.Revocation;
using Engine.Primitives.Encryption;
using Engine.Primitives.Schnorr;
using Engine.Primitives.Wire;
using Engine.Revocation;
using Engine.Revocation.Abe;
using Engine.Revocation.Roles;
using Engine.Revocation.Signatures;
using Engine.Revocation.Storage;
using Engine.Revocation.Wire;
using Engine.Hosting.Framing;
using Engine.Storage;

namespace Engine.Cli.Commands.Abe;

/// <summary>
/// <c>engine serve abe-authority</c> and <c>engine serve csp --role source|accepting</c>: Protocol 4's servers on
/// Kestrel until Ctrl+C, SIGTERM or <c>--run-for</c>. Key files are created on first start (owner-only); the
/// authority commits its state (keys, registry, queued updates), sealed under its state key, to <c>--data</c> before
/// it answers each request that changed it, and the accepting CSP commits each ciphertext atomically to its store, so
/// what a server acknowledged survives a restart or kill -9.
/// </summary>
internal static class ServeAbeCommand
{
    private static Option<string> Address() => new("--address") { Description = "Address to listen on.", DefaultValueFactory = _ => "127.0.0.1" };
    private static Option<int> Port(int d) => new("--port") { Description = "Port (0 picks a free one).", DefaultValueFactory = _ => d };
    private static Option<double> RunFor() => new("--run-for") { Description = "Stop after this many seconds (0: until Ctrl+C or SIGTERM)." };
    private static Option<string> Required(string name, string description) => new(name) { Description = description, Required = true };

    public static IEnumerable<Command> Create(TextWriter output)
    {
        var authority = new Command("abe-authority", "Protocol 4 authority: RW15 encryption keys for its attributes and, with --ring, the ring-signature authority (SPEC.md §4).");
        var name = Required("--name", "The authority's name (its attributes are name@NAME).");
        var data = new Option<string?>("--data") { Description = "Durable state (keys, registry, queued updates): a directory (SQLite, default NAME.data beside --admin-key) or a PostgreSQL connection string (Host=…)." };
        var stateKey = new Option<string?>("--state-key") { Description = "Key file sealing the state at rest (created if missing, owner-only; default NAME-state.key beside --admin-key). Keep it apart from backups of --data." };
        var admin = Required("--admin-key", "The operator's key file (\"signing\" line; created if missing): grants and revocations are signed with it.");
        var ring = new Option<string?>("--ring") { Description = "Also act as the signature authority of this ring." };
        var noEncryption = new Option<bool>("--no-encryption") { Description = "With --ring: only the signature authority." };
        var trust = Required("--trust-file", "Write the authority's trust file (endpoint) here.");
        var address = Address(); var port = Port(7701); var runFor = RunFor();
        foreach (Option o in new Option[] { name, data, stateKey, admin, ring, noEncryption, trust, address, port, runFor }) authority.Options.Add(o);
        var authorityLimits = new ConnectionLimitOptions(authority);
        authority.SetAction(r => !authorityLimits.TryRead(r, output, out ConnectionLimits limits) ? 1 :
                                 RunAuthorityAsync(r.GetValue(name)!, r.GetValue(data), r.GetValue(stateKey), r.GetValue(admin)!, r.GetValue(ring), !r.GetValue(noEncryption),
                                                   r.GetValue(trust)!, r.GetValue(address)!, r.GetValue(port), r.GetValue(runFor), limits, output).GetAwaiter().GetResult());

        var csp = new Command("csp", "Protocol 4 cloud service provider: --role source verifies ring signatures and issues tokens; --role accepting stores, serves and updates ciphertexts.");
        var role = new Option<string>("--role") { Description = "source or accepting.", Required = true };
        role.AcceptOnlyFromAmong("source", "accepting");
        var cspName = Required("--name", "The CSP's name (tokens name it as issuer or audience).");
        var key = Required("--key", "The CSP's key file (created if missing, owner-only).");
        var authorities = new Option<string[]>("--authority-trust") { Description = "Trust files of the authorities (source: the ring's; accepting: every encryption authority).", AllowMultipleArgumentsPerToken = true, Required = true };
        var source = new Option<string?>("--source-trust") { Description = "Accepting: the source CSP's trust file (its token key)." };
        var owner = new Option<string?>("--admin-key") { Description = "Accepting: the data owner's key file (stores and syncs are signed with it)." };
        var store = new Option<string?>("--store") { Description = "Accepting: the ciphertext store, a directory (SQLite; a folder written by the file store is kept as it is) or a PostgreSQL connection string (Host=…)." };
        var cspTrust = Required("--trust-file", "Write the CSP's trust file here.");
        var cspAddress = Address(); var cspPort = Port(7711); var cspRun = RunFor();
        foreach (Option o in new Option[] { role, cspName, key, authorities, source, owner, store, cspTrust, cspAddress, cspPort, cspRun }) csp.Options.Add(o);
        var cspLimits = new ConnectionLimitOptions(csp);
        csp.SetAction(r => !cspLimits.TryRead(r, output, out ConnectionLimits limits) ? 1 :
                           RunCspAsync(r.GetValue(role)!, r.GetValue(cspName)!, r.GetValue(key)!, r.GetValue(authorities)!, r.GetValue(source), r.GetValue(owner), r.GetValue(store),
                                       r.GetValue(cspTrust)!, r.GetValue(cspAddress)!, r.GetValue(cspPort), r.GetValue(cspRun), limits, output).GetAwaiter().GetResult());
        return [authority, csp];
    }

    /// <summary>A Schnorr key from a secret file's line, created (with the file) when the file does not exist.</summary>
    internal static SchnorrSigningKey LoadOrCreateSigning(string path, string line)
    {
        if (!File.Exists(path))
        {
            SchnorrSigningKey fresh = SchnorrSigningKey.Generate(RevocationParameters.Group);
            SecretFile.WriteAndWipe(path, line, IotFiles.Export(fresh.ExportSecret));
            return fresh;
        }
        using SecretFile file = SecretFile.Read(path);
        return SchnorrSigningKey.Import(RevocationParameters.Group, file[line], out SchnorrSigningKey? key) == EngineStatus.Ok ? key! : throw new InvalidDataException($"{path}: '{line}' is not a signing key");
    }

    private static async Task<int> RunAuthorityAsync(string name, string? dataOption, string? stateKeyOption, string adminPath, string? ring, bool encryption, string trustPath,
                                                     string addressText, int port, double runFor, ConnectionLimits limits, TextWriter output)
    {
        if (!IPAddress.TryParse(addressText, out IPAddress? address)) return IotFiles.Fail(output, $"--address must be an IP address, not '{addressText}'");
        if (!encryption && ring is null) return IotFiles.Fail(output, "--no-encryption needs --ring");
        string beside = Path.GetDirectoryName(Path.GetFullPath(adminPath))!, fileName = ServeCommand.FileName(name);
        string data = dataOption ?? Path.Combine(beside, fileName + ".data");
        byte[]? sealingKey = ServeCommand.ReadOrCreateKey(stateKeyOption ?? Path.Combine(beside, fileName + "-state.key"), "state key", SecretSealer.KeySize, output);
        if (sealingKey is null) return 1;
        using var sealer = new SecretSealer(sealingKey);
        System.Security.Cryptography.CryptographicOperations.ZeroMemory(sealingKey);
        SqlAuthorityStore? store = null;
        Authority authority;
        try
        {
            using SchnorrSigningKey admin = LoadOrCreateSigning(adminPath, "signing");
            store = SqlAuthorityStore.Open(data, sealer, name);
            byte[]? saved = store.Load();
            if (saved is not null)
            {
                try { authority = Authority.Import(saved, admin.PublicKey); }
                finally { System.Security.Cryptography.CryptographicOperations.ZeroMemory(saved); }
            }
            else
            {
                authority = new Authority(encryption ? AttributeAuthority.Create(name) : null, ring is null ? null : SignatureAuthority.Create(name, ring), admin.PublicKey);
                store.Save(authority);
            }
        }
        catch (Exception e) when (e is IOException or InvalidDataException or EngineException or ArgumentException or UnauthorizedAccessException or System.Data.Common.DbException)
        {
            store?.Dispose();
            return IotFiles.Fail(output, $"cannot open the authority's state at '{data}': {e.Message}");
        }
        using var ownedStore = store;
        using (authority)
        {
            // Persist before the answer leaves: Changed runs under the authority's lock, inside the request.
            authority.Changed += () => store.Save(authority);
            using var shutdown = new ShutdownSignal(runFor, CancellationToken.None);
            await using var server = new RevocationServer(authority) { Limits = limits };
            try { await server.StartAsync(address, port).ConfigureAwait(false); }
            catch (IOException e) { return IotFiles.Fail(output, $"cannot listen on {address}:{port}: {e.Message}"); }
            AbeTrustFile.Write(trustPath, [("role", "authority"), ("name", name), ("endpoint", server.EndPoint!.ToString())]);
            output.WriteLine($"abe-authority {name} listening on {server.EndPoint}: {(authority.Encryption is null ? "" : "encryption keys")}{(authority.Signatures is null ? "" : $"{(authority.Encryption is null ? "" : ", ")}ring {authority.Signatures.Ring.Id} epoch {authority.Signatures.Ring.Epoch}")}; " +
                             $"{authority.UserCount} users; state in {store.Description} (revision {store.Revision}); trust file {trustPath}");
            output.Flush();
            await shutdown.WaitAsync().ConfigureAwait(false);
            var c = server.Counts;
            output.WriteLine($"abe-authority {name}: {c.Requests} requests, {c.Refusals} refused; connections: {server.Connections} (stopped)");
            return 0;
        }
    }

    private static async Task<int> RunCspAsync(string role, string name, string keyPath, string[] authorityTrust, string? sourceTrust, string? ownerPath, string? storePath,
                                               string trustPath, string addressText, int port, double runFor, ConnectionLimits limits, TextWriter output)
    {
        if (!IPAddress.TryParse(addressText, out IPAddress? address)) return IotFiles.Fail(output, $"--address must be an IP address, not '{addressText}'");
        using var host = new EngineHost();
        var connections = new List<(string Name, RevocationTcpConnection Connection)>();
        IDisposable? ownedCiphertexts = null;
        try
        {
            foreach (string path in authorityTrust)
            {
                AbeTrustFile t = AbeTrustFile.Read(path, "authority");
                connections.Add((t["name"], new RevocationTcpConnection(t.EndPoint)));
            }
            var published = new List<(string Name, AuthorityPublicKey? Encryption, RingPublicKey? RingKey, Ring? Ring)>();
            foreach ((string authorityName, RevocationTcpConnection connection) in connections) published.Add(await FetchPublicKeysAsync(authorityName, connection).ConfigureAwait(false));

            using var shutdown = new ShutdownSignal(runFor, CancellationToken.None);
            IRevocationRole served;
            var lines = new List<(string, string)> { ("role", role), ("name", name) };
            SchnorrSigningKey signing = LoadOrCreateSigning(keyPath, "signing");
            Timer? refresh = null;
            if (role == "source")
            {
                var withRing = published.FirstOrDefault(p => p.Ring is not null);
                if (withRing.Ring is null) return IotFiles.Fail(output, "none of the --authority-trust authorities keeps a ring");
                SourceCsp sourceCsp = host.CreateSourceCsp(name, signing, withRing.RingKey!, withRing.Ring);
                int index = published.IndexOf(withRing);
                // Follow the ring: a revocation moves it to the next epoch, and enrolments grow it.
                refresh = new Timer(_ =>
                {
                    try
                    {
                        var current = FetchPublicKeysAsync(connections[index].Name, connections[index].Connection).GetAwaiter().GetResult();
                        if (current.Ring is not null) sourceCsp.UpdateRing(withRing.RingKey!, current.Ring);     // the ring key itself never changes
                    }
                    catch (Exception e) when (e is EngineException or IOException or TimeoutException or System.Net.Sockets.SocketException) { }
                }, null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
                served = sourceCsp;
                lines.Add(("token-key", Convert.ToHexStringLower(signing.PublicKey)));
            }
            else
            {
                if (sourceTrust is null || ownerPath is null || storePath is null) return IotFiles.Fail(output, "--role accepting needs --source-trust, --admin-key and --store");
                AbeTrustFile sourceFile = AbeTrustFile.Read(sourceTrust, "source");
                using SchnorrSigningKey owner = LoadOrCreateSigning(ownerPath, "signing");
                HashedElGamalKey encryption = LoadOrCreateEncryption(keyPath);
                ICiphertextStore ciphertexts = OpenCiphertextStore(storePath);
                ownedCiphertexts = ciphertexts as IDisposable;
                output.WriteLine($"csp {name}: ciphertexts in {(ciphertexts is SqlCiphertextStore sql ? sql.Description : $"the folder {storePath}")}");
                AcceptingCsp accepting = host.CreateAcceptingCsp(name, owner.PublicKey, new Dictionary<string, byte[]> { [sourceFile["name"]] = sourceFile.Bytes("token-key") },
                                                                 published.Where(p => p.Encryption is not null).Select(p => p.Encryption!), ciphertexts);
                AuthorityFollower.Follow(accepting, ciphertexts, name, new RevocationAdmin(signing), encryption, [.. connections.Select(c => (c.Name, (IRevocationConnection)c.Connection))]);
                accepting.UpdateProgress += (done, total) => { if (done == total || done % 100 == 0) output.WriteLine($"csp {name}: update job {done}/{total}"); };
                served = accepting;
                lines.Add(("signing-key", Convert.ToHexStringLower(signing.PublicKey)));
                lines.Add(("encryption-key", Convert.ToHexStringLower(encryption.PublicKey)));
            }
            await using var server = new RevocationServer(served) { Limits = limits };
            try { await server.StartAsync(address, port).ConfigureAwait(false); }
            catch (IOException e) { return IotFiles.Fail(output, $"cannot listen on {address}:{port}: {e.Message}"); }
            lines.Insert(2, ("endpoint", server.EndPoint!.ToString()));
            AbeTrustFile.Write(trustPath, lines);
            output.WriteLine($"csp {name} ({role}) listening on {server.EndPoint}; trust file {trustPath}");
            output.Flush();
            await shutdown.WaitAsync().ConfigureAwait(false);
            if (refresh is not null) await refresh.DisposeAsync().ConfigureAwait(false);
            var c = server.Counts;
            output.WriteLine($"csp {name}: {c.Requests} requests, {c.Refusals} refused; connections: {server.Connections} (stopped)");
            return 0;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or EngineException or ArgumentException or UnauthorizedAccessException or FormatException or TimeoutException or System.Net.Sockets.SocketException)
        {
            return IotFiles.Fail(output, e.Message);
        }
        finally
        {
            foreach ((_, RevocationTcpConnection connection) in connections) await connection.DisposeAsync().ConfigureAwait(false);
            ownedCiphertexts?.Dispose();
        }
    }

    /// <summary>
    /// The accepting CSP's store: PostgreSQL for a connection string; in a directory, the folder layout of
    /// <see cref="FileCiphertextStore"/> when one is there already (kept as it is), else SQLite.
    /// </summary>
    internal static ICiphertextStore OpenCiphertextStore(string location)
        => !SqlDatabase.IsPostgres(location) && Directory.Exists(Path.Combine(location, "ciphertexts")) ? new FileCiphertextStore(location) : SqlCiphertextStore.Open(location);

    /// <summary>Seals and commits the authority's state; its export is wiped after.</summary>
    private static HashedElGamalKey LoadOrCreateEncryption(string keyPath)
    {
        using SecretFile file = SecretFile.Read(keyPath);
        if (file.Contains("encryption"))
            return HashedElGamalKey.Import(RevocationParameters.Group, file["encryption"], out HashedElGamalKey? key) == EngineStatus.Ok ? key! : throw new InvalidDataException($"{keyPath}: bad encryption key");
        HashedElGamalKey fresh = HashedElGamalKey.Generate(RevocationParameters.Group);
        byte[] signing = file["signing"].ToArray(), secret = IotFiles.Export(fresh.ExportSecret);
        try { SecretFile.Write(keyPath, [("signing", signing), ("encryption", secret)]); }
        finally
        {
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(signing);
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(secret);
        }
        return fresh;
    }

    /// <summary>An authority's published keys: its encryption public key, ring public key and ring (each may be absent).</summary>
    internal static async Task<(string Name, AuthorityPublicKey? Encryption, RingPublicKey? RingKey, Ring? Ring)> FetchPublicKeysAsync(string name, IRevocationConnection connection)
    {
        AuthorityKeys keys = await AuthorityKeys.FetchAsync(name, connection).ConfigureAwait(false);
        return (keys.Name, keys.Encryption, keys.RingKey, keys.Ring);
    }

    internal static (string, AuthorityPublicKey?, RingPublicKey?, Ring?) ReadPublicKeys(string name, byte[] payload)
    {
        AuthorityKeys keys = AuthorityKeys.Read(name, payload);
        return (keys.Name, keys.Encryption, keys.RingKey, keys.Ring);
    }
}
