using System.Buffers;
using System.Text.Json;
using Engine.Hosting;
using Engine.Hosting.Roles;
using Engine.Primitives.Groups;
using Engine.Primitives.Schnorr;
using Engine.TwoServer;
using Engine.TwoServer.Roles;
using Engine.TwoServer.Storage;

namespace Engine.Interop.Exports;

/// <summary>
/// The JSON a C host configures with (engine.h documents each key). A configuration that does not parse, names an
/// unknown role or holds a bad key is refused with a status before anything is created. Secret keys are read through
/// <see cref="SecretJson"/>, so no copy of them outlives the call.
/// </summary>
internal static class RoleConfiguration
{
    /// <summary>Host options: <c>{"batching": true, "batch_signatures": false}</c>; empty input is the defaults.</summary>
    public static EngineStatus HostOptions(ReadOnlySpan<byte> json, out EngineHostOptions? options)
    {
        options = new EngineHostOptions();
        if (json.IsEmpty) return EngineStatus.Ok;
        try
        {
            using JsonDocument doc = JsonDocument.Parse(json.ToArray());     // no secrets in host options
            JsonElement root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return EngineStatus.Malformed;
            options = new EngineHostOptions
            {
                EnableBatching = !root.TryGetProperty("batching", out JsonElement b) || b.GetBoolean(),
                BatchSignatures = root.TryGetProperty("batch_signatures", out JsonElement s) && s.GetBoolean(),
            };
            return EngineStatus.Ok;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException) { return EngineStatus.Malformed; }
    }

    /// <summary>A role from its configuration: <c>{"role": "two-server" | "onion-node" | "iot-cs", …}</c> (see engine.h).</summary>
    public static EngineStatus Create(EngineHost host, ReadOnlySpan<byte> json, out IEngineRole? role) => Create(host, json, null, out role);

    /// <summary>
    /// A role from its configuration, its outgoing requests (an operation centre's to its cloud server) through
    /// <paramref name="transport"/>: also <c>"iot-oc"</c>, <c>"abe-authority"</c>, <c>"source-csp"</c>, <c>"accepting-csp"</c> (see engine.h).
    /// </summary>
    public static EngineStatus Create(EngineHost host, ReadOnlySpan<byte> json, NativeTransport? transport, out IEngineRole? role)
    {
        role = null;
        try
        {
            using SecretJson config = SecretJson.Parse(json);
            JsonElement root = config.Root;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("role", out JsonElement kind)) return EngineStatus.Malformed;
            return kind.GetString() switch
            {
                "two-server" => TwoServer(host, config, out role),
                "onion-node" => OnionNode(host, config, out role),
                "iot-cs" => IotCloudServer(config, out role),
                "iot-oc" => ProtocolRoleConfigurations.OperationCentre(host, config, transport, out role),
                "abe-authority" => ProtocolRoleConfigurations.Authority(config, out role),
                "source-csp" => ProtocolRoleConfigurations.SourceCsp(host, config, out role),
                "accepting-csp" => ProtocolRoleConfigurations.AcceptingCsp(host, config, transport, out role),
                "iot-device" => ClientRoleConfigurations.Device(config, out role),
                "two-server-user" => ClientRoleConfigurations.TwoServerUser(config, out role),
                "abe-user" => ClientRoleConfigurations.AbeUser(config, out role),
                "onion-client" => ClientRoleConfigurations.OnionClient(config, out role),
                _ => EngineStatus.NotFound,
            };
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException or KeyNotFoundException or ArgumentException
                                        or Engine.IotAuth.Trust.TrustConfigurationException) { return EngineStatus.Malformed; }
    }

    // {"role":"onion-node","group":"Modp2048Q256","id":"relay-1","secret_value":"<hex>","partial_key":"<hex>",
    //  "master_public_key":"<hex>","max_links":100000}: a relay or destination of Protocol 1 with its full private key
    // (the secret value t it made and the KGC's partial key for it); setups and ACKs join the host's modexp batches.
    private static EngineStatus OnionNode(EngineHost host, SecretJson config, out IEngineRole? role)
    {
        role = null;
        JsonElement root = config.Root;
        PrimeOrderGroup? group = PrimeOrderGroups.Find(root.TryGetProperty("group", out JsonElement g) ? g.GetString() ?? "" : "Modp2048Q256");
        if (group is null) return EngineStatus.NotFound;
        string id = root.GetProperty("id").GetString() ?? "";
        if (!Engine.Onion.Keys.PartialKeyHash.IsValidIdentity(id)) return EngineStatus.Malformed;
        int maxLinks = root.TryGetProperty("max_links", out JsonElement m) ? m.GetInt32() : 100_000;
        if (maxLinks < 1) return EngineStatus.Malformed;
        byte[] masterPublicKey = Convert.FromHexString(root.GetProperty("master_public_key").GetString()!);
        byte[]? secret = config.SecretHex("secret_value"), partial = config.SecretHex("partial_key");
        if (secret is null || partial is null)
        {
            if (secret is not null) Array.Clear(secret);
            if (partial is not null) Array.Clear(partial);
            return EngineStatus.Malformed;
        }
        var parameters = new Engine.Onion.OnionParameters(group);
        EngineStatus s = Engine.Onion.Keys.CertificatelessSecretValue.Restore(parameters, id, secret, out Engine.Onion.Keys.CertificatelessSecretValue? value);
        Array.Clear(secret);
        if (s != EngineStatus.Ok) return s;
        Engine.Onion.Keys.CertificatelessPrivateKey? key;
        using (value) s = value!.Complete(partial, masterPublicKey, out key);
        Array.Clear(partial);
        if (s != EngineStatus.Ok) return s;
        Engine.Onion.Roles.OnionNode node = host.CreateOnionNode(key!, maxLinks);
        role = new OwnedRole(new OnionNodeRole(node), [node, key]);
        return EngineStatus.Ok;
    }

    // {"role":"iot-cs","signing_key":"<hex>","operation_centres":[{"id":"oc-1","signing_key":"<hex>","encryption_key":"<hex>"}],
    //  "trust":{…TrustConfiguration JSON…},"data":"DIR|CONN"}: Protocol 3's cloud server, evaluating devices for the
    // operation centres listed (their public keys), under the default trust model unless one is given.
    private static EngineStatus IotCloudServer(SecretJson config, out IEngineRole? role)
    {
        role = null;
        JsonElement root = config.Root;
        var centres = new List<Engine.IotAuth.Roles.OperationCenterEntry>();
        foreach (JsonElement oc in root.GetProperty("operation_centres").EnumerateArray())
        {
            string id = oc.GetProperty("id").GetString() ?? "";
            byte[] signing = Convert.FromHexString(oc.GetProperty("signing_key").GetString()!), encryption = Convert.FromHexString(oc.GetProperty("encryption_key").GetString()!);
            var element = new ulong[Engine.IotAuth.IotAuthParameters.Group.ElementLimbs];
            EngineStatus decoded = Engine.IotAuth.IotAuthParameters.Group.Decode(signing, element);
            if (decoded == EngineStatus.Ok) decoded = Engine.IotAuth.IotAuthParameters.Group.Decode(encryption, element);
            if (decoded != EngineStatus.Ok) return decoded;
            if (id.Length == 0) return EngineStatus.Malformed;
            centres.Add(new Engine.IotAuth.Roles.OperationCenterEntry(id, signing, encryption));
        }
        Engine.IotAuth.Trust.TrustConfiguration trust = root.TryGetProperty("trust", out JsonElement t)
            ? Engine.IotAuth.Trust.TrustConfiguration.FromJson(t.GetRawText()) : Engine.IotAuth.Trust.TrustConfiguration.Default;
        byte[]? secret = config.SecretHex("signing_key");
        if (secret is null) return EngineStatus.Malformed;
        EngineStatus s = SchnorrSigningKey.Import(Engine.IotAuth.IotAuthParameters.Group, secret, out SchnorrSigningKey? key);
        Array.Clear(secret);
        if (s != EngineStatus.Ok) return s;
        Engine.IotAuth.Storage.SqlCloudStore? store = null;
        try
        {
            if (root.TryGetProperty("data", out JsonElement d) && d.GetString() is { Length: > 0 } location) store = Engine.IotAuth.Storage.SqlCloudStore.Open(location);
        }
        catch
        {
            key!.Dispose();
            throw;
        }
        var server = new Engine.IotAuth.Roles.CloudServer(trust, key!, centres, store);
        role = new OwnedRole(new IotRole("iot-cs", server), [store, key]);
        return EngineStatus.Ok;
    }

    // {"role":"two-server","server":1,"signing_key":"<64 hex>","peer_public_key":"<96 hex>","block":256,"data":"DIR|CONN"}
    private static EngineStatus TwoServer(EngineHost host, SecretJson config, out IEngineRole? role)
    {
        role = null;
        JsonElement root = config.Root;
        int server = root.GetProperty("server").GetInt32();
        if (server is not (1 or 2)) return EngineStatus.Malformed;
        int block = root.TryGetProperty("block", out JsonElement b) ? b.GetInt32() : TwoServerParameters.DefaultBlockSize;
        if (block is < TwoServerParameters.MinBlockSize or > TwoServerParameters.MaxBlockSize) return EngineStatus.BadLength;
        byte[] peer = Convert.FromHexString(root.GetProperty("peer_public_key").GetString()!);
        byte[]? secret = config.SecretHex("signing_key");
        if (secret is null) return EngineStatus.Malformed;
        PrimeOrderGroup group = PrimeOrderGroups.Bls12381G1;
        EngineStatus s = SchnorrSigningKey.Import(group, secret, out SchnorrSigningKey? key);
        Array.Clear(secret);
        if (s != EngineStatus.Ok) return s;
        s = group.Decode(peer, new ulong[group.ElementLimbs]);
        if (s != EngineStatus.Ok) { key!.Dispose(); return s; }
        SqlTwoServerStore? store = root.TryGetProperty("data", out JsonElement d) && d.GetString() is { Length: > 0 } location ? SqlTwoServerStore.Open(location) : null;
        TwoServerNode node = host.CreateTwoServerNode(server, key!, peer, TwoServerParameters.ForBlockSize(block), store);
        role = new OwnedRole(new TwoServerRole(node), [store, key]);
        return EngineStatus.Ok;
    }
}

/// <summary>A role made for a C caller, with what it owns (keys, stores), disposed with its handle.</summary>
internal sealed class OwnedRole(IEngineRole inner, IDisposable?[] owned) : IEngineRole, IDisposable
{
    public IEngineRole Inner { get; } = inner;

    public string Name => Inner.Name;

    public byte Open(RoleConnection connection, IBufferWriter<byte> greeting) => Inner.Open(connection, greeting);

    public RoleReply Process(RoleConnection connection, byte type, ReadOnlySpan<byte> request, IBufferWriter<byte> response) => Inner.Process(connection, type, request, response);

    public ValueTask<RoleReply> ProcessAsync(RoleConnection connection, byte type, ReadOnlyMemory<byte> request, IBufferWriter<byte> response, CancellationToken cancellationToken = default)
        => Inner.ProcessAsync(connection, type, request, response, cancellationToken);

    public void Dispose()
    {
        foreach (IDisposable? d in owned) d?.Dispose();
    }
}
