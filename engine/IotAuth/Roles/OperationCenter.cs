using System.Buffers;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Engine.IotAuth.Auth;
using Engine.IotAuth.Storage;
using Engine.IotAuth.Tags;
using Engine.IotAuth.Wire;
using Engine.Pairing.Fields;
using Engine.Pairing.Groups;
using Engine.Primitives.Encryption;
using Engine.Primitives.Replay;
using Engine.Primitives.Schnorr;
using Engine.Primitives.Wire;

namespace Engine.IotAuth.Roles;

/// <summary>
/// The operation centre OC of Protocol 3 (SPEC.md §3.1, §3.3, §3.4): it registers devices (with an out-of-band
/// enrolment key), issues authorized tags after cross-checking the device's reported TL with the cloud server,
/// signs challenges, verifies anonymous proofs (with γ, no pairing; batched across concurrent devices when a
/// <see cref="ProofBatcher"/> is set), agrees session keys with key confirmation both ways, rotates γ per epoch and
/// revokes devices [beyond].
/// </summary>
/// <remarks>
/// Order of checks on every request: sizes and fields, timestamp window, known challenge, replay cache, then the
/// expensive work. Every table is bounded; a refusal changes no state. Thread-safe.
/// </remarks>
public sealed partial class OperationCenter : IIotServerRole, IDisposable
{
    private readonly SchnorrSigningKey _signingKey;
    private readonly HashedElGamalKey _encryptionKey;
    private readonly byte[] _enrolmentKey, _adminKey;
    private readonly byte[] _cloudKey;
    private readonly IIotConnection _cloud;
    private readonly TimeProvider _time;
    private readonly ReplayCache _replays;
    private readonly ConcurrentDictionary<Nonce, PendingChallenge> _challenges = new();
    private readonly ConcurrentDictionary<Nonce, Session> _sessions = new();
    private readonly object _epochGate = new();
    private TagKey _tagKey;
    private TagKey? _retiredKey;
    private byte[] _hello;
    private long _authentications, _confirmed, _tagsIssued, _refusals, _tagIssueTicks, _verifyTicks, _verified;

    /// <summary>
    /// An OC with its keys, the current epoch's tag key, the enrolment key devices register with, the admin key that
    /// authorises rotation and revocation, and a connection to the cloud server whose signing key is
    /// <paramref name="cloudSigningKey"/>.
    /// </summary>
    public OperationCenter(OperationCenterOptions options, SchnorrSigningKey signingKey, HashedElGamalKey encryptionKey, TagKey tagKey,
                           ReadOnlySpan<byte> enrolmentKey, ReadOnlySpan<byte> adminKey, IIotConnection cloud, ReadOnlySpan<byte> cloudSigningKey,
                           IOperationCenterStore? store = null, TimeProvider? timeProvider = null)
    {
        options.Validate();
        if (enrolmentKey.Length < 16 || adminKey.Length < 16) throw new ArgumentException("The enrolment and admin keys need at least 16 bytes.");
        Options = options;
        _signingKey = signingKey;
        _encryptionKey = encryptionKey;
        _tagKey = tagKey;
        _enrolmentKey = GC.AllocateArray<byte>(enrolmentKey.Length, pinned: true);
        enrolmentKey.CopyTo(_enrolmentKey);
        _adminKey = GC.AllocateArray<byte>(adminKey.Length, pinned: true);
        adminKey.CopyTo(_adminKey);
        _cloud = cloud;
        _cloudKey = cloudSigningKey.ToArray();
        Store = store ?? new InMemoryOperationCenterStore();
        _time = timeProvider ?? TimeProvider.System;
        _replays = new ReplayCache(Math.Max(16, options.MaxPendingChallenges), _time);
        IdBytes = Encoding.UTF8.GetBytes(options.Id);
        _hello = BuildHello(tagKey);
    }

    /// <summary>The policy.</summary>
    public OperationCenterOptions Options { get; }

    /// <summary>The state.</summary>
    public IOperationCenterStore Store { get; }

    /// <summary>When set, proofs are verified in batches across concurrent devices (it may be switched at run time).</summary>
    public ProofBatcher? Batcher { get => Volatile.Read(ref _batcher); set => Volatile.Write(ref _batcher, value); }

    private ProofBatcher? _batcher;

    /// <summary>CPU spent issuing tags (A = g1^(1/(γ+m)), nonce redraws included), for the paper's "tag generation" figure.</summary>
    public TimeSpan TagIssueTime => System.Diagnostics.Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _tagIssueTicks));

    /// <summary>CPU spent verifying proofs one at a time (unbatched path) and how many: the paper's "proof authentication" figure.</summary>
    public (TimeSpan Time, long Proofs) DirectVerification => (System.Diagnostics.Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _verifyTicks)), Interlocked.Read(ref _verified));

    /// <summary>The OC identifier in UTF-8.</summary>
    public byte[] IdBytes { get; }

    /// <summary>The current epoch.</summary>
    public uint Epoch => Volatile.Read(ref _tagKey).Epoch;

    /// <summary>Raised after every epoch rotation with the new epoch (the server persists the new γ).</summary>
    public event Action<uint>? EpochRotated;

    /// <summary>Writes the current epoch's γ (32 bytes, big-endian) for the host's protected key store and returns the epoch.</summary>
    public uint ExportTagKey(Span<byte> gamma)
    {
        lock (_epochGate)
        {
            _tagKey.ExportSecret(gamma);
            return _tagKey.Epoch;
        }
    }

    /// <summary>W of the current epoch.</summary>
    public G2Affine TagPublicKey => Volatile.Read(ref _tagKey).PublicKey;

    /// <summary>What devices and the CS need to trust this OC.</summary>
    public OperationCenterEntry Entry => new(Options.Id, _signingKey.PublicKey.ToArray(), _encryptionKey.PublicKey.ToArray());

    /// <summary>Proofs accepted, sessions confirmed by the device, tags issued, requests refused.</summary>
    public (long Authentications, long Confirmed, long TagsIssued, long Refusals) Counts
        => (Interlocked.Read(ref _authentications), Interlocked.Read(ref _confirmed), Interlocked.Read(ref _tagsIssued), Interlocked.Read(ref _refusals));

    /// <summary>Challenges outstanding and sessions held.</summary>
    public (int Challenges, int Sessions) TableSizes => (_challenges.Count, _sessions.Count);

    /// <inheritdoc/>
    public byte[] Hello() => Volatile.Read(ref _hello);

    /// <inheritdoc/>
    public async ValueTask<(EngineStatus Status, IotMessageType Type)> ProcessAsync(IotMessageType type, ReadOnlyMemory<byte> request, IBufferWriter<byte> response,
                                                                                 CancellationToken cancellationToken = default)
    {
        // Each step writes its answer into response only once every check has passed; a refusal writes just the Error.
        (EngineStatus status, IotMessageType responseType, string? reason) = type switch
        {
            IotMessageType.Register => Register(request.Span, response),
            IotMessageType.TagRequest => await IssueTagAsync(request, response, cancellationToken).ConfigureAwait(false),
            IotMessageType.GetChallenge => NewChallenge(request.Span, response),
            IotMessageType.Authenticate => await AuthenticateAsync(request, response).ConfigureAwait(false),
            IotMessageType.Confirm => Confirm(request.Span, response),
            IotMessageType.RotateEpoch => Rotate(request.Span, response),
            IotMessageType.Revoke => Revoke(request.Span, response),
            _ => (EngineStatus.UnknownMessageType, IotMessageType.Error, null),
        };
        if (status == EngineStatus.Ok) return (status, responseType);
        Interlocked.Increment(ref _refusals);
        IotWire.Error(status, reason, response);
        return (status, IotMessageType.Error);
    }

    /// <summary>Drops expired challenges and sessions (wiping their secrets); the server calls it every few seconds.</summary>
    public void Sweep()
    {
        ulong now = Signed.Now(_time);
        foreach ((Nonce nonce, PendingChallenge challenge) in _challenges)
            if (challenge.ExpiresAt < now && _challenges.TryRemove(nonce, out PendingChallenge? removed)) removed.Dispose();
        foreach ((Nonce id, Session session) in _sessions)
            if (session.ExpiresAt < now && _sessions.TryRemove(id, out Session? removed)) removed.Keys.Dispose();
        _shared?.Sweep(now);
    }

    private (EngineStatus, IotMessageType, string?) Register(ReadOnlySpan<byte> request, IBufferWriter<byte> response)
    {
        WireReader r = IotWire.Reader(request);
        string id = r.Name();
        ReadOnlySpan<byte> signingKey = r.Fixed(IotAuthParameters.G1Size), encryptionKey = r.Fixed(IotAuthParameters.G1Size);
        ulong time = r.UInt64();
        ReadOnlySpan<byte> mac = r.Fixed(IotWire.MacSize);
        if (!r.AtEndOk) return Refuse(r.VersionMismatch ? EngineStatus.UnsupportedVersion : EngineStatus.Malformed, "malformed registration");
        if (!CheckMac(_enrolmentKey, request[..^IotWire.MacSize], mac)) return Refuse(EngineStatus.VerificationFailed, "enrolment MAC");
        if (!Signed.FreshMilliseconds(time, _time, Options.TimestampWindow)) return Refuse(EngineStatus.Expired, "timestamp outside the window");
        RegisteredDevice? known = Store.Find(id);
        if (known is not null)
        {
            // Re-registering the same keys is idempotent; other keys under a known name are refused.
            bool same = known.SigningKey.AsSpan().SequenceEqual(signingKey) && known.EncryptionKey.AsSpan().SequenceEqual(encryptionKey);
            return same ? Done(response) : Refuse(EngineStatus.VerificationFailed, "this identifier is registered with other keys");
        }
        Span<ulong> scratch = stackalloc ulong[IotAuthParameters.Group.ElementLimbs];
        EngineStatus status = IotAuthParameters.Group.Decode(signingKey, scratch);
        if (status == EngineStatus.Ok) status = IotAuthParameters.Group.Decode(encryptionKey, scratch);
        if (status != EngineStatus.Ok) return Refuse(status, "device key");
        if (!Store.Put(new RegisteredDevice(id, signingKey.ToArray(), encryptionKey.ToArray(), Revoked: false, IssuedEpoch: null, LastReport: 0)))
            return Refuse(EngineStatus.CapacityExceeded, "registration table full");
        return Done(response);
    }

    private (EngineStatus, IotMessageType, string?) NewChallenge(ReadOnlySpan<byte> request, IBufferWriter<byte> response)
    {
        WireReader r = IotWire.Reader(request);
        if (!r.AtEndOk) return Refuse(r.VersionMismatch ? EngineStatus.UnsupportedVersion : EngineStatus.Malformed, "malformed challenge request");
        if (_challenges.Count >= Options.MaxPendingChallenges)
        {
            Sweep();
            if (_challenges.Count >= Options.MaxPendingChallenges) return Refuse(EngineStatus.CapacityExceeded, "too many outstanding challenges");
        }
        var pending = PendingChallenge.Create(IdBytes, Signed.Now(_time), Options.TimestampWindow);
        if (_shared is not null && !ShareChallenge(pending))
        {
            pending.Dispose();
            return Refuse(EngineStatus.CapacityExceeded, "too many outstanding challenges across the instances");
        }
        _challenges[pending.Nonce] = pending;
        Signed.Finish(IotWire.RentWriter().Fixed(pending.Fields), _signingKey, response);
        return (EngineStatus.Ok, IotMessageType.Challenge, null);
    }

    private async ValueTask<(EngineStatus, IotMessageType, string?)> AuthenticateAsync(ReadOnlyMemory<byte> request, IBufferWriter<byte> response)
    {
        if (request.Length != 1 + IotAuthParameters.NonceSize + IotAuthParameters.ProofSize) return Refuse(EngineStatus.BadLength, "an authentication is N_OC ‖ proof");
        if (request.Span[0] != IotWire.Version) return Refuse(EngineStatus.UnsupportedVersion, "version");
        var nonce = new Nonce(request.Span.Slice(1, IotAuthParameters.NonceSize));
        ReadOnlyMemory<byte> proof = request.Slice(1 + IotAuthParameters.NonceSize);
        // The challenge stays until a proof for it verifies: a garbage answer naming someone else's N_OC (it travels in
        // the clear) is refused and changes nothing, so it cannot deny the device its session.
        bool local = _challenges.TryGetValue(nonce, out PendingChallenge? challenge);
        if (!local)
        {
            // Another instance of this OC may have issued it (SharedState): checked there, cheapest first.
            if (_shared is null) return Refuse(EngineStatus.NotFound, "unknown or used challenge");
            if (SeenBefore(proof.Span, nonce)) return Refuse(EngineStatus.Replay, "proof seen before");
            challenge = SharedChallenge(nonce);
            if (challenge is null) return Refuse(EngineStatus.NotFound, "unknown or used challenge");
        }
        bool owned = !local;                                   // a shared challenge restored here is this call's to wipe
        try
        {
            if (challenge!.ExpiresAt < Signed.Now(_time)) return Refuse(EngineStatus.Expired, "challenge expired");
            if (local && SeenBefore(proof.Span, nonce)) return Refuse(EngineStatus.Replay, "proof seen before");    // a shared one was checked above

            TagKey key = Volatile.Read(ref _tagKey);
            ProofBatcher? batcher = Batcher;
            VerifiedProof verified = batcher is not null
                ? await batcher.VerifyAsync(key, challenge.Fields, proof).ConfigureAwait(false)
                : VerifyNow(key, challenge.Fields, proof.Span);
            if (verified.Status != EngineStatus.Ok) return Refuse(verified.Status, "proof");
            // One use per challenge: of two valid answers racing, the one that takes it out owns its a; the other is a replay.
            if (local)
            {
                if (!_challenges.TryRemove(KeyValuePair.Create(nonce, challenge))) return Refuse(EngineStatus.Replay, "challenge answered meanwhile");
                owned = true;
            }
            if (_shared is not null && !TakeShared(nonce)) return Refuse(EngineStatus.Replay, "challenge answered at another instance");
            EngineStatus added = Remember(proof.Span, nonce, challenge.ExpiresAt);
            if (added != EngineStatus.Ok) return Refuse(added, "replay cache");
            return Accept(challenge, proof.Span, verified, response);
        }
        finally
        {
            if (owned) challenge!.Dispose();
        }
    }

    // The replay cache holds (A', N_OC) of accepted proofs until their challenge would have expired; with SharedState,
    // every instance's accepted proofs.
    private bool SeenBefore(ReadOnlySpan<byte> proof, Nonce nonce)
    {
        Span<byte> id = stackalloc byte[ReplayIdSize];
        WriteReplayId(proof, nonce, id);
        return _replays.Contains(id, _time.GetUtcNow()) || (_shared?.ContainsReplay(id) ?? false);
    }

    private EngineStatus Remember(ReadOnlySpan<byte> proof, Nonce nonce, ulong expiresAt)
    {
        Span<byte> id = stackalloc byte[ReplayIdSize];
        WriteReplayId(proof, nonce, id);
        EngineStatus status = _replays.TryAdd(id, DateTimeOffset.FromUnixTimeSeconds((long)expiresAt + 1), _time.GetUtcNow());
        return status == EngineStatus.Ok && _shared is not null ? _shared.TryAddReplay(id, expiresAt + 1) : status;
    }

    private const int ReplayIdSize = IotAuthParameters.G1Size + IotAuthParameters.NonceSize;

    private static void WriteReplayId(ReadOnlySpan<byte> proof, Nonce nonce, Span<byte> id)
    {
        proof[ProofLayout.APrime].CopyTo(id);
        nonce.CopyTo(id[IotAuthParameters.G1Size..]);
    }

    // K from Y_D^a, the session stored until the device confirms, and the OC's confirmation.
    private (EngineStatus, IotMessageType, string?) Accept(PendingChallenge challenge, ReadOnlySpan<byte> proof, VerifiedProof verified, IBufferWriter<byte> response)
    {
        Span<byte> shared = stackalloc byte[IotAuthParameters.G1Size];
        challenge.SharedSecret(verified.DeviceKey, shared);
        SessionKeys keys = SessionKeys.Derive(shared, challenge.Fields, proof);
        CryptographicOperations.ZeroMemory(shared);
        if (_sessions.Count >= Options.MaxSessions) Sweep();
        var sessionId = Nonce.Random();
        if (_sessions.Count >= Options.MaxSessions || !_sessions.TryAdd(sessionId, new Session(keys, Signed.Now(_time) + (ulong)Options.TimestampWindow.TotalSeconds, false)))
        {
            keys.Dispose();
            return Refuse(EngineStatus.CapacityExceeded, "too many sessions");
        }
        Interlocked.Increment(ref _authentications);
        Span<byte> mac = stackalloc byte[IotWire.MacSize];
        keys.WriteConfirmation(ConfirmationRole.OperationCenter, mac);
        IotWire.RentWriter().Fixed(sessionId.Bytes[..IotWire.SessionIdSize]).Fixed(mac).MoveTo(response);
        return (EngineStatus.Ok, IotMessageType.Authenticated, null);
    }

    [ThreadStatic] private static ProofVerifier? t_verifier;
    [ThreadStatic] private static TagKey? t_verifierKey;

    /// <summary>The unbatched path: this thread's verifier for the key.</summary>
    private VerifiedProof VerifyNow(TagKey key, ReadOnlySpan<byte> challengeFields, ReadOnlySpan<byte> proof)
    {
        long started = System.Diagnostics.Stopwatch.GetTimestamp();
        if (!ReferenceEquals(t_verifierKey, key))
        {
            t_verifier = ProofVerifier.WithTagKey(key, 1);
            t_verifierKey = key;
        }
        EngineStatus status = t_verifier!.Verify(challengeFields, proof);
        var result = new VerifiedProof(status, status == EngineStatus.Ok ? t_verifier.DeviceKey(0) : default);
        Interlocked.Add(ref _verifyTicks, System.Diagnostics.Stopwatch.GetTimestamp() - started);
        Interlocked.Increment(ref _verified);
        return result;
    }

    private (EngineStatus, IotMessageType, string?) Confirm(ReadOnlySpan<byte> request, IBufferWriter<byte> response)
    {
        WireReader r = IotWire.Reader(request);
        ReadOnlySpan<byte> id = r.Fixed(IotWire.SessionIdSize), mac = r.Fixed(IotWire.MacSize);
        if (!r.AtEndOk) return Refuse(r.VersionMismatch ? EngineStatus.UnsupportedVersion : EngineStatus.Malformed, "malformed confirmation");
        var sessionId = Nonce.FromSessionId(id);
        if (!_sessions.TryGetValue(sessionId, out Session? session) || session.Confirmed) return Refuse(EngineStatus.NotFound, "unknown or confirmed session");
        if (session.ExpiresAt < Signed.Now(_time)) return Refuse(EngineStatus.Expired, "confirmation too late");
        if (!session.Keys.CheckConfirmation(ConfirmationRole.Device, mac)) return Refuse(EngineStatus.VerificationFailed, "device confirmation");
        if (!_sessions.TryUpdate(sessionId, session with { Confirmed = true, ExpiresAt = Signed.Now(_time) + (ulong)Options.SessionLifetime.TotalSeconds }, session))
            return Refuse(EngineStatus.NotFound, "session changed meanwhile");
        Interlocked.Increment(ref _confirmed);
        return Done(response);
    }

    /// <summary>The established session's K_enc for a session id (null if unknown or unconfirmed): what the OC's application channel uses.</summary>
    public SessionKeys? FindSession(ReadOnlySpan<byte> sessionId)
        => _sessions.TryGetValue(Nonce.FromSessionId(sessionId), out Session? s) && s.Confirmed ? s.Keys : null;

    private (EngineStatus, IotMessageType, string?) Rotate(ReadOnlySpan<byte> request, IBufferWriter<byte> response)
    {
        WireReader r = IotWire.Reader(request);
        ulong time = r.UInt64();
        ReadOnlySpan<byte> mac = r.Fixed(IotWire.MacSize);
        if (!r.AtEndOk) return Refuse(r.VersionMismatch ? EngineStatus.UnsupportedVersion : EngineStatus.Malformed, "malformed rotation");
        if (!CheckMac(_adminKey, request[..^IotWire.MacSize], mac)) return Refuse(EngineStatus.VerificationFailed, "admin MAC");
        if (!Signed.FreshMilliseconds(time, _time, Options.TimestampWindow)) return Refuse(EngineStatus.Expired, "timestamp outside the window");
        if (_replays.TryAdd(request, _time.GetUtcNow() + 2 * Options.TimestampWindow, _time.GetUtcNow()) != EngineStatus.Ok) return Refuse(EngineStatus.Replay, "rotation seen before");
        uint epoch = RotateEpoch();
        IotWire.RentWriter().UInt32(epoch).MoveTo(response);
        return (EngineStatus.Ok, IotMessageType.Rotated, null);
    }

    /// <summary>
    /// Moves to the next epoch with a fresh γ (SPEC.md §3.3 [beyond]): proofs from tags of the old epoch fail from now
    /// on; devices ask for a new tag, which is issued only if the CS still trusts them and they are not revoked.
    /// Returns the new epoch.
    /// </summary>
    public uint RotateEpoch()
    {
        uint epoch;
        lock (_epochGate)
        {
            TagKey next = TagKey.Generate(_tagKey.Epoch + 1);
            // Verifications queued under the old key may still run: retire it one rotation late.
            _retiredKey?.Dispose();
            _retiredKey = _tagKey;
            Volatile.Write(ref _hello, BuildHello(next));
            Volatile.Write(ref _tagKey, next);
            epoch = next.Epoch;
        }
        EpochRotated?.Invoke(epoch);
        return epoch;
    }

    private (EngineStatus, IotMessageType, string?) Revoke(ReadOnlySpan<byte> request, IBufferWriter<byte> response)
    {
        WireReader r = IotWire.Reader(request);
        string id = r.Name();
        ulong time = r.UInt64();
        ReadOnlySpan<byte> mac = r.Fixed(IotWire.MacSize);
        if (!r.AtEndOk) return Refuse(r.VersionMismatch ? EngineStatus.UnsupportedVersion : EngineStatus.Malformed, "malformed revocation");
        if (!CheckMac(_adminKey, request[..^IotWire.MacSize], mac)) return Refuse(EngineStatus.VerificationFailed, "admin MAC");
        if (!Signed.FreshMilliseconds(time, _time, Options.TimestampWindow)) return Refuse(EngineStatus.Expired, "timestamp outside the window");
        return RevokeDevice(id) ? Done(response) : Refuse(EngineStatus.NotFound, "unknown device");
    }

    /// <summary>Marks a device revoked: it gets no tag from now on, so its proofs fail from the next epoch. False if unknown.</summary>
    public bool RevokeDevice(string id)
    {
        RegisteredDevice? device = Store.Find(id);
        return device is not null && Store.Put(device with { Revoked = true });
    }

    private byte[] BuildHello(TagKey key) => Signed.Finish(IotWire.Writer().Name(Options.Id).UInt32(key.Epoch).Fixed(key.PublicKeyBytes), _signingKey);

    internal static bool CheckMac(ReadOnlySpan<byte> key, ReadOnlySpan<byte> data, ReadOnlySpan<byte> mac)
    {
        Span<byte> expected = stackalloc byte[IotWire.MacSize];
        HMACSHA256.HashData(key, data, expected);
        return CryptographicOperations.FixedTimeEquals(expected, mac);
    }

    private static (EngineStatus, IotMessageType, string?) Refuse(EngineStatus status, string reason) => (status, IotMessageType.Error, reason);

    /// <summary>The Done answer: the version byte alone.</summary>
    internal static (EngineStatus, IotMessageType, string?) Done(IBufferWriter<byte> response)
    {
        response.GetSpan(1)[0] = IotWire.Version;
        response.Advance(1);
        return (EngineStatus.Ok, IotMessageType.Done, null);
    }

    /// <summary>Wipes the keys and every pending secret.</summary>
    public void Dispose()
    {
        foreach (PendingChallenge c in _challenges.Values) c.Dispose();
        foreach (Session s in _sessions.Values) s.Keys.Dispose();
        _challenges.Clear();
        _sessions.Clear();
        CryptographicOperations.ZeroMemory(_enrolmentKey);
        CryptographicOperations.ZeroMemory(_adminKey);
        _sharedSealer?.Dispose();                                // the key sealing the shared challenges
        lock (_epochGate)
        {
            _retiredKey?.Dispose();
            _tagKey.Dispose();
        }
    }

    private sealed record Session(SessionKeys Keys, ulong ExpiresAt, bool Confirmed);
}
