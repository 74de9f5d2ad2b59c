using System.Buffers;
using System.Security.Cryptography;
using Engine.Primitives.Replay;
using Engine.Primitives.Wire;
using Engine.Revocation.Abe;
using Engine.Revocation.Signatures;
using Engine.Revocation.Wire;
using static Engine.Revocation.Roles.RoleReplies;

namespace Engine.Revocation.Roles;

/// <summary>
/// The authority server role (SPEC §4.1, 4.3, 4.6): an encryption authority, the ring's signature authority, or both.
/// Its admin grants users (and CSPs) with their public keys and attributes; a granted user fetches its keys with a
/// signed request and gets them sealed to its key; the admin revokes, and the authority queues each remaining
/// holder's key update (or new ring key) and logs the CSPs' ciphertext update keys. Thread-safe (one lock: keygen
/// and revocation are rare next to the CSPs' work). <see cref="Changed"/> fires after every change of state, so the
/// server can persist it before answering.
/// </summary>
public sealed class Authority : IRevocationRole, IDisposable
{
    private readonly object _gate = new();
    private readonly byte[] _adminKey;
    private readonly ReplayCache _replays;
    private readonly Dictionary<string, Registration> _users = new(StringComparer.Ordinal), _csps = new(StringComparer.Ordinal);
    private readonly List<byte[]> _updateLog = [];
    private ulong _sequence;

    /// <summary>An authority with the given halves (at least one) and the admin's Schnorr public key.</summary>
    public Authority(AttributeAuthority? encryption, SignatureAuthority? signatures, ReadOnlySpan<byte> adminPublicKey, AuthorityOptions? options = null)
    {
        if (encryption is null && signatures is null) throw new ArgumentException("An authority needs an encryption or a signature half.");
        Encryption = encryption;
        Signatures = signatures;
        _adminKey = adminPublicKey.ToArray();
        Options = options ?? new AuthorityOptions();
        _replays = new ReplayCache(Options.ReplayCapacity, Options.Time);
    }

    /// <summary>The encryption half.</summary>
    public AttributeAuthority? Encryption { get; }

    /// <summary>The signature half.</summary>
    public SignatureAuthority? Signatures { get; }

    /// <summary>Bounds and clock.</summary>
    public AuthorityOptions Options { get; }

    /// <summary>Raised (under the authority's lock) after each change of state; the server persists <see cref="ExportState"/>.</summary>
    public event Action? Changed;

    /// <summary>Registered users.</summary>
    public int UserCount
    {
        get { lock (_gate) return _users.Count; }
    }

    /// <inheritdoc/>
    public ValueTask<(EngineStatus Status, RevocationMessageType Type)> ProcessAsync(RevocationMessageType type, ReadOnlyMemory<byte> request, IBufferWriter<byte> response,
                                                                                  CancellationToken cancellationToken = default)
        => ValueTask.FromResult(Process(type, request.Span, response));         // nothing here is worth batching

    /// <inheritdoc/>
    public (EngineStatus Status, RevocationMessageType Type) Process(RevocationMessageType type, ReadOnlySpan<byte> request, IBufferWriter<byte> response)
    {
        (EngineStatus, RevocationMessageType, string?) reply;
        try
        {
            reply = type switch
            {
                RevocationMessageType.GetPublicKeys => PublicKeys(type, response),
                RevocationMessageType.Grant => Grant(type, request, response),
                RevocationMessageType.RequestKeys => RequestKeys(type, request, response),
                RevocationMessageType.Revoke => Revoke(type, request, response),
                RevocationMessageType.GetUpdates => GetUpdates(type, request, response),
                RevocationMessageType.GetCiphertextUpdates => GetCiphertextUpdates(type, request, response),
                _ => Refuse(EngineStatus.UnknownMessageType, "an authority does not answer this message type"),
            };
        }
        catch (EngineException e) { reply = Refuse(e.Status, e.Message); }
        catch (ArgumentException e) { reply = Refuse(EngineStatus.Malformed, e.Message); }
        return Complete(reply, response);
    }

    private (EngineStatus, RevocationMessageType, string?) PublicKeys(RevocationMessageType type, IBufferWriter<byte> response)
    {
        WireWriter w = RevocationWire.RentWriter();
        w.Blob(Encryption?.PublicKey.Encode() ?? []);
        w.Blob(Signatures?.PublicKey.Encode() ?? []);
        w.Blob(Signatures?.Ring.Encode() ?? []);
        return Answer(type, w, response);
    }

    private (EngineStatus, RevocationMessageType, string?) Grant(RevocationMessageType type, ReadOnlySpan<byte> request, IBufferWriter<byte> response)
    {
        EngineStatus status = RevocationWire.Verify(request, _adminKey, _replays, Options.Time, out ReadOnlySpan<byte> body);
        if (status != EngineStatus.Ok) return Refuse(status, "the grant is not signed by the admin key, stale or replayed");
        WireReader r = RevocationWire.Reader(body);
        byte kind = r.Byte();
        string name = r.Name();
        byte[] signing = r.Fixed(RevocationParameters.G1Size).ToArray(), encryption = r.Fixed(RevocationParameters.G1Size).ToArray();
        int count = r.UInt16();
        var attributes = new List<string>();
        for (int i = 0; i < count && r.Ok; i++) attributes.Add(r.Name());
        if (!r.AtEndOk || kind > 1 || count > 1024) return Refuse(EngineStatus.Malformed, "malformed grant");
        if (RevocationParameters.Group.Decode(signing, new ulong[RevocationParameters.Group.ElementLimbs]) != EngineStatus.Ok
            || RevocationParameters.Group.Decode(encryption, new ulong[RevocationParameters.Group.ElementLimbs]) != EngineStatus.Ok)
            return Refuse(EngineStatus.NotInSubgroup, "a granted public key is not a G1 element");
        lock (_gate)
        {
            Dictionary<string, Registration> table = kind == 0 ? _users : _csps;
            if (!table.ContainsKey(name) && table.Count >= (kind == 0 ? Options.MaxUsers : Options.MaxCsps)) return Refuse(EngineStatus.CapacityExceeded, "the registry is full");
            if (kind == 0)
            {
                RevocationParameters.CheckGid(name);
                foreach (string attribute in attributes) RevocationParameters.AuthorityOf(attribute);
                if (Encryption is not null && attributes.Any(a => RevocationParameters.AuthorityOf(a) != Encryption.Name) && Signatures is null)
                    return Refuse(EngineStatus.Malformed, $"authority {Encryption.Name} issues only its own attributes");
                Signatures?.AddMember(name, attributes);
            }
            if (table.TryGetValue(name, out Registration? existing)) { existing.SigningKey = signing; existing.EncryptionKey = encryption; existing.Attributes = attributes; }
            else table[name] = new Registration(signing, encryption, attributes);
            Changed?.Invoke();
        }
        return Answer(type, RevocationWire.RentWriter(), response);
    }

    private (EngineStatus, RevocationMessageType, string?) RequestKeys(RevocationMessageType type, ReadOnlySpan<byte> request, IBufferWriter<byte> response)
    {
        lock (_gate)
        {
            EngineStatus status = Authenticate(_users, request, out string gid, out Registration? user, out _, out string reason);
            if (status != EngineStatus.Ok) return Refuse(status, reason);
            WireWriter keys = RevocationWire.RentWriter();
            try
            {
                var own = Encryption is null ? [] : user!.Attributes.Where(a => RevocationParameters.AuthorityOf(a) == Encryption.Name).ToList();
                keys.UInt16((ushort)own.Count);
                foreach (string attribute in own) keys.Blob(Encryption!.IssueKey(gid, attribute).Encode());
                keys.Blob(Signatures is not null && Signatures.IsMember(gid) ? Signatures.IssueKey(gid).Encode() : []);
                if (own.Count > 0) Changed?.Invoke();                               // the holder register grew
                RevocationWire.Sealed.Seal(user!.EncryptionKey, keys.WrittenSpan, "revocation/keys", gid, response);
            }
            finally { keys.Release(); }                                             // wipes the keys
            return Answered(type);
        }
    }

    private (EngineStatus, RevocationMessageType, string?) Revoke(RevocationMessageType type, ReadOnlySpan<byte> request, IBufferWriter<byte> response)
    {
        EngineStatus status = RevocationWire.Verify(request, _adminKey, _replays, Options.Time, out ReadOnlySpan<byte> body);
        if (status != EngineStatus.Ok) return Refuse(status, "the revocation is not signed by the admin key, stale or replayed");
        WireReader r = RevocationWire.Reader(body);
        string gid = r.Name();
        int attributeLength = r.Byte();
        string attribute = attributeLength == 0 ? "" : System.Text.Encoding.UTF8.GetString(r.Fixed(attributeLength));
        if (!r.AtEndOk) return Refuse(EngineStatus.Malformed, "malformed revocation");
        lock (_gate)
        {
            int remaining;
            if (attribute.Length == 0)
            {
                if (Signatures is null) return Refuse(EngineStatus.NotFound, "this authority keeps no ring");
                IReadOnlyList<RingSigningKey> rekeyed = Signatures.Revoke(gid);
                foreach (RingSigningKey key in rekeyed) Queue(key.Gid, 2, key.Encode());
                remaining = rekeyed.Count;
            }
            else
            {
                if (Encryption is null) return Refuse(EngineStatus.NotFound, "this authority issues no decryption keys");
                AttributeRevocation revocation = Encryption.Revoke(attribute, gid);
                foreach (KeyUpdate update in revocation.KeyUpdates) Queue(update.Gid, 1, update.Encode());
                if (_updateLog.Count >= Options.MaxUpdateLog) _updateLog.RemoveAt(0);
                _updateLog.Add(revocation.CiphertextUpdate.Encode());
                if (_users.TryGetValue(gid, out Registration? revoked)) revoked.Attributes.Remove(attribute);
                remaining = revocation.KeyUpdates.Count;
            }
            Changed?.Invoke();
            return Answer(type, RevocationWire.RentWriter().Int32(remaining), response);
        }
    }

    private void Queue(string gid, byte kind, byte[] blob)
    {
        if (!_users.TryGetValue(gid, out Registration? user)) return;
        if (user.Pending.Count >= Options.MaxPendingPerUser) user.Pending.RemoveAt(0);
        user.Pending.Add((++_sequence, kind, blob));
    }

    private (EngineStatus, RevocationMessageType, string?) GetUpdates(RevocationMessageType type, ReadOnlySpan<byte> request, IBufferWriter<byte> response)
    {
        lock (_gate)
        {
            EngineStatus status = Authenticate(_users, request, out string gid, out Registration? found, out ReadOnlySpan<byte> body, out string reason);
            if (status != EngineStatus.Ok) return Refuse(status, reason);
            Registration user = found!;
            WireReader r = RevocationWire.Reader(body);
            r.Name();
            ulong applied = r.UInt64();
            if (!r.AtEndOk) return Refuse(EngineStatus.Malformed, "malformed update request");
            // What the user says it applied is acknowledged and dropped; the rest is sent (again).
            if (user.Pending.RemoveAll(p => p.Sequence <= applied) > 0) Changed?.Invoke();
            WireWriter w = RevocationWire.RentWriter().UInt16((ushort)user.Pending.Count);
            try
            {
                foreach ((ulong sequence, byte kind, byte[] blob) in user.Pending) w.UInt64(sequence).Byte(kind).Blob(blob);
                RevocationWire.Sealed.Seal(user.EncryptionKey, w.WrittenSpan, "revocation/updates", gid, response);
            }
            finally { w.Release(); }
            return Answered(type);
        }
    }

    private (EngineStatus, RevocationMessageType, string?) GetCiphertextUpdates(RevocationMessageType type, ReadOnlySpan<byte> request, IBufferWriter<byte> response)
    {
        lock (_gate)
        {
            EngineStatus status = Authenticate(_csps, request, out string name, out Registration? csp, out ReadOnlySpan<byte> body, out string reason);
            if (status != EngineStatus.Ok) return Refuse(status, reason);
            WireReader r = RevocationWire.Reader(body);
            r.Name();
            int from = r.Int32();
            if (!r.AtEndOk || from < 0) return Refuse(EngineStatus.Malformed, "malformed update request");
            int count = Math.Clamp(_updateLog.Count - from, 0, 1024);
            WireWriter w = RevocationWire.RentWriter().Int32(from).UInt16((ushort)count);
            try
            {
                for (int i = 0; i < count; i++) w.Blob(_updateLog[from + i]);
                RevocationWire.Sealed.Seal(csp!.EncryptionKey, w.WrittenSpan, "revocation/ciphertext-updates", name, response);
            }
            finally { w.Release(); }                                               // Δy is secret
            return Answered(type);
        }
    }

    /// <summary>
    /// A request signed by a registered user or CSP: the name it starts with is looked up, then the signature, freshness
    /// and nonce are checked against that registration's key. Call under the lock.
    /// </summary>
    private EngineStatus Authenticate(Dictionary<string, Registration> table, ReadOnlySpan<byte> request, out string name, out Registration? registration,
                                      out ReadOnlySpan<byte> body, out string reason)
    {
        body = default;
        registration = null;
        WireReader r = RevocationWire.Reader(RevocationWire.UnverifiedBody(request));
        name = r.Name();
        if (!r.Ok) { reason = "malformed signed request"; return EngineStatus.Malformed; }
        if (!table.TryGetValue(name, out registration)) { reason = $"{name} is not granted here"; return EngineStatus.NotFound; }
        EngineStatus status = RevocationWire.Verify(request, registration.SigningKey, _replays, Options.Time, out body);
        reason = status == EngineStatus.Ok ? "" : $"the request is not signed by {name}'s key, stale or replayed";
        return status;
    }

    /// <summary>Everything needed to restart: both halves' secrets, the registry, pending updates and the update log.</summary>
    public byte[] ExportState()
    {
        lock (_gate)
        {
            WireWriter w = RevocationWire.Writer();
            byte[] encryption = Encryption?.ExportSecret() ?? [], signatures = Signatures?.ExportSecret() ?? [];
            w.Blob(encryption).Blob(signatures).UInt64(_sequence);
            CryptographicOperations.ZeroMemory(encryption);
            CryptographicOperations.ZeroMemory(signatures);
            foreach (Dictionary<string, Registration> table in new[] { _users, _csps })
            {
                w.Int32(table.Count);
                foreach ((string name, Registration g) in table)
                {
                    w.Name(name).Fixed(g.SigningKey).Fixed(g.EncryptionKey).UInt16((ushort)g.Attributes.Count);
                    foreach (string a in g.Attributes) w.Name(a);
                    w.UInt16((ushort)g.Pending.Count);
                    foreach ((ulong sequence, byte kind, byte[] blob) in g.Pending) w.UInt64(sequence).Byte(kind).Blob(blob);
                }
            }
            w.Int32(_updateLog.Count);
            foreach (byte[] entry in _updateLog) w.Blob(entry);
            return w.ToArrayAndWipe();
        }
    }

    /// <summary>Restores an authority from <see cref="ExportState"/>.</summary>
    /// <exception cref="EngineException">The state is malformed.</exception>
    public static Authority Import(ReadOnlySpan<byte> state, ReadOnlySpan<byte> adminPublicKey, AuthorityOptions? options = null)
    {
        WireReader r = RevocationWire.Reader(state);
        ReadOnlySpan<byte> encryption = r.Blob(64 << 20), signatures = r.Blob(64 << 20);
        AttributeAuthority? e = null;
        SignatureAuthority? s = null;
        if (!r.Ok || (encryption.Length > 0 && AttributeAuthority.Import(encryption, out e) != EngineStatus.Ok)
                  || (signatures.Length > 0 && SignatureAuthority.Import(signatures, out s) != EngineStatus.Ok))
            throw new EngineException(EngineStatus.Malformed, "the authority state's keys are malformed");
        var authority = new Authority(e, s, adminPublicKey, options) { _sequence = r.UInt64() };
        foreach (Dictionary<string, Registration> table in new[] { authority._users, authority._csps })
        {
            int count = r.Int32();
            for (int i = 0; i < count && r.Ok; i++)
            {
                string name = r.Name();
                byte[] signing = r.Fixed(RevocationParameters.G1Size).ToArray(), enc = r.Fixed(RevocationParameters.G1Size).ToArray();
                int attributes = r.UInt16();
                var list = new List<string>();
                for (int j = 0; j < attributes && r.Ok; j++) list.Add(r.Name());
                var registration = new Registration(signing, enc, list);
                int pending = r.UInt16();
                for (int j = 0; j < pending && r.Ok; j++) registration.Pending.Add((r.UInt64(), r.Byte(), r.Blob(1 << 20).ToArray()));
                table[name] = registration;
            }
        }
        int log = r.Int32();
        for (int i = 0; i < log && r.Ok; i++) authority._updateLog.Add(r.Blob(1 << 16).ToArray());
        if (!r.AtEndOk) throw new EngineException(EngineStatus.Malformed, "the authority state is malformed");
        return authority;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        Encryption?.Dispose();
        Signatures?.Dispose();
    }
}
