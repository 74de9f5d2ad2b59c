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
using Engine.Revocation.Wire;
using Engine.Storage;

namespace Engine.Interop.Exports;

/// <summary>
/// The C ABI configurations of Protocol 3's operation centre and Protocol 4's authority, source and accepting CSPs (engine.h
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

        using var secrets = new SecretFields(config, "signing_key", "encryption_key", "gamma", "enrolment_key", "admin_key");
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
                                                            secrets["enrolment_key"], secrets["admin_key"], new NativeServerConnection(transport, 0), cloudKey, store);
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

        using var secrets = new SecretFields(config, "state_key");
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
        catch (Exception e)
        {
            authority?.Dispose();
            store?.Dispose();
            sealer.Dispose();
            if (e is InvalidDataException) return EngineStatus.VerificationFailed;   // the sealed state does not open under this key
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
        using var secrets = new SecretFields(config, "token_key");
        if (!secrets.Complete) return EngineStatus.Malformed;
        if ((s = SchnorrSigningKey.Import(RevocationParameters.Group, secrets["token_key"], out SchnorrSigningKey? tokenKey)) != EngineStatus.Ok) return s;
        Revocation.Roles.SourceCsp csp = host.CreateSourceCsp(name, tokenKey!, ringKey!, ring!);
        role = new OwnedRole(new RevocationRole("source-csp", csp), [tokenKey]);
        return EngineStatus.Ok;
    }

    // {"role":"accepting-csp","name":"csp-b","signing_key":"<64 hex>","encryption_key":"<64 hex>","owner_public_key":"<96 hex>",
    //  "token_issuers":[{"name":"csp-a","public_key":"<96 hex>"}],"authorities":["HOSP","INS"],"store":"DIR|CONN"}:
    // Protocol 4's accepting CSP. Authority i of the list is the transport's server i: their public keys are fetched
    // through it now, and a Sync pulls their ciphertext-update keys through it (signed with signing_key, sealed to
    // encryption_key) and runs the update job over the store.
    public static EngineStatus AcceptingCsp(EngineHost host, SecretJson config, NativeTransport? transport, out IEngineRole? role)
    {
        role = null;
        if (transport is null) return EngineStatus.NullArgument;                 // it syncs from its authorities
        JsonElement root = config.Root;
        string name = root.GetProperty("name").GetString() ?? "";
        string location = root.GetProperty("store").GetString() ?? "";
        if (name.Length == 0 || location.Length == 0) return EngineStatus.Malformed;
        byte[] owner = Convert.FromHexString(root.GetProperty("owner_public_key").GetString()!);
        EngineStatus s = RevocationParameters.Group.Decode(owner, new ulong[RevocationParameters.Group.ElementLimbs]);
        if (s != EngineStatus.Ok) return s;
        var issuers = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (JsonElement issuer in root.GetProperty("token_issuers").EnumerateArray())
        {
            byte[] key = Convert.FromHexString(issuer.GetProperty("public_key").GetString()!);
            if ((s = RevocationParameters.Group.Decode(key, new ulong[RevocationParameters.Group.ElementLimbs])) != EngineStatus.Ok) return s;
            issuers[issuer.GetProperty("name").GetString() ?? ""] = key;
        }
        var authorities = new List<(string Name, IRevocationConnection Connection)>();
        foreach (JsonElement authority in root.GetProperty("authorities").EnumerateArray())
            authorities.Add((authority.GetString() ?? "", new NativeServerConnection(transport, (uint)authorities.Count)));
        if (authorities.Count == 0 || authorities.Any(a => a.Name.Length == 0)) return EngineStatus.Malformed;

        using var secrets = new SecretFields(config, "signing_key", "encryption_key");
        if (!secrets.Complete) return EngineStatus.Malformed;
        var owned = new List<IDisposable?>();
        try
        {
            if ((s = SchnorrSigningKey.Import(RevocationParameters.Group, secrets["signing_key"], out SchnorrSigningKey? signing)) != EngineStatus.Ok) return s;
            owned.Add(signing);
            if ((s = HashedElGamalKey.Import(RevocationParameters.Group, secrets["encryption_key"], out HashedElGamalKey? encryption)) != EngineStatus.Ok) return s;
            owned.Add(encryption);
            var published = new List<Revocation.Abe.AuthorityPublicKey>();
            foreach ((string authorityName, IRevocationConnection connection) in authorities)
                if (AuthorityKeys.FetchAsync(authorityName, connection).GetAwaiter().GetResult().Encryption is { } key) published.Add(key);
            SqlCiphertextStore store = SqlCiphertextStore.Open(location);
            owned.Add(store);
            Revocation.Roles.AcceptingCsp csp = host.CreateAcceptingCsp(name, owner, issuers, published, store);
            AuthorityFollower.Follow(csp, store, name, new RevocationAdmin(signing!), encryption!, authorities);
            role = new OwnedRole(new RevocationRole("accepting-csp", csp), [.. owned]);
            owned.Clear();
            return EngineStatus.Ok;
        }
        finally
        {
            foreach (IDisposable? o in owned) o?.Dispose();
        }
    }
}

/// <summary>
/// A role's connection to a server through the C host's transport (server index <paramref name="server"/>: an
/// operation centre's cloud server, an accepting CSP's authorities), opened on first use and again after a failure.
/// </summary>
internal sealed class NativeServerConnection(NativeTransport transport, uint server) : IIotConnection, IRevocationConnection
{
    private bool _open;

    public ReadOnlyMemory<byte> Hello => ReadOnlyMemory<byte>.Empty;

    private (byte Type, byte[] Payload) Request(byte type, byte[] payload)
    {
        if (!Volatile.Read(ref _open))
        {
            (EngineStatus opened, _, _) = transport.Call(server, NativeTransport.Open, []);
            if (opened != EngineStatus.Ok) throw new IOException($"the transport to server {server} did not open: {opened}");
            Volatile.Write(ref _open, true);
        }
        (EngineStatus s, byte reply, byte[] response) = transport.Call(server, type, payload);
        if (s != EngineStatus.Ok)
        {
            Volatile.Write(ref _open, false);                                     // open again next time
            throw new IOException($"the transport to server {server} failed: {s}");
        }
        return (reply, response);
    }

    public Task<(IotMessageType Type, byte[] Payload)> RequestAsync(IotMessageType type, byte[] payload, CancellationToken cancellationToken = default)
    {
        (byte reply, byte[] response) = Request((byte)type, payload);
        return Task.FromResult(((IotMessageType)reply, response));
    }

    public Task<(RevocationMessageType Type, byte[] Payload)> RequestAsync(RevocationMessageType type, byte[] payload, CancellationToken cancellationToken = default)
    {
        (byte reply, byte[] response) = Request((byte)type, payload);
        return Task.FromResult(((RevocationMessageType)reply, response));
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
