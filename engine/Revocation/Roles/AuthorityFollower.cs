using Engine.Primitives.Encryption;
using Engine.Primitives.Wire;
using Engine.Revocation.Abe;
using Engine.Revocation.Signatures;
using Engine.Revocation.Storage;
using Engine.Revocation.Wire;

namespace Engine.Revocation.Roles;

/// <summary>An authority's published keys: its ABE public key, its ring's public key and its ring (each absent when it keeps none).</summary>
public sealed record AuthorityKeys(string Name, AuthorityPublicKey? Encryption, RingPublicKey? RingKey, Ring? Ring)
{
    /// <summary>Asks <paramref name="connection"/> for its keys (GetPublicKeys).</summary>
    /// <exception cref="EngineException">The authority refused, or its answer does not decode.</exception>
    public static async Task<AuthorityKeys> FetchAsync(string name, IRevocationConnection connection, CancellationToken cancellationToken = default)
    {
        var answer = await connection.RequestAsync(RevocationMessageType.GetPublicKeys, RevocationWire.Writer().ToArray(), cancellationToken).ConfigureAwait(false);
        if (answer.Type != (RevocationMessageType)((byte)RevocationMessageType.GetPublicKeys | 0x80)) throw new EngineException(EngineStatus.Malformed, $"authority {name} did not answer with its keys");
        return Read(name, answer.Payload);
    }

    /// <summary>Decodes a GetPublicKeys answer: blob(ABE key) ‖ blob(ring key) ‖ blob(ring).</summary>
    /// <exception cref="EngineException">A field does not decode.</exception>
    public static AuthorityKeys Read(string name, ReadOnlySpan<byte> payload)
    {
        var r = new WireReader(payload, RevocationParameters.Version);
        ReadOnlySpan<byte> e = r.Blob(64 << 20), k = r.Blob(64 << 20), g = r.Blob(64 << 20);
        if (!r.AtEndOk) throw new EngineException(EngineStatus.Malformed, $"authority {name}'s keys are malformed");
        AuthorityPublicKey? encryption = null;
        RingPublicKey? ringKey = null;
        Ring? ring = null;
        if (e.Length > 0) Check(AuthorityPublicKey.Decode(e, out encryption), name, "encryption public key");
        if (k.Length > 0) Check(RingPublicKey.Decode(k, out ringKey), name, "ring public key");
        if (g.Length > 0) Check(Ring.Decode(g, out ring), name, "ring");
        return new AuthorityKeys(name, encryption, ringKey, ring);
    }

    private static void Check(EngineStatus status, string name, string what)
    {
        if (status != EngineStatus.Ok) throw new EngineException(status, $"authority {name}'s {what} is invalid ({status})");
    }
}

/// <summary>
/// What an accepting CSP syncs from (SPEC §4.5): on each Sync it pulls every authority's new ciphertext-update keys
/// (and refreshes their public keys, which carry the new attribute versions), starting where the store's
/// <c>applied/NAME</c> mark says the last job ended; the marks move once the update job has committed everything.
/// </summary>
public static class AuthorityFollower
{
    /// <summary>Makes <paramref name="accepting"/> sync from <paramref name="authorities"/>, signing its pulls as <paramref name="cspName"/>.</summary>
    public static void Follow(AcceptingCsp accepting, ICiphertextStore store, string cspName, RevocationAdmin client, HashedElGamalKey encryption,
                              IReadOnlyList<(string Name, IRevocationConnection Connection)> authorities)
    {
        var pending = new Dictionary<string, int>(StringComparer.Ordinal);
        accepting.UpdateSource = async ct =>
        {
            var keys = new List<CiphertextUpdateKey>();
            pending.Clear();
            foreach ((string name, IRevocationConnection connection) in authorities)
            {
                AuthorityKeys current = await AuthorityKeys.FetchAsync(name, connection, ct).ConfigureAwait(false);
                if (current.Encryption is null) continue;
                accepting.UpdateAuthority(current.Encryption);
                byte[]? seen = store.GetMeta($"applied/{name}");
                int from = seen is null ? 0 : System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(seen);
                (int next, IReadOnlyList<CiphertextUpdateKey> fetched) = await client.FetchCiphertextUpdatesAsync(connection, cspName, encryption, from, ct).ConfigureAwait(false);
                keys.AddRange(fetched);
                pending[name] = next;
            }
            return keys;
        };
        // How far into each authority's update log the store is: recorded once the job has committed everything.
        accepting.Synced += () =>
        {
            foreach ((string authority, int next) in pending)
            {
                byte[] value = new byte[4];
                System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(value, next);
                store.SetMeta($"applied/{authority}", value);
            }
        };
    }
}
