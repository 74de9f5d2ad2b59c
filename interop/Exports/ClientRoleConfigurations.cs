using System.Text.Json;
using Engine.Hosting.Roles;
using Engine.Hosting.Roles.Clients;
using Engine.IotAuth;
using Engine.IotAuth.Roles;
using Engine.Primitives.Encryption;
using Engine.Primitives.Groups;
using Engine.Primitives.Schnorr;
using Engine.Revocation.Roles;
using Engine.TwoServer;

namespace Engine.Interop.Exports;

/// <summary>
/// The C ABI configurations of the client roles (<see cref="ClientRole"/>, engine.h "Client roles"): a Protocol 2
/// user, a Protocol 3 device, a Protocol 4 data user. They do no I/O: each reply is the next message and its route.
/// </summary>
internal static class ClientRoleConfigurations
{
    // {"role":"iot-device","id":"sensor-1","signing_key":"<64 hex>","encryption_key":"<64 hex>","enrolment_key":"<hex>",
    //  "operation_centre":{"id":"oc-1","signing_key":"<96 hex>","encryption_key":"<96 hex>"},"cloud_signing_key":"<96 hex>"}
    public static EngineStatus Device(SecretJson config, out IEngineRole? role)
    {
        role = null;
        JsonElement root = config.Root;
        string id = root.GetProperty("id").GetString() ?? "";
        JsonElement oc = root.GetProperty("operation_centre");
        var entry = new OperationCenterEntry(oc.GetProperty("id").GetString() ?? "", Convert.FromHexString(oc.GetProperty("signing_key").GetString()!),
                                             Convert.FromHexString(oc.GetProperty("encryption_key").GetString()!));
        byte[] cloudKey = Convert.FromHexString(root.GetProperty("cloud_signing_key").GetString()!);
        var element = new ulong[IotAuthParameters.Group.ElementLimbs];
        foreach (byte[] key in new[] { entry.SigningKey, entry.EncryptionKey, cloudKey })
            if (IotAuthParameters.Group.Decode(key, element) is var decoded && decoded != EngineStatus.Ok) return decoded;
        if (System.Text.Encoding.UTF8.GetByteCount(id) is 0 or > IotAuthParameters.MaxIdentityBytes) return EngineStatus.Malformed;
        using var secrets = new SecretFields(config, "signing_key", "encryption_key", "enrolment_key");
        if (!secrets.Complete) return EngineStatus.Malformed;
        EngineStatus s = SchnorrSigningKey.Import(IotAuthParameters.Group, secrets["signing_key"], out SchnorrSigningKey? signingKey);
        if (s != EngineStatus.Ok) return s;
        if ((s = HashedElGamalKey.Import(IotAuthParameters.Group, secrets["encryption_key"], out HashedElGamalKey? encryptionKey)) != EngineStatus.Ok)
        {
            signingKey!.Dispose();
            return s;
        }
        byte[] kept = GC.AllocateArray<byte>(secrets["enrolment_key"].Length, pinned: true);     // wiped with the role
        secrets["enrolment_key"].CopyTo(kept, 0);
        var device = new Device(id, signingKey!, encryptionKey!, entry, cloudKey);
        role = new OwnedRole(new ClientRole("iot-device", new DeviceClientFlows(device, kept)), [device, signingKey, encryptionKey, new Wipe(kept)]);
        return EngineStatus.Ok;
    }

    // {"role":"two-server-user","id":"alice","signing_key":"<64 hex>","s1_public_key":"<96 hex>","s2_public_key":"<96 hex>","block":256}
    public static EngineStatus TwoServerUser(SecretJson config, out IEngineRole? role)
    {
        role = null;
        JsonElement root = config.Root;
        string id = root.GetProperty("id").GetString() ?? "";
        if (id.Length == 0) return EngineStatus.Malformed;
        int block = root.TryGetProperty("block", out JsonElement b) ? b.GetInt32() : TwoServerParameters.DefaultBlockSize;
        if (block is < TwoServerParameters.MinBlockSize or > TwoServerParameters.MaxBlockSize) return EngineStatus.BadLength;
        byte[] s1 = Convert.FromHexString(root.GetProperty("s1_public_key").GetString()!), s2 = Convert.FromHexString(root.GetProperty("s2_public_key").GetString()!);
        byte[]? secret = config.SecretHex("signing_key");
        if (secret is null) return EngineStatus.Malformed;
        EngineStatus s = SchnorrSigningKey.Import(PrimeOrderGroups.Bls12381G1, secret, out SchnorrSigningKey? key);
        Array.Clear(secret);
        if (s != EngineStatus.Ok) return s;
        role = new OwnedRole(new ClientRole("two-server-user", new TwoServerUserClientFlows(id, TwoServerParameters.ForBlockSize(block), key!, s1, s2)), [key]);
        return EngineStatus.Ok;
    }

    // {"role":"abe-user","gid":"alice"}: its keys are made with the role ("public-keys" gives them for the grant).
    public static EngineStatus AbeUser(SecretJson config, out IEngineRole? role)
    {
        role = null;
        string gid = config.Root.GetProperty("gid").GetString() ?? "";
        if (gid.Length == 0) return EngineStatus.Malformed;
        RevocationUser user = RevocationUser.Create(gid);
        role = new OwnedRole(new ClientRole("abe-user", new AbeUserClientFlows(user)), [user]);
        return EngineStatus.Ok;
    }

    // {"role":"onion-client","group":"Modp2048Q256","master_public_key":"<hex: pk_sys>","list_signing_key":"<hex>"}: Protocol 1's
    // sender, trusting the KGC whose keys these are (its trust file's).
    public static EngineStatus OnionClient(SecretJson config, out IEngineRole? role)
    {
        role = null;
        JsonElement root = config.Root;
        PrimeOrderGroup? group = PrimeOrderGroups.Find(root.TryGetProperty("group", out JsonElement g) ? g.GetString() ?? "" : "Modp2048Q256");
        if (group is null) return EngineStatus.NotFound;
        byte[] master = Convert.FromHexString(root.GetProperty("master_public_key").GetString()!), list = Convert.FromHexString(root.GetProperty("list_signing_key").GetString()!);
        var element = new ulong[group.ElementLimbs];
        foreach (byte[] key in new[] { master, list })
            if (group.Decode(key, element) is var decoded && decoded != EngineStatus.Ok) return decoded;
        role = new ClientRole("onion-client", new OnionClientFlows(new Engine.Onion.OnionParameters(group), master, list));
        return EngineStatus.Ok;
    }

    /// <summary>Zeroes a kept secret when the role goes.</summary>
    private sealed class Wipe(byte[] secret) : IDisposable
    {
        public void Dispose() => Array.Clear(secret);
    }
}
