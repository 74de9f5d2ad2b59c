using System.CommandLine;
using System.Net;
using System.Security.Cryptography;
using Engine.Hosting;
using Engine.Hosting.IotAuth;
using Engine.IotAuth;
using Engine.IotAuth.Roles;
using Engine.IotAuth.Storage;
using Engine.IotAuth.Tags;
using Engine.IotAuth.Trust;
using Engine.Primitives.Batching;
using Engine.Primitives.Encryption;
using Engine.Primitives.Schnorr;
using Engine.Hosting.Framing;

namespace Engine.Cli.Commands.Iot;

/// <summary>Options of <c>engine serve iot-cs</c>.</summary>
internal sealed record CloudServeOptions(string KeyFile, string TrustFile, string[] OperationCenterTrust, string? ConfigFile, string Address, int Port, double RunForSeconds, double StatusSeconds)
{
    /// <summary>The server's connection limits.</summary>
    public ConnectionLimits Limits { get; init; } = ConnectionLimits.Default;

    /// <summary>Durable state: a directory, a PostgreSQL connection string, "memory", or null (KEY.data beside the key file).</summary>
    public string? Data { get; init; }
}

/// <summary>Options of <c>engine serve iot-oc</c>.</summary>
internal sealed record OperationCenterServeOptions(string Id, string KeyFile, string EnrolmentKeyFile, string AdminKeyFile, string CloudTrust, string TrustFile,
                                                   int Threshold, double EpochSeconds, string Address, int Port, bool Batching, double RunForSeconds, double StatusSeconds)
{
    /// <summary>The server's connection limits.</summary>
    public ConnectionLimits Limits { get; init; } = ConnectionLimits.Default;

    /// <summary>Durable state: a directory, a PostgreSQL connection string, "memory", or null (KEY.data beside the key file).</summary>
    public string? Data { get; init; }

    /// <summary>One of several instances of this OC on the same <see cref="Data"/>: challenges and accepted proofs are shared there.</summary>
    public bool Shared { get; init; }
}

/// <summary>
/// <c>engine serve iot-cs</c> and <c>engine serve iot-oc</c>: Protocol 3's cloud server and operation centre on
/// Kestrel until Ctrl+C, SIGTERM or <c>--run-for</c>. Key files are created on first start (owner-only) and trust
/// files written for the others; the OC's γ and epoch live in its key file, so a restart keeps every issued tag
/// valid. The CS's evaluations and votes and the OC's registrations live in <c>--data</c> (SQLite beside the key file
/// by default, or PostgreSQL), committed before the answer leaves; only challenges and sessions (minutes long) are in
/// memory, so a device whose session a restart cut authenticates again.
/// </summary>
internal static class ServeIotCommand
{
    public static IEnumerable<Command> Create(TextWriter output)
    {
        Option<string> Address() => new("--address") { Description = "Address to listen on.", DefaultValueFactory = _ => "127.0.0.1" };
        Option<int> Port(int d) => new("--port") { Description = "Port (0 picks a free one).", DefaultValueFactory = _ => d };
        Option<double> RunFor() => new("--run-for") { Description = "Stop after this many seconds (0: until Ctrl+C or SIGTERM)." };
        Option<double> Status() => new("--status-interval") { Description = "Print the counters every this many seconds (0: only at exit).", DefaultValueFactory = _ => 10 };
        Option<string?> Data() => new("--data") { Description = "Durable state: a directory (SQLite, default KEY.data beside --key), a PostgreSQL connection string (Host=…), or 'memory'." };

        var cs = new Command("iot-cs", "Protocol 3's cloud server: trust evaluation of devices, answers to the operation centre (SPEC.md §3.2).");
        var csKey = new Option<string>("--key") { Description = "The CS's secret key file (created if missing, owner-only).", Required = true };
        var csTrust = new Option<string>("--trust-file") { Description = "Write the CS's trust file (endpoint and public key) here, for the OC and the devices.", Required = true };
        var ocTrust = new Option<string[]>("--oc-trust") { Description = "Trust files of the operation centres allowed to query TLs (re-read when an unknown OC asks).", AllowMultipleArgumentsPerToken = true, DefaultValueFactory = _ => [] };
        var config = new Option<string?>("--config") { Description = "Trust model as JSON (attributes with ranges, directions and weights; vote weight; anchors). Default: the built-in sensor model." };
        var csAddress = Address(); var csPort = Port(7601); var csRun = RunFor(); var csStatus = Status(); var csData = Data();
        foreach (Option o in new Option[] { csKey, csTrust, ocTrust, config, csAddress, csPort, csRun, csStatus, csData }) cs.Options.Add(o);
        var csLimits = new ConnectionLimitOptions(cs);
        cs.SetAction(r => !csLimits.TryRead(r, output, out ConnectionLimits limits) ? 1 :
                          RunCloudAsync(new CloudServeOptions(r.GetValue(csKey)!, r.GetValue(csTrust)!, r.GetValue(ocTrust)!, r.GetValue(config), r.GetValue(csAddress)!,
                                                               r.GetValue(csPort), r.GetValue(csRun), r.GetValue(csStatus)) { Limits = limits, Data = r.GetValue(csData) }, output, CancellationToken.None).GetAwaiter().GetResult());

        var oc = new Command("iot-oc", "Protocol 3's operation centre: registration, tags, anonymous authentication and key agreement (SPEC.md §3.3–3.4).");
        var id = new Option<string>("--id") { Description = "The OC's identifier (hashed into every challenge).", DefaultValueFactory = _ => "oc-1" };
        var ocKey = new Option<string>("--key") { Description = "The OC's secret key file: signing and encryption keys, γ and the epoch (created if missing, owner-only).", Required = true };
        var enrolment = new Option<string>("--enrolment-key") { Description = "File with the enrolment key devices register with, shared out of band (created if missing).", Required = true };
        var admin = new Option<string>("--admin-key") { Description = "File with the operator's key for epoch rotation and revocation (created if missing).", Required = true };
        var cloud = new Option<string>("--cs-trust") { Description = "The cloud server's trust file.", Required = true };
        var trust = new Option<string>("--trust-file") { Description = "Write the OC's trust file (id, endpoint, public keys) here, for the devices and the CS.", Required = true };
        var threshold = new Option<int>("--threshold") { Description = "Lowest TL (0..10000) a tag is issued for.", DefaultValueFactory = _ => 6000 };
        var epoch = new Option<double>("--epoch-seconds") { Description = "Rotate γ on this schedule (0: only on 'engine iot rotate').", DefaultValueFactory = _ => 0 };
        var noBatching = new Option<bool>("--no-batching") { Description = "Verify each proof at once instead of batching concurrent devices." };
        var shared = new Option<bool>("--shared") { Description = "One of several instances of this OC (same keys, same --data, PostgreSQL across machines): challenges and accepted proofs are shared there, so any instance takes any device's answer and a proof replayed at another instance is refused." };
        var ocAddress = Address(); var ocPort = Port(7602); var ocRun = RunFor(); var ocStatus = Status(); var ocData = Data();
        foreach (Option o in new Option[] { id, ocKey, enrolment, admin, cloud, trust, threshold, epoch, noBatching, shared, ocAddress, ocPort, ocRun, ocStatus, ocData }) oc.Options.Add(o);
        var ocLimits = new ConnectionLimitOptions(oc);
        oc.SetAction(r => !ocLimits.TryRead(r, output, out ConnectionLimits limits) ? 1 :
                          RunOperationCenterAsync(new OperationCenterServeOptions(r.GetValue(id)!, r.GetValue(ocKey)!, r.GetValue(enrolment)!, r.GetValue(admin)!, r.GetValue(cloud)!,
                                                                                   r.GetValue(trust)!, r.GetValue(threshold), r.GetValue(epoch), r.GetValue(ocAddress)!, r.GetValue(ocPort),
                                                                                   !r.GetValue(noBatching), r.GetValue(ocRun), r.GetValue(ocStatus)) { Limits = limits, Data = r.GetValue(ocData), Shared = r.GetValue(shared) }, output, CancellationToken.None).GetAwaiter().GetResult());
        return [cs, oc];
    }

    internal static async Task<int> RunCloudAsync(CloudServeOptions options, TextWriter output, CancellationToken cancellationToken)
    {
        if (!IPAddress.TryParse(options.Address, out IPAddress? address)) return IotFiles.Fail(output, $"--address must be an IP address, not '{options.Address}'");
        TrustConfiguration configuration;
        try { configuration = options.ConfigFile is null ? TrustConfiguration.Default : TrustConfiguration.FromJson(File.ReadAllText(options.ConfigFile)); }
        catch (TrustConfigurationException e) { return IotFiles.Fail(output, $"{options.ConfigFile}: {e.Message}"); }
        catch (IOException e) { return IotFiles.Fail(output, $"cannot read {options.ConfigFile}: {e.Message}"); }
        using SchnorrSigningKey? key = IotFiles.LoadOrCreate(options.KeyFile, output, s => Import(s["signing"]), () =>
        {
            SchnorrSigningKey k = SchnorrSigningKey.Generate(IotAuthParameters.Group);
            return (k, [("signing", IotFiles.Export(k.ExportSecret))]);
        });
        if (key is null) return 1;

        // Unknown OC ids come from unauthenticated queries: re-read the trust files at most once a second.
        long lastRead = 0;
        OperationCenterEntry? Resolve(string ocId)
        {
            long now = Environment.TickCount64;
            if (now - Interlocked.Read(ref lastRead) < 1000) return null;
            Interlocked.Exchange(ref lastRead, now);
            foreach (string file in options.OperationCenterTrust)
            {
                try
                {
                    TrustFile t = TrustFile.Read(file, "oc");
                    if (t.Id == ocId && t.EncryptionKey is not null) return new OperationCenterEntry(t.Id, t.SigningKey, t.EncryptionKey);
                }
                catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException) { }
            }
            return null;
        }
        if (!TryOpenStore(options.Data ?? options.KeyFile + ".data", SqlCloudStore.Open, output, out SqlCloudStore? store)) return 1;
        using var closeStore = store;
        var server = new CloudServer(configuration, key, [], store) { ResolveOperationCenter = Resolve };
        using var shutdown = new ShutdownSignal(options.RunForSeconds, cancellationToken);
        await using var host = new IotServer(server) { Limits = options.Limits };
        try { await host.StartAsync(address, options.Port).ConfigureAwait(false); }
        catch (IOException e) { return IotFiles.Fail(output, $"cannot listen on {address}:{options.Port}: {e.Message}"); }
        new TrustFile("cs", "cs", host.EndPoint!, key.PublicKey.ToArray(), null).Write(options.TrustFile);
        output.WriteLine($"iot-cs listening on {host.EndPoint}; trust file {options.TrustFile}; {configuration.Attributes.Count} attributes ({string.Join(", ", configuration.Attributes.Select(a => a.Name))}), vote weight {configuration.VoteWeight}");
        output.WriteLine(store is null ? "state is in memory: a restart forgets evaluations and votes (devices report again)"
                                       : $"state in {store.Description}: {store.DeviceCount} devices evaluated");
        output.Flush();
        await StatusLoop(options.StatusSeconds, shutdown, () => $"iot-cs: {server.Counts.Evaluations} evaluations, {host.Counts.Requests} requests, {host.Counts.Refusals} refused", output).ConfigureAwait(false);
        return 0;

    }

    internal static async Task<int> RunOperationCenterAsync(OperationCenterServeOptions options, TextWriter output, CancellationToken cancellationToken)
    {
        if (!IPAddress.TryParse(options.Address, out IPAddress? address)) return IotFiles.Fail(output, $"--address must be an IP address, not '{options.Address}'");
        if (System.Text.Encoding.UTF8.GetByteCount(options.Id) is 0 or > IotAuthParameters.MaxIdentityBytes) return IotFiles.Fail(output, "--id must be 1 to 255 bytes of UTF-8");
        if (options.Threshold is < 0 or > 10_000) return IotFiles.Fail(output, "--threshold must be in 0..10000");
        TrustFile cloudTrust;
        try { cloudTrust = TrustFile.Read(options.CloudTrust, "cs"); }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException) { return IotFiles.Fail(output, $"cannot read the CS trust file: {e.Message}"); }
        using SecretFile? enrolment = IotFiles.LoadOrCreateRandom(options.EnrolmentKeyFile, "enrolment", output);
        using SecretFile? admin = IotFiles.LoadOrCreateRandom(options.AdminKeyFile, "admin", output);
        if (enrolment is null || admin is null) return 1;
        using OperationCenterKeys? keys = IotFiles.LoadOrCreate(options.KeyFile, output, OperationCenterKeys.Import, () =>
        {
            OperationCenterKeys k = OperationCenterKeys.Generate();
            return (k, k.InitialSecrets());
        });
        if (keys is null) return 1;

        if (!TryOpenStore(options.Data ?? options.KeyFile + ".data", SqlOperationCenterStore.Open, output, out SqlOperationCenterStore? store)) return 1;
        using var closeStore = store;
        SqlOperationCenterSharedState? sharedState = null;
        if (options.Shared)
        {
            if (store is null) return IotFiles.Fail(output, "--shared needs durable --data that the instances share (a PostgreSQL connection string, or one directory on one machine)");
            if (!TryOpenStore(options.Data ?? options.KeyFile + ".data", SqlOperationCenterSharedState.Open, output, out sharedState)) return 1;
        }
        using var closeShared = sharedState;
        using var host = new EngineHost(new EngineHostOptions { EnableBatching = options.Batching });
        await using var cloud = new ReconnectingIotConnection(cloudTrust.EndPoint, expectHello: false);
        using OperationCenter oc = host.CreateOperationCenter(new OperationCenterOptions { Id = options.Id, Threshold = options.Threshold }, keys.Signing, keys.Encryption,
                                                              keys.TakeTagKey(), enrolment["enrolment"], admin["admin"], cloud, cloudTrust.SigningKey, store, sharedState: sharedState);
        oc.EpochRotated += epoch =>
        {
            IotFiles.SaveOperationCenterKeys(options.KeyFile, keys, oc);
            output.WriteLine($"iot-oc: epoch {epoch} (new γ saved to {options.KeyFile}); devices need a new tag");
            output.Flush();
        };
        using var shutdown = new ShutdownSignal(options.RunForSeconds, cancellationToken);
        await using var server = new IotServer(oc) { Limits = options.Limits };
        try { await server.StartAsync(address, options.Port).ConfigureAwait(false); }
        catch (IOException e) { return IotFiles.Fail(output, $"cannot listen on {address}:{options.Port}: {e.Message}"); }
        new TrustFile("oc", options.Id, server.EndPoint!, keys.Signing.PublicKey.ToArray(), keys.Encryption.PublicKey.ToArray()).Write(options.TrustFile);
        output.WriteLine($"iot-oc '{options.Id}' listening on {server.EndPoint}; epoch {oc.Epoch}; threshold {options.Threshold}; {(options.Batching ? "batched" : "unbatched")} verification; trust file {options.TrustFile}");
        output.WriteLine(store is null ? "registrations and sessions are in memory: a restart keeps γ and the epoch (issued tags stay valid) but forgets registrations (devices register again)"
                                       : $"registrations in {store.Description} ({store.DeviceCount} devices); γ and the epoch in {options.KeyFile}; sessions in memory" +
                                         (sharedState is null ? "" : "; challenges and accepted proofs shared with the other instances there"));
        output.Flush();
        using Timer? rotation = options.EpochSeconds > 0 ? new Timer(_ => oc.RotateEpoch(), null, TimeSpan.FromSeconds(options.EpochSeconds), TimeSpan.FromSeconds(options.EpochSeconds)) : null;
        await StatusLoop(options.StatusSeconds, shutdown, () =>
        {
            var c = oc.Counts;
            string batches = host.ProofBatcher is { } b ? $", {b.Items} proofs in {b.Batches} batches" : "";
            return $"iot-oc: epoch {oc.Epoch}, {c.TagsIssued} tags, {c.Authentications} authentications ({c.Confirmed} confirmed){batches}, {server.Counts.Refusals} refused; connections: {server.Connections}";
        }, output).ConfigureAwait(false);
        return 0;
    }

    private static async Task StatusLoop(double seconds, ShutdownSignal shutdown, Func<string> status, TextWriter output)
    {
        try
        {
            while (true)
            {
                await Task.Delay(seconds > 0 ? TimeSpan.FromSeconds(seconds) : Timeout.InfiniteTimeSpan, shutdown.Token).ConfigureAwait(false);
                output.WriteLine(status());
                output.Flush();
            }
        }
        catch (OperationCanceledException) { }
        output.WriteLine(status() + " (stopped)");
        output.Flush();
    }

    private static SchnorrSigningKey Import(ReadOnlySpan<byte> secret)
        => SchnorrSigningKey.Import(IotAuthParameters.Group, secret, out SchnorrSigningKey? key) == EngineStatus.Ok ? key! : throw new InvalidDataException("not a signing key");

    /// <summary>
    /// The durable state at <paramref name="data"/> (a directory for SQLite or a PostgreSQL connection string), or null
    /// for "memory"; false, with the reason printed, when it cannot be opened.
    /// </summary>
    private static bool TryOpenStore<TStore>(string data, Func<string, TStore> open, TextWriter output, out TStore? store) where TStore : class
    {
        store = null;
        if (data == "memory") return true;
        try
        {
            store = open(data);
            return true;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException or System.Data.Common.DbException or ArgumentException)
        {
            IotFiles.Fail(output, $"cannot open the state at '{data}': {e.Message}");
            return false;
        }
    }
}

/// <summary>The OC's secrets: signing key, encryption key, and the current epoch's γ.</summary>
internal sealed class OperationCenterKeys : IDisposable
{
    private TagKey? _tagKey;

    private OperationCenterKeys(SchnorrSigningKey signing, HashedElGamalKey encryption, TagKey tagKey) => (Signing, Encryption, _tagKey) = (signing, encryption, tagKey);

    public SchnorrSigningKey Signing { get; }
    public HashedElGamalKey Encryption { get; }

    /// <summary>The tag key, handed over to the OC (which owns and rotates it from then on).</summary>
    public TagKey TakeTagKey() => Interlocked.Exchange(ref _tagKey, null) ?? throw new InvalidOperationException("taken");

    public static OperationCenterKeys Generate()
        => new(SchnorrSigningKey.Generate(IotAuthParameters.Group), HashedElGamalKey.Generate(IotAuthParameters.Group), TagKey.Generate(1));

    public static OperationCenterKeys Import(SecretFile file)
    {
        if (SchnorrSigningKey.Import(IotAuthParameters.Group, file["signing"], out SchnorrSigningKey? signing) != EngineStatus.Ok) throw new InvalidDataException("bad signing key");
        if (HashedElGamalKey.Import(IotAuthParameters.Group, file["encryption"], out HashedElGamalKey? encryption) != EngineStatus.Ok) throw new InvalidDataException("bad encryption key");
        ReadOnlySpan<byte> epoch = file["epoch"];
        if (epoch.Length != 4) throw new InvalidDataException("the epoch is 4 bytes");
        if (TagKey.Import(System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(epoch), file["gamma"], out TagKey? tag) != EngineStatus.Ok) throw new InvalidDataException("bad γ");
        return new OperationCenterKeys(signing!, encryption!, tag!);
    }

    /// <summary>The secrets of freshly generated keys, before the tag key is handed over.</summary>
    public IReadOnlyList<(string, byte[])> InitialSecrets()
    {
        byte[] gamma = GC.AllocateArray<byte>(32, pinned: true);
        _tagKey!.ExportSecret(gamma);
        return Secrets(_tagKey.Epoch, gamma);
    }

    public IReadOnlyList<(string, byte[])> Secrets(uint epoch, ReadOnlySpan<byte> gamma)
    {
        byte[] s = GC.AllocateArray<byte>(32, pinned: true), e = GC.AllocateArray<byte>(32, pinned: true), epochBytes = new byte[4];
        Signing.ExportSecret(s);
        Encryption.ExportSecret(e);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(epochBytes, epoch);
        return [("signing", s), ("encryption", e), ("gamma", gamma.ToArray()), ("epoch", epochBytes)];
    }

    public void Dispose()
    {
        Signing.Dispose();
        Encryption.Dispose();
        _tagKey?.Dispose();
    }

}
