using System.Buffers;
using Engine.Primitives.Replay;
using Engine.Primitives.Schnorr;
using Engine.Primitives.Wire;
using Engine.Revocation.Access;
using Engine.Revocation.Policies;
using Engine.Revocation.Signatures;
using Engine.Revocation.Wire;
using Microsoft.Extensions.ObjectPool;
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
    private readonly ObjectPool<RingVerifier> _verifiers;
    // Policies that verified, parsed once (a deployment's users sign under a handful of policies): looked up by the
    // request's text without making a string. Only verified requests add, and at most PolicyCacheSize are kept.
    private const int PolicyCacheSize = 1024;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Policy> _policies = new(StringComparer.Ordinal);
    private long _issued, _refused;

    /// <summary>A source CSP named <paramref name="name"/> that signs tokens with <paramref name="tokenKey"/>.</summary>
    public SourceCsp(string name, SchnorrSigningKey tokenKey, RingPublicKey ringKey, Ring ring, SourceCspOptions? options = null)
    {
        Name = name;
        _tokenKey = tokenKey;
        _ringKey = ringKey;
        _verifiers = new DefaultObjectPool<RingVerifier>(new VerifierPolicy(this), Environment.ProcessorCount * 2);
        _ring = ring;
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

    /// <summary>The ring's public key (it never changes when the ring grows or moves to a new epoch).</summary>
    public RingPublicKey RingKey
    {
        get { lock (_ringGate) return _ringKey; }
    }

    /// <summary>The ring verified against (the newest epoch seen).</summary>
    public Ring Ring
    {
        get { lock (_ringGate) return _ring; }
    }

    /// <summary>Takes the authority's current ring (grown by enrolments, or the next epoch after a revocation); older epochs are refused from then on.</summary>
    /// <returns>False when <paramref name="ring"/> is another ring or an older epoch.</returns>
    public bool UpdateRing(RingPublicKey key, Ring ring)
    {
        lock (_ringGate)
        {
            if (ring.Id != _ring.Id || ring.Epoch < _ring.Epoch) return false;    // never back to an older epoch
            _ringKey = key;
            _ring = ring;
            return true;
        }
    }

    /// <inheritdoc/>
    public async ValueTask<(EngineStatus Status, RevocationMessageType Type)> ProcessAsync(RevocationMessageType type, ReadOnlyMemory<byte> request, IBufferWriter<byte> response,
                                                                                        CancellationToken cancellationToken = default)
    {
        if (type != RevocationMessageType.Authenticate || Batcher is null) return Process(type, request.Span, response);
        (EngineStatus, RevocationMessageType, string?) answer;
        try
        {
            answer = Prepare(request.Span, Snapshot(), out Pending pending) ?? Finish(pending,
                await Batcher.VerifyAsync(pending.Key, pending.Ring, pending.Policy, pending.Message, pending.Signature).ConfigureAwait(false), response);
        }
        catch (PolicyException e) { answer = Refuse(EngineStatus.Malformed, e.Message); }
        catch (EngineException e) { answer = Refuse(e.Status, e.Message); }
        return Complete(Count(answer), response);
    }

    /// <summary>The synchronous span call: answers on the calling thread, verifying a signature at once (no batching).</summary>
    public (EngineStatus Status, RevocationMessageType Type) Process(RevocationMessageType type, ReadOnlySpan<byte> request, IBufferWriter<byte> response)
    {
        (EngineStatus, RevocationMessageType, string?) answer;
        try
        {
            if (type == RevocationMessageType.GetRing) return Complete(Answer(type, RevocationWire.RentWriter().Fixed(_tokenKey.PublicKey).Blob(Ring.Encode()), response), response);
            answer = type != RevocationMessageType.Authenticate
                ? Refuse(EngineStatus.UnknownMessageType, "a source CSP does not answer this message type")
                : Prepare(request, Snapshot(), out Pending pending) ?? Finish(pending, VerifyNow(pending), response);
        }
        catch (PolicyException e) { answer = Refuse(EngineStatus.Malformed, e.Message); }
        catch (EngineException e) { answer = Refuse(e.Status, e.Message); }
        return Complete(Count(answer), response);
    }

    /// <summary>
    /// The batch overload for callers that gather requests themselves: every Authenticate request is checked, then all
    /// their signatures are verified with one pairing product (bisecting on failure); one answer per request, in order.
    /// </summary>
    public IReadOnlyList<(EngineStatus Status, RevocationMessageType Type, byte[] Payload)> ProcessBatch(IReadOnlyList<ReadOnlyMemory<byte>> requests)
    {
        var responses = new ArrayBufferWriter<byte>[requests.Count];
        for (int i = 0; i < responses.Length; i++) responses[i] = new ArrayBufferWriter<byte>();
        IReadOnlyList<(EngineStatus Status, RevocationMessageType Type)> answers = ProcessBatch(requests, responses);
        return answers.Select((a, i) => (a.Status, a.Type, responses[i].WrittenSpan.ToArray())).ToArray();
    }

    /// <summary>The batch overload writing each answer into its own buffer of <paramref name="responses"/>.</summary>
    public IReadOnlyList<(EngineStatus Status, RevocationMessageType Type)> ProcessBatch(IReadOnlyList<ReadOnlyMemory<byte>> requests, IReadOnlyList<IBufferWriter<byte>> responses)
    {
        if (responses.Count != requests.Count) throw new ArgumentException("One response buffer per request.", nameof(responses));
        var answers = new (EngineStatus, RevocationMessageType, string?)[requests.Count];
        var pending = new Pending[requests.Count];
        var queued = new List<int>(requests.Count);
        (RingPublicKey Key, Ring Ring) snapshot = Snapshot();
        var verifier = new RingVerifier(snapshot.Key);
        for (int i = 0; i < requests.Count; i++)
        {
            try
            {
                if (Prepare(requests[i].Span, snapshot, out pending[i]) is { } refusal) { answers[i] = refusal; continue; }
                verifier.Add(pending[i].Ring, pending[i].Policy, pending[i].Message, pending[i].Signature);
                queued.Add(i);
            }
            catch (PolicyException e) { answers[i] = Refuse(EngineStatus.Malformed, e.Message); }
        }
        var statuses = new EngineStatus[queued.Count];
        verifier.VerifyAll(statuses);
        for (int q = 0; q < queued.Count; q++) answers[queued[q]] = Finish(pending[queued[q]], statuses[q], responses[queued[q]]);
        var completed = new (EngineStatus, RevocationMessageType)[answers.Length];
        for (int i = 0; i < answers.Length; i++) completed[i] = Complete(Count(answers[i]), responses[i]);
        return completed;
    }

    private (EngineStatus, RevocationMessageType, string?) Count((EngineStatus, RevocationMessageType, string?) answer)
    {
        Interlocked.Increment(ref answer.Item1 == EngineStatus.Ok ? ref _issued : ref _refused);
        return answer;
    }

    private (RingPublicKey Key, Ring Ring) Snapshot()
    {
        lock (_ringGate) return (_ringKey, _ring);
    }

    /// <summary>A checked request waiting for its signature verification.</summary>
    private readonly record struct Pending(RingPublicKey Key, Ring Ring, Policy Policy, byte[] Message, RingSignature Signature, AccessRequest Request);

    /// <summary>
    /// Every check but the pairing, cheapest first: lengths, ring and epoch, the request's freshness, the policy's shape,
    /// the signature's shape, the nonce. Returns the refusal, or null with the request ready to verify.
    /// </summary>
    private (EngineStatus, RevocationMessageType, string?)? Prepare(ReadOnlySpan<byte> payload, (RingPublicKey Key, Ring Ring) snapshot, out Pending pending)
    {
        pending = default;
        WireReader r = RevocationWire.Reader(payload);
        string ringId = r.Name();
        ulong epoch = r.UInt64();
        ReadOnlySpan<byte> policy = r.Blob(Options.MaxPolicyBytes);
        byte[] message = r.Blob(1024).ToArray();
        ReadOnlySpan<byte> signatureBytes = r.Blob(1 << 20);
        if (!r.AtEndOk) return Refuse(EngineStatus.Malformed, "malformed authentication request");
        (RingPublicKey key, Ring ring) = snapshot;
        if (ringId != ring.Id || epoch != ring.Epoch) return Refuse(EngineStatus.Expired, $"ring {ring.Id} is at epoch {ring.Epoch}");
        if (AccessRequest.Decode(message, out AccessRequest? request) != EngineStatus.Ok) return Refuse(EngineStatus.Malformed, "malformed access request");
        long age = (long)request!.TimestampMilliseconds - Options.Time.GetUtcNow().ToUnixTimeMilliseconds();
        if (Math.Abs(age) > Options.FreshnessWindow.TotalMilliseconds) return Refuse(EngineStatus.Expired, "the access request is stale");
        Policy parsed = ParsePolicy(policy);
        EngineStatus status = RingVerifier.CheckPolicy(key, ring, parsed);
        if (status != EngineStatus.Ok) return Refuse(status, "the policy names attributes outside the ring or has too many columns");
        status = RingSignature.Decode(signatureBytes, parsed.Matrix.RowCount, parsed.Matrix.ColumnCount, out RingSignature? signature);
        if (status != EngineStatus.Ok) return Refuse(status, "malformed ring signature");
        status = _replays.TryAdd(request.Nonce, DateTimeOffset.FromUnixTimeMilliseconds((long)request.TimestampMilliseconds) + Options.FreshnessWindow);
        if (status != EngineStatus.Ok) return Refuse(status, "the access request was seen before");
        pending = new Pending(key, ring, parsed, message, signature!, request);
        return null;
    }

    /// <summary>The policy for UTF-8 <paramref name="text"/>: from the cache of verified policies, or parsed.</summary>
    private Policy ParsePolicy(ReadOnlySpan<byte> text)
    {
        char[] chars = System.Buffers.ArrayPool<char>.Shared.Rent(System.Text.Encoding.UTF8.GetMaxCharCount(text.Length));
        try
        {
            int length = System.Text.Encoding.UTF8.GetChars(text, chars);
            var lookup = _policies.GetAlternateLookup<ReadOnlySpan<char>>();
            return lookup.TryGetValue(chars.AsSpan(0, length), out Policy? known) ? known : Policy.Parse(new string(chars, 0, length));
        }
        finally { System.Buffers.ArrayPool<char>.Shared.Return(chars); }
    }

    private EngineStatus VerifyNow(in Pending p)
    {
        // Verifiers are not thread-safe: each call takes one from the pool (they share the key's prepared lines).
        RingVerifier verifier = _verifiers.Get();
        if (!ReferenceEquals(verifier.PublicKey, p.Key)) verifier = new RingVerifier(p.Key);
        try { return verifier.Verify(p.Ring, p.Policy, p.Message, p.Signature); }
        finally { _verifiers.Return(verifier); }
    }

    /// <summary>Verifiers for the current ring key; one for an older key is dropped on return, never reused.</summary>
    private sealed class VerifierPolicy(SourceCsp owner) : PooledObjectPolicy<RingVerifier>
    {
        public override RingVerifier Create() => new(owner._ringKey);

        public override bool Return(RingVerifier verifier)
        {
            verifier.Clear();
            return ReferenceEquals(verifier.PublicKey, owner._ringKey);
        }
    }

    private (EngineStatus, RevocationMessageType, string?) Finish(in Pending p, EngineStatus verified, IBufferWriter<byte> response)
    {
        if (verified != EngineStatus.Ok) return Refuse(verified, "the ring signature does not verify");
        if (_policies.Count < PolicyCacheSize) _policies.TryAdd(p.Policy.Text, p.Policy);
        WireWriter answer = RevocationWire.RentWriter().Int32(0);                  // version ‖ length (4) ‖ token, the length set below
        AccessToken.Issue(_tokenKey, Name, p.Request.Audience, p.Request.Resource, p.Ring.Id, p.Ring.Epoch, Options.Time, Options.TokenLifetime, answer);
        answer.PatchInt32(1, answer.WrittenSpan.Length - 5);
        return Answer(RevocationMessageType.Authenticate, answer, response);
    }
}
