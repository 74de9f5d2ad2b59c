using Engine.Primitives.Replay;
using Engine.Primitives.Schnorr;
using Engine.Primitives.Wire;
using Engine.Revocation.Access;
using Engine.Revocation.Policies;
using Engine.Revocation.Signatures;
using Engine.Revocation.Wire;
using static Engine.Revocation.Roles.RoleReplies;

namespace Engine.Revocation.Roles;

/// <summary>Bounds and clock of a <see cref="SourceCsp"/>.</summary>
public sealed record SourceCspOptions
{
    /// <summary>How long issued tokens live.</summary>
    public TimeSpan TokenLifetime { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How far an access request's timestamp may be from the clock.</summary>
    public TimeSpan FreshnessWindow { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Request nonces remembered (a replayed signed request is refused before its pairing).</summary>
    public int ReplayCapacity { get; init; } = 1 << 18;

    /// <summary>Largest policy text accepted.</summary>
    public int MaxPolicyBytes { get; init; } = 16 * 1024;

    /// <summary>The clock.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;
}

/// <summary>
/// The source CSP (SPEC §4.4): verifies a user's ring signature over an <see cref="AccessRequest"/> against the
/// current ring only and answers with a signed, short-lived <see cref="AccessToken"/> for the accepting CSP. Checks
/// run cheapest first (lengths, ring epoch, freshness, policy shape, signature shape, replay) before the pairing;
/// with a <see cref="Batcher"/> the pairings of concurrent requests share one product. Thread-safe.
/// </summary>
public sealed class SourceCsp : IRevocationRole
{
    private readonly SchnorrSigningKey _tokenKey;
    private readonly ReplayCache _replays;
    private readonly object _ringGate = new();
    private RingPublicKey _ringKey;
    private Ring _ring;
    private RingVerifier _verifier;
    private long _issued, _refused;

    /// <summary>A source CSP named <paramref name="name"/> that signs tokens with <paramref name="tokenKey"/>.</summary>
    public SourceCsp(string name, SchnorrSigningKey tokenKey, RingPublicKey ringKey, Ring ring, SourceCspOptions? options = null)
    {
        Name = name;
        _tokenKey = tokenKey;
        _ringKey = ringKey;
        _ring = ring;
        _verifier = new RingVerifier(ringKey);
        Options = options ?? new SourceCspOptions();
        _replays = new ReplayCache(Options.ReplayCapacity, Options.Time);
    }

    /// <summary>The name tokens carry as issuer.</summary>
    public string Name { get; }

    /// <summary>Bounds and clock.</summary>
    public SourceCspOptions Options { get; }

    /// <summary>When set, signature checks go through this batcher (the <c>EngineHost</c>'s).</summary>
    public RingSignatureBatcher? Batcher { get; init; }

    /// <summary>The token key's public half, what accepting CSPs trust.</summary>
    public ReadOnlySpan<byte> TokenPublicKey => _tokenKey.PublicKey;

    /// <summary>Tokens issued and requests refused so far.</summary>
    public (long Issued, long Refused) Counts => (Interlocked.Read(ref _issued), Interlocked.Read(ref _refused));

    /// <summary>The ring verified against (the newest epoch seen).</summary>
    public Ring Ring
    {
        get { lock (_ringGate) return _ring; }
    }

    /// <summary>Moves to a newer ring (after a revocation); older epochs are refused from then on.</summary>
    /// <returns>False when <paramref name="ring"/> is not newer than the current one.</returns>
    public bool UpdateRing(RingPublicKey key, Ring ring)
    {
        lock (_ringGate)
        {
            if (ring.Id != _ring.Id || ring.Epoch < _ring.Epoch || (ring.Epoch == _ring.Epoch && ring.Members.Count == _ring.Members.Count)) return false;
            if (!ReferenceEquals(key, _ringKey)) { _ringKey = key; _verifier = new RingVerifier(key); }
            _ring = ring;
            return true;
        }
    }

    /// <inheritdoc/>
    public async ValueTask<(EngineStatus Status, RevocationMessageType Type, byte[] Payload)> ProcessAsync(RevocationMessageType type, ReadOnlyMemory<byte> request, CancellationToken cancellationToken = default)
    {
        (EngineStatus, RevocationMessageType, byte[]) answer;
        try
        {
            answer = type switch
            {
                RevocationMessageType.GetRing => Answer(type, RevocationWire.Writer().Fixed(_tokenKey.PublicKey).Blob(Ring.Encode()).ToArray()),
                RevocationMessageType.Authenticate => await AuthenticateAsync(type, request).ConfigureAwait(false),
                _ => Refuse(EngineStatus.UnknownMessageType, $"a source CSP does not answer {type}"),
            };
        }
        catch (PolicyException e) { answer = Refuse(EngineStatus.Malformed, e.Message); }
        catch (EngineException e) { answer = Refuse(e.Status, e.Message); }
        Interlocked.Increment(ref answer.Item1 == EngineStatus.Ok ? ref _issued : ref _refused);
        return answer;
    }

    private async ValueTask<(EngineStatus, RevocationMessageType, byte[])> AuthenticateAsync(RevocationMessageType type, ReadOnlyMemory<byte> payload)
    {
        string ringId, policyText;
        ulong epoch;
        ReadOnlyMemory<byte> message;
        byte[] signatureBytes;
        {
            WireReader r = RevocationWire.Reader(payload.Span);
            ringId = r.Name();
            epoch = r.UInt64();
            ReadOnlySpan<byte> policy = r.Blob(Options.MaxPolicyBytes);
            int messageStart = payload.Length - r.Remaining + 4;
            ReadOnlySpan<byte> requestBytes = r.Blob(1024);
            message = r.Ok ? payload.Slice(messageStart, requestBytes.Length) : default;
            signatureBytes = r.Blob(1 << 20).ToArray();
            if (!r.AtEndOk) return Refuse(EngineStatus.Malformed, "malformed authentication request");
            policyText = System.Text.Encoding.UTF8.GetString(policy);
        }
        RingPublicKey key;
        Ring ring;
        RingVerifier verifier;
        lock (_ringGate) (key, ring, verifier) = (_ringKey, _ring, _verifier);
        if (ringId != ring.Id || epoch != ring.Epoch) return Refuse(EngineStatus.Expired, $"ring {ring.Id} is at epoch {ring.Epoch}");
        if (AccessRequest.Decode(message.Span, out AccessRequest? request) != EngineStatus.Ok) return Refuse(EngineStatus.Malformed, "malformed access request");
        long age = (long)request!.TimestampMilliseconds - Options.Time.GetUtcNow().ToUnixTimeMilliseconds();
        if (Math.Abs(age) > Options.FreshnessWindow.TotalMilliseconds) return Refuse(EngineStatus.Expired, "the access request is stale");
        Policy policyParsed = Policy.Parse(policyText);
        EngineStatus status = verifier.CheckPolicy(ring, policyParsed);
        if (status != EngineStatus.Ok) return Refuse(status, "the policy names attributes outside the ring or has too many columns");
        status = RingSignature.Decode(signatureBytes, policyParsed.Matrix.RowCount, policyParsed.Matrix.ColumnCount, out RingSignature? signature);
        if (status != EngineStatus.Ok) return Refuse(status, "malformed ring signature");
        DateTimeOffset expires = DateTimeOffset.FromUnixTimeMilliseconds((long)request.TimestampMilliseconds) + Options.FreshnessWindow;
        status = _replays.TryAdd(request.Nonce, expires);
        if (status != EngineStatus.Ok) return Refuse(status, "the access request was seen before");
        status = Batcher is null
            ? verifier.Verify(ring, policyParsed, message.Span, signature!)
            : await Batcher.VerifyAsync(key, ring, policyParsed, message, signature!).ConfigureAwait(false);
        if (status != EngineStatus.Ok) return Refuse(status, "the ring signature does not verify");
        byte[] token = AccessToken.Issue(_tokenKey, Name, request.Audience, request.Resource, ring.Id, ring.Epoch, Options.Time, Options.TokenLifetime);
        return Answer(type, RevocationWire.Writer().Blob(token).ToArray());
    }
}
