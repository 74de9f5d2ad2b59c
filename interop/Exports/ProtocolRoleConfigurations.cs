using System.Text.Json;
using Engine.Hosting;
using Engine.Hosting.Roles;
using Engine.IotAuth;
using Engine.IotAuth.Roles;
using Engine.IotAuth.Storage;
using Engine.IotAuth.Tags;
using Engine.IotAuth.Wire;
using Engine.Primitives.Encryption;
using Engine.Primitives.Schnorr;
using Engine.Revocation;
using Engine.Revocation.Roles;
using Engine.Revocation.Signatures;
using Engine.Revocation.Storage;
using Engine.Storage;

namespace Engine.Interop.Exports;

/// <summary>
/// The C ABI configurations of Protocol 3's operation centre and Protocol 4's authority and source CSP (engine.h
/// documents each key). Secret keys are read through <see cref="SecretJson"/> into pinned arrays wiped here; a
/// configuration that does not check out is refused with a status before anything is made.
/// </summary>
internal static class ProtocolRoleConfigurations
{
    // {"role":"iot-oc","id":"oc-1","signing_key":"<64 hex>","encryption_key":"<64 hex>","gamma":"<64 hex>","epoch":1,
    //  "enrolment_key":"<hex, 16+ bytes>","admin_key":"<hex, 16+ bytes>","cloud_signing_key":"<96 hex>","threshold":6000,
    //  "data":"DIR|CONN"}: Protocol 3's operation centre. Its queries to the cloud server go through the role's
    // transport (server 0); the host persists γ after each rotation (engine_iot_oc_export_tag_key).
    public static EngineStatus OperationCentre(EngineHost host, SecretJson config, NativeTransport? transport, out IEngineRole? role)
    {
        role = null;
        if (transport is null) return EngineStatus.NullArgument;                 // an OC must reach its cloud server
        JsonElement root = config.Root;
        string id = root.GetProperty("id").GetString() ?? "";
        if (System.Text.Encoding.UTF8.GetByteCount(id) is 0 or > IotAuthParameters.MaxIdentityBytes) return EngineStatus.Malformed;
        int threshold = root.TryGetProperty("threshold", out JsonElement t) ? t.GetInt32() : 6000;
        if (threshold is < 0 or > 10_000) return EngineStatus.Malformed;
        uint epoch = root.TryGetProperty("epoch", out JsonElement e) ? e.GetUInt32() : 1;
        byte[] cloudKey = Convert.FromHexString(root.GetProperty("cloud_signing_key").GetString()!);
        EngineStatus s = IotAuthParameters.Group.Decode(cloudKey, new ulong[IotAuthParameters.Group.ElementLimbs]);
        if (s != EngineStatus.Ok) return s;

        using var secrets = new Secrets(config, "signing_key", "encryption_key", "gamma", "enrolment_key", "admin_key");
        if (!secrets.Complete) return EngineStatus.Malformed;
        if (secrets["enrolment_key"].Length < 16 || secrets["admin_key"].Length < 16) return EngineStatus.BadLength;
        var owned = new List<IDisposable?>();
        try
        {
            if ((s = SchnorrSigningKey.Import(IotAuthParameters.Group, secrets["signing_key"], out SchnorrSigningKey? signing)) != EngineStatus.Ok) return s;
            owned.Add(signing);
            if ((s = HashedElGamalKey.Import(IotAuthParameters.Group, secrets["encryption_key"], out HashedElGamalKey? encryption)) != EngineStatus.Ok) return s;
            owned.Add(encryption);
            if ((s = TagKey.Import(epoch, secrets["gamma"], out TagKey? tagKey)) != EngineStatus.Ok) return s;
            owned.Add(tagKey);
            SqlOperationCenterStore? store = root.TryGetProperty("data", out JsonElement d) && d.GetString() is { Length: > 0 } location ? SqlOperationCenterStore.Open(location) : null;
            owned.Add(store);
            OperationCenter oc = host.CreateOperationCenter(new OperationCenterOptions { Id = id, Threshold = threshold }, signing!, encryption!, tagKey!,
                                                            secrets["enrolment_key"], secrets["admin_key"], new NativeIotConnection(transport), cloudKey, store);
            owned.Remove(tagKey);                                                 // the OC owns γ now, and wipes it
            owned.Insert(0, oc);
            role = new OwnedRole(new IotRole("iot-oc", oc), [.. owned]);
            owned.Clear();
            return EngineStatus.Ok;
        }
        finally
        {
            foreach (IDisposable? o in owned) o?.Dispose();
        }
    }

    // {"role":"abe-authority","name":"HOSP","admin_public_key":"<96 hex>","encryption":true,"ring":"staff","data":"DIR|CONN",
    //  "state_key":"<64 hex>"}: Protocol 4's authority. Its whole state is sealed (AES-256-GCM under state_key) into
    // the database at data and committed before every answer that changed it; a role made again from the same
    // data and state_key carries on where the last one stopped.
    public static EngineStatus Authority(SecretJson config, out IEngineRole? role)
    {
        role = null;
        JsonElement root = config.Root;
        string name = root.GetProperty("name").GetString() ?? "";
        if (name.Length == 0) return EngineStatus.Malformed;
        bool encryption = !root.TryGetProperty("encryption", out JsonElement enc) || enc.GetBoolean();
        string? ring = root.TryGetProperty("ring", out JsonElement r) ? r.GetString() : null;
        if (!encryption && string.IsNullOrEmpty(ring)) return EngineStatus.Malformed;
        byte[] admin = Convert.FromHexString(root.GetProperty("admin_public_key").GetString()!);
        EngineStatus s = RevocationParameters.Group.Decode(admin, new ulong[RevocationParameters.Group.ElementLimbs]);
        if (s != EngineStatus.Ok) return s;
        string data = root.GetProperty("data").GetString() ?? "";
        if (data.Length == 0) return EngineStatus.Malformed;

        using var secrets = new Secrets(config, "state_key");
        if (!secrets.Complete) return EngineStatus.Malformed;
        if (secrets["state_key"].Length != SecretSealer.KeySize) return EngineStatus.BadLength;
        var sealer = new SecretSealer(secrets["state_key"]);
        SqlAuthorityStore? store = null;
        Revocation.Roles.Authority? authority = null;
        try
        {
            store = SqlAuthorityStore.Open(data, sealer, name);
            byte[]? saved = store.Load();
            if (saved is not null)
            {
                try { authority = Revocation.Roles.Authority.Import(saved, admin); }
                finally { System.Security.Cryptography.CryptographicOperations.ZeroMemory(saved); }
            }
            else
            {
                authority = new Revocation.Roles.Authority(encryption ? Revocation.Abe.AttributeAuthority.Create(name) : null,
                                                           string.IsNullOrEmpty(ring) ? null : SignatureAuthority.Create(name, ring), admin);
                store.Save(authority);
            }
            (SqlAuthorityStore saving, Revocation.Roles.Authority changed) = (store, authority);
            changed.Changed += () => saving.Save(changed);                     // under the authority's lock, inside the request
            role = new OwnedRole(new RevocationRole("abe-authority", authority), [authority, store, sealer]);
            return EngineStatus.Ok;
        }
        catch
        {
            authority?.Dispose();
            store?.Dispose();
            sealer.Dispose();
            throw;
        }
    }

    // {"role":"source-csp","name":"csp-a","token_key":"<64 hex>","ring_public_key":"<hex>","ring":"<hex>"}: Protocol 4's
    // source CSP, verifying ring signatures against the ring given (as the authority's GetPublicKeys answer encodes
    // it); the host hands it newer rings with engine_source_csp_update_ring. Signature checks join the host's batches.
    public static EngineStatus SourceCsp(EngineHost host, SecretJson config, out IEngineRole? role)
    {
        role = null;
        JsonElement root = config.Root;
        string name = root.GetProperty("name").GetString() ?? "";
        if (name.Length == 0) return EngineStatus.Malformed;
        EngineStatus s = RingPublicKey.Decode(Convert.FromHexString(root.GetProperty("ring_public_key").GetString()!), out RingPublicKey? ringKey);
        if (s != EngineStatus.Ok) return s;
        if ((s = Ring.Decode(Convert.FromHexString(root.GetProperty("ring").GetString()!), out Ring? ring)) != EngineStatus.Ok) return s;
        using var secrets = new Secrets(config, "token_key");
        if (!secrets.Complete) return EngineStatus.Malformed;
        if ((s = SchnorrSigningKey.Import(RevocationParameters.Group, secrets["token_key"], out SchnorrSigningKey? tokenKey)) != EngineStatus.Ok) return s;
        Revocation.Roles.SourceCsp csp = host.CreateSourceCsp(name, tokenKey!, ringKey!, ring!);
        role = new OwnedRole(new RevocationRole("source-csp", csp), [tokenKey]);
        return EngineStatus.Ok;
    }

    /// <summary>Named secret hex fields, decoded into pinned arrays and wiped on dispose.</summary>
    private sealed class Secrets : IDisposable
    {
        private readonly Dictionary<string, byte[]> _values = new(StringComparer.Ordinal);

        public Secrets(SecretJson config, params string[] names)
        {
            Complete = true;
            foreach (string name in names)
            {
                if (config.SecretHex(name) is { } value) _values[name] = value;
                else Complete = false;
            }
        }

        /// <summary>True when every named field was present and hex.</summary>
        public bool Complete { get; }

        public byte[] this[string name] => _values[name];

        public void Dispose()
        {
            foreach (byte[] value in _values.Values) Array.Clear(value);
        }
    }
}

/// <summary>An operation centre's connection to its cloud server through the C host's transport (server 0), opened on first use.</summary>
internal sealed class NativeIotConnection(NativeTransport transport) : IIotConnection
{
    private bool _open;

    public ReadOnlyMemory<byte> Hello => ReadOnlyMemory<byte>.Empty;

    public Task<(IotMessageType Type, byte[] Payload)> RequestAsync(IotMessageType type, byte[] payload, CancellationToken cancellationToken = default)
    {
        if (!Volatile.Read(ref _open))
        {
            (EngineStatus opened, _, _) = transport.Call(0, NativeTransport.Open, []);
            if (opened != EngineStatus.Ok) throw new IOException($"the transport to the cloud server did not open: {opened}");
            Volatile.Write(ref _open, true);
        }
        (EngineStatus s, byte reply, byte[] response) = transport.Call(0, (byte)type, payload);
        if (s != EngineStatus.Ok)
        {
            Volatile.Write(ref _open, false);                                     // open again next time
            throw new IOException($"the transport to the cloud server failed: {s}");
        }
        return Task.FromResult(((IotMessageType)reply, response));
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
