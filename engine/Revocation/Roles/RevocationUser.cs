using Engine.Primitives.Encryption;
using Engine.Primitives.Schnorr;
using Engine.Primitives.Wire;
using Engine.Revocation.Abe;
using Engine.Revocation.Access;
using Engine.Revocation.Policies;
using Engine.Revocation.Signatures;
using Engine.Revocation.Wire;

namespace Engine.Revocation.Roles;

/// <summary>
/// A Protocol 4 user: its GID, the Schnorr and hashed-ElGamal keys its authorities registered, its decryption keys and
/// ring key, and the calls of SPEC §4: fetch keys and updates from authorities, ring-sign an access request at the
/// source CSP for a token, fetch and decrypt a ciphertext at the accepting CSP. Not thread-safe.
/// </summary>
public sealed class RevocationUser : IDisposable
{
    private readonly Dictionary<string, ulong> _applied = new(StringComparer.Ordinal);

    private RevocationUser(string gid, SchnorrSigningKey signing, HashedElGamalKey encryption)
    {
        Gid = gid;
        SigningKey = signing;
        EncryptionKey = encryption;
        Keys = new UserDecryptionKeys(gid);
    }

    /// <summary>A user with fresh keys.</summary>
    public static RevocationUser Create(string gid)
        => new(gid, SchnorrSigningKey.Generate(RevocationParameters.Group), HashedElGamalKey.Generate(RevocationParameters.Group));

    /// <summary>The GID.</summary>
    public string Gid { get; }

    /// <summary>Signs the user's requests to authorities.</summary>
    public SchnorrSigningKey SigningKey { get; }

    /// <summary>Opens what authorities seal to the user.</summary>
    public HashedElGamalKey EncryptionKey { get; }

    /// <summary>The decryption keys.</summary>
    public UserDecryptionKeys Keys { get; }

    /// <summary>The ring signing key, once an authority with the ring issued one.</summary>
    public RingSigningKey? RingKey { get; private set; }

    /// <summary>Keygen: asks <paramref name="authority"/> for this user's keys; returns how many decryption keys arrived.</summary>
    public async Task<int> FetchKeysAsync(IRevocationConnection authority, TimeProvider? time = null, CancellationToken cancellationToken = default)
    {
        byte[] request = RevocationWire.Sign(RevocationWire.Writer().Name(Gid), SigningKey, time ?? TimeProvider.System);
        byte[] sealedKeys = RoleReplies.Expect(RevocationMessageType.RequestKeys, await authority.RequestAsync(RevocationMessageType.RequestKeys, request, cancellationToken).ConfigureAwait(false));
        byte[] plain = Open(sealedKeys, "revocation/keys");
        try { return Install(plain); }
        finally { System.Security.Cryptography.CryptographicOperations.ZeroMemory(plain); }
    }

    private int Install(byte[] plain)
    {
        WireReader r = RevocationWire.Reader(plain);
        int count = r.UInt16();
        var keys = new List<DecryptionKey>();
        for (int i = 0; i < count && r.Ok; i++)
        {
            if (DecryptionKey.Decode(r.Blob(4096), out DecryptionKey? key) != EngineStatus.Ok) throw new EngineException(EngineStatus.Malformed, "a decryption key from the authority is malformed");
            keys.Add(key!);
        }
        ReadOnlySpan<byte> ring = r.Blob(1 << 20);
        if (!r.AtEndOk) throw new EngineException(EngineStatus.Malformed, "the authority's key answer is malformed");
        foreach (DecryptionKey key in keys) Keys.Add(key);
        if (ring.Length > 0)
        {
            if (RingSigningKey.Decode(ring, out RingSigningKey? ringKey) != EngineStatus.Ok) throw new EngineException(EngineStatus.Malformed, "the ring key from the authority is malformed");
            RingKey = ringKey;
        }
        return keys.Count;
    }

    /// <summary>Fetches and applies the key updates and new ring keys <paramref name="authorityName"/> queued for this user.</summary>
    public async Task<int> FetchUpdatesAsync(IRevocationConnection authority, string authorityName, TimeProvider? time = null, CancellationToken cancellationToken = default)
    {
        _applied.TryGetValue(authorityName, out ulong applied);
        byte[] request = RevocationWire.Sign(RevocationWire.Writer().Name(Gid).UInt64(applied), SigningKey, time ?? TimeProvider.System);
        byte[] sealedUpdates = RoleReplies.Expect(RevocationMessageType.GetUpdates, await authority.RequestAsync(RevocationMessageType.GetUpdates, request, cancellationToken).ConfigureAwait(false));
        byte[] plain = Open(sealedUpdates, "revocation/updates");
        try { return Apply(plain, authorityName, applied); }
        finally { System.Security.Cryptography.CryptographicOperations.ZeroMemory(plain); }
    }

    private int Apply(byte[] plain, string authorityName, ulong applied)
    {
        WireReader r = RevocationWire.Reader(plain);
        int count = r.UInt16(), used = 0;
        for (int i = 0; i < count && r.Ok; i++)
        {
            ulong sequence = r.UInt64();
            byte kind = r.Byte();
            ReadOnlySpan<byte> blob = r.Blob(1 << 20);
            if (!r.Ok) break;
            if (kind == 1 && KeyUpdate.Decode(blob, out KeyUpdate? update) == EngineStatus.Ok && Keys.Apply(update!) == EngineStatus.Ok) used++;
            else if (kind == 2 && RingSigningKey.Decode(blob, out RingSigningKey? ringKey) == EngineStatus.Ok && ringKey!.Gid == Gid) { RingKey = ringKey; used++; }
            applied = Math.Max(applied, sequence);
        }
        if (!r.AtEndOk) throw new EngineException(EngineStatus.Malformed, "the authority's update answer is malformed");
        _applied[authorityName] = applied;
        return used;
    }

    /// <summary>
    /// Signature + Verify: ring-signs an access request for <paramref name="resource"/> at <paramref name="audience"/>
    /// under <paramref name="policy"/> and returns the source CSP's token.
    /// </summary>
    public async Task<byte[]> RequestTokenAsync(IRevocationConnection source, RingPublicKey ringKey, Policy policy, string audience, string resource,
                                                TimeProvider? time = null, CancellationToken cancellationToken = default)
    {
        if (RingKey is null) throw new InvalidOperationException($"{Gid} has no ring key");
        byte[] info = RoleReplies.Expect(RevocationMessageType.GetRing, await source.RequestAsync(RevocationMessageType.GetRing, RevocationWire.Writer().ToArray(), cancellationToken).ConfigureAwait(false));
        WireReader r = RevocationWire.Reader(info);
        r.Fixed(RevocationParameters.G1Size);
        if (Ring.Decode(r.Blob(64 << 20), out Ring? ring) != EngineStatus.Ok || !r.AtEndOk) throw new EngineException(EngineStatus.Malformed, "the source CSP's ring is malformed");
        byte[] request = AuthenticateRequest(ring!, ringKey, policy, audience, resource, time);
        byte[] answer = RoleReplies.Expect(RevocationMessageType.Authenticate, await source.RequestAsync(RevocationMessageType.Authenticate, request, cancellationToken).ConfigureAwait(false));
        WireReader t = RevocationWire.Reader(answer);
        byte[] token = t.Blob(2048).ToArray();
        return t.AtEndOk ? token : throw new EngineException(EngineStatus.Malformed, "the token answer is malformed");
    }

    /// <summary>
    /// The source CSP's Authenticate payload: ring id ‖ epoch ‖ policy ‖ a fresh <see cref="AccessRequest"/> ‖ its ring
    /// signature under this user's ring key (for callers that send or batch requests themselves).
    /// </summary>
    public byte[] AuthenticateRequest(Ring ring, RingPublicKey ringKey, Policy policy, string audience, string resource, TimeProvider? time = null)
    {
        if (RingKey is null) throw new InvalidOperationException($"{Gid} has no ring key");
        byte[] message = AccessRequest.Create(audience, resource, time ?? TimeProvider.System).Encode();
        RingSignature signature = RingSigner.Sign(RingKey, ringKey, ring, policy, message);
        return RevocationWire.Writer().Name(ring.Id).UInt64(ring.Epoch).Blob(System.Text.Encoding.UTF8.GetBytes(policy.Text))
            .Blob(message).Blob(signature.Encode()).ToArray();
    }

    /// <summary>Fetches a ciphertext with a token and decrypts it.</summary>
    public async Task<byte[]> FetchAndDecryptAsync(IRevocationConnection accepting, byte[] token, CancellationToken cancellationToken = default)
        => Decrypt(await FetchAsync(accepting, token, cancellationToken).ConfigureAwait(false));

    /// <summary>Fetches a ciphertext (an <c>AbeCiphertextFile</c>) with a token from the source CSP.</summary>
    public static async Task<byte[]> FetchAsync(IRevocationConnection accepting, byte[] token, CancellationToken cancellationToken = default)
    {
        byte[] answer = RoleReplies.Expect(RevocationMessageType.Fetch, await accepting.RequestAsync(RevocationMessageType.Fetch, RevocationWire.Writer().Blob(token).ToArray(), cancellationToken).ConfigureAwait(false));
        WireReader r = RevocationWire.Reader(answer);
        byte[] ciphertext = r.Blob(int.MaxValue).ToArray();
        return r.AtEndOk ? ciphertext : throw new EngineException(EngineStatus.Malformed, "the ciphertext answer is malformed");
    }

    /// <summary>Decrypts a whole ciphertext.</summary>
    public byte[] Decrypt(byte[] ciphertext)
    {
        using var output = new MemoryStream();
        AbeDecryptor.Decrypt(new MemoryStream(ciphertext, writable: false), output, Keys);
        return output.ToArray();
    }

    private byte[] Open(byte[] sealedPayload, string purpose)
    {
        EngineStatus status = RevocationWire.Sealed.Open(EncryptionKey, sealedPayload, purpose, Gid, out byte[] plain);
        return status == EngineStatus.Ok ? plain : throw new EngineException(status, "the authority's sealed answer does not open");
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        SigningKey.Dispose();
        EncryptionKey.Dispose();
    }
}
