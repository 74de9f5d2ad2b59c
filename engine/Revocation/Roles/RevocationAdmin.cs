using Engine.Primitives.Encryption;
using Engine.Primitives.Schnorr;
using Engine.Primitives.Wire;
using Engine.Revocation.Abe;
using Engine.Revocation.Wire;

namespace Engine.Revocation.Roles;

/// <summary>
/// The operator's signed requests: grants and revocations at an authority, stores and syncs at an accepting CSP, and
/// the CSP's own pull of ciphertext update keys. Each request carries a timestamp and a nonce under the signature.
/// </summary>
public sealed class RevocationAdmin(SchnorrSigningKey key, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>Grants a user (kind 0) or a CSP (kind 1) with its public keys and attributes.</summary>
    public async Task GrantAsync(IRevocationConnection authority, bool csp, string name, ReadOnlyMemory<byte> signingKey, ReadOnlyMemory<byte> encryptionKey,
                                 IReadOnlyList<string> attributes, CancellationToken cancellationToken = default)
    {
        WireWriter w = RevocationWire.Writer().Byte(csp ? (byte)1 : (byte)0).Name(name).Fixed(signingKey.Span).Fixed(encryptionKey.Span).UInt16((ushort)attributes.Count);
        foreach (string attribute in attributes) w.Name(attribute);
        await Send(authority, RevocationMessageType.Grant, RevocationWire.Sign(w, key, _time), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Revokes an attribute from a user, or (with a null attribute) the user's ring membership; returns the remaining holders.</summary>
    public async Task<int> RevokeAsync(IRevocationConnection authority, string gid, string? attribute, CancellationToken cancellationToken = default)
    {
        WireWriter w = RevocationWire.Writer().Name(gid);
        byte[] utf8 = System.Text.Encoding.UTF8.GetBytes(attribute ?? "");
        w.Byte((byte)utf8.Length).Fixed(utf8);
        byte[] answer = await Send(authority, RevocationMessageType.Revoke, RevocationWire.Sign(w, key, _time), cancellationToken).ConfigureAwait(false);
        WireReader r = RevocationWire.Reader(answer);
        int remaining = r.Int32();
        return r.AtEndOk ? remaining : throw new EngineException(EngineStatus.Malformed, "malformed revocation answer");
    }

    /// <summary>Stores a plaintext at an accepting CSP, which encrypts it under <paramref name="policy"/>; returns the ciphertext id.</summary>
    public async Task<byte[]> StoreAsync(IRevocationConnection accepting, string resource, string policy, ReadOnlyMemory<byte> plaintext, CancellationToken cancellationToken = default)
    {
        WireWriter w = RevocationWire.Writer().Name(resource).Blob(System.Text.Encoding.UTF8.GetBytes(policy)).Blob(plaintext.Span);
        byte[] answer = await Send(accepting, RevocationMessageType.Store, RevocationWire.Sign(w, key, _time), cancellationToken).ConfigureAwait(false);
        return answer.AsSpan(1).ToArray();
    }

    /// <summary>Makes an accepting CSP pull update keys and run its update job; returns (rows, ciphertexts) updated.</summary>
    public async Task<(int Rows, int Ciphertexts)> SyncAsync(IRevocationConnection accepting, CancellationToken cancellationToken = default)
    {
        byte[] answer = await Send(accepting, RevocationMessageType.Sync, RevocationWire.Sign(RevocationWire.Writer(), key, _time), cancellationToken).ConfigureAwait(false);
        WireReader r = RevocationWire.Reader(answer);
        (int rows, int ciphertexts) = (r.Int32(), r.Int32());
        return r.AtEndOk ? (rows, ciphertexts) : throw new EngineException(EngineStatus.Malformed, "malformed sync answer");
    }

    /// <summary>
    /// A CSP's pull of the ciphertext update keys an authority logged from index <paramref name="from"/> on, signed with
    /// the CSP's registered key (<paramref name="cspName"/>) and sealed to its <paramref name="cspEncryption"/> key.
    /// </summary>
    public async Task<(int Next, IReadOnlyList<CiphertextUpdateKey> Keys)> FetchCiphertextUpdatesAsync(IRevocationConnection authority, string cspName, HashedElGamalKey cspEncryption,
                                                                                                       int from, CancellationToken cancellationToken = default)
    {
        byte[] answer = await Send(authority, RevocationMessageType.GetCiphertextUpdates, RevocationWire.Sign(RevocationWire.Writer().Name(cspName).Int32(from), key, _time), cancellationToken).ConfigureAwait(false);
        EngineStatus status = RevocationWire.Sealed.Open(cspEncryption, answer, "revocation/ciphertext-updates", cspName, out byte[] plain);
        if (status != EngineStatus.Ok) throw new EngineException(status, "the authority's sealed update keys do not open");
        WireReader r = RevocationWire.Reader(plain);
        int start = r.Int32(), count = r.UInt16();
        var keys = new List<CiphertextUpdateKey>(count);
        for (int i = 0; i < count && r.Ok; i++)
        {
            if (CiphertextUpdateKey.Decode(r.Blob(1 << 16), out CiphertextUpdateKey? k) != EngineStatus.Ok) throw new EngineException(EngineStatus.Malformed, "an update key is malformed");
            keys.Add(k!);
        }
        if (!r.AtEndOk || start != from) throw new EngineException(EngineStatus.Malformed, "malformed update-key answer");
        return (from + count, keys);
    }

    private static async Task<byte[]> Send(IRevocationConnection connection, RevocationMessageType type, byte[] request, CancellationToken cancellationToken)
        => RoleReplies.Expect(type, await connection.RequestAsync(type, request, cancellationToken).ConfigureAwait(false));
}
