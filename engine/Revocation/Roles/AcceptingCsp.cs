using System.Buffers;
using Engine.Primitives.Replay;
using Engine.Primitives.Wire;
using Engine.Revocation.Abe;
using Engine.Revocation.Access;
using Engine.Revocation.Policies;
using Engine.Revocation.Storage;
using Engine.Revocation.Wire;
using static Engine.Revocation.Roles.RoleReplies;

namespace Engine.Revocation.Roles;

/// <summary>Bounds and clock of an <see cref="AcceptingCsp"/>.</summary>
public sealed record AcceptingCspOptions
{
    /// <summary>Largest plaintext a <see cref="RevocationMessageType.Store"/> may carry (the frame bounds it too).</summary>
    public int MaxPlaintextBytes { get; init; } = 4 << 20;

    /// <summary>Ring id stored ciphertexts are served under.</summary>
    public string RingId { get; init; } = "ring-1";

    /// <summary>Request nonces remembered.</summary>
    public int ReplayCapacity { get; init; } = 1 << 16;

    /// <summary>Workers of the update job.</summary>
    public int UpdateWorkers { get; init; }

    /// <summary>The clock.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;
}

/// <summary>
/// The accepting CSP (SPEC §4.2, 4.4, 4.6): encrypts what the data owner (its admin) stores under a policy, serves a
/// ciphertext to whoever presents a valid access token from a trusted source CSP, and on revocation runs the
/// <see cref="CiphertextUpdateJob"/> over its store with the authorities' update keys, without decrypting anything.
/// Thread-safe.
/// </summary>
public sealed class AcceptingCsp : IRevocationRole
{
    private readonly byte[] _adminKey;
    private readonly IReadOnlyDictionary<string, byte[]> _tokenIssuers;
    private readonly ReplayCache _replays;
    private readonly object _keysGate = new(), _jobGate = new();
    // One sync at a time: its update keys, its job and its Synced marks belong together (a second sync's marks
    // written while the first job runs would claim updates not yet applied).
    private readonly SemaphoreSlim _syncGate = new(1, 1);
    private Dictionary<string, AuthorityPublicKey> _authorities;

    /// <summary>An accepting CSP.</summary>
    /// <param name="name">The audience tokens must name.</param>
    /// <param name="adminPublicKey">The data owner's Schnorr key (signs Store and Sync).</param>
    /// <param name="tokenIssuers">Trusted source CSPs: name → token public key.</param>
    /// <param name="authorities">The encryption authorities' public keys.</param>
    /// <param name="store">Where ciphertexts live.</param>
    /// <param name="options">Bounds and clock.</param>
    public AcceptingCsp(string name, ReadOnlySpan<byte> adminPublicKey, IReadOnlyDictionary<string, byte[]> tokenIssuers,
                        IEnumerable<AuthorityPublicKey> authorities, ICiphertextStore store, AcceptingCspOptions? options = null)
    {
        Name = name;
        _adminKey = adminPublicKey.ToArray();
        _tokenIssuers = tokenIssuers;
        _authorities = authorities.ToDictionary(a => a.Name, StringComparer.Ordinal);
        Store = store;
        Options = options ?? new AcceptingCspOptions();
        _replays = new ReplayCache(Options.ReplayCapacity, Options.Time);
    }

    /// <summary>The CSP's name.</summary>
    public string Name { get; }

    /// <summary>The ciphertexts.</summary>
    public ICiphertextStore Store { get; }

    /// <summary>Bounds and clock.</summary>
    public AcceptingCspOptions Options { get; }

    /// <summary>Where <see cref="RevocationMessageType.Sync"/> gets update keys (the server wires it to the authorities).</summary>
    public Func<CancellationToken, Task<IReadOnlyList<CiphertextUpdateKey>>>? UpdateSource { get; set; }

    /// <summary>Raised after a sync's update job committed every ciphertext (the server records how far it got).</summary>
    public event Action? Synced;

    /// <summary>Progress of a running update job: (done, total).</summary>
    public event Action<int, int>? UpdateProgress;

    /// <summary>Replaces an authority's public key (a revocation published new attribute versions).</summary>
    public void UpdateAuthority(AuthorityPublicKey key)
    {
        lock (_keysGate) _authorities = new Dictionary<string, AuthorityPublicKey>(_authorities, StringComparer.Ordinal) { [key.Name] = key };
    }

    // This process's name among the workers sharing an update job on one database.
    private readonly string _workerId = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}";

    /// <summary>Applies update keys to every stored ciphertext (the job; one at a time).</summary>
    public UpdateJobReport ApplyUpdates(IReadOnlyList<CiphertextUpdateKey> keys, CancellationToken cancellationToken = default)
    {
        lock (_jobGate)
        {
            // A store that can be shared (SQL) splits the job with any other accepting CSP on the same database.
            if (Store is ISharedCiphertextStore shared)
                return CiphertextUpdateJob.RunShared(shared, keys, _workerId, Options.UpdateWorkers, progress: (d, t) => UpdateProgress?.Invoke(d, t), cancellationToken: cancellationToken);
            return CiphertextUpdateJob.Run(Store, keys, Options.UpdateWorkers, (d, t) => UpdateProgress?.Invoke(d, t), cancellationToken);
        }
    }

    /// <inheritdoc/>
    public async ValueTask<(EngineStatus Status, RevocationMessageType Type)> ProcessAsync(RevocationMessageType type, ReadOnlyMemory<byte> request, IBufferWriter<byte> response,
                                                                                        CancellationToken cancellationToken = default)
    {
        if (type != RevocationMessageType.Sync) return Process(type, request.Span, response);
        (EngineStatus, RevocationMessageType, string?) reply;
        try { reply = await SyncAsync(type, request, response, cancellationToken).ConfigureAwait(false); }
        catch (EngineException e) { reply = Refuse(e.Status, e.Message); }
        return Complete(reply, response);
    }

    /// <inheritdoc/>
    /// <remarks>A <see cref="RevocationMessageType.Sync"/> through this call blocks until the update job is done.</remarks>
    public (EngineStatus Status, RevocationMessageType Type) Process(RevocationMessageType type, ReadOnlySpan<byte> request, IBufferWriter<byte> response)
    {
        (EngineStatus, RevocationMessageType, string?) reply;
        try
        {
            reply = type switch
            {
                RevocationMessageType.Store => StoreCiphertext(type, request, response),
                RevocationMessageType.Fetch => Fetch(type, request, response),
                RevocationMessageType.Sync => SyncAsync(type, request.ToArray(), response, CancellationToken.None).GetAwaiter().GetResult(),
                _ => Refuse(EngineStatus.UnknownMessageType, "an accepting CSP does not answer this message type"),
            };
        }
        catch (PolicyException e) { reply = Refuse(EngineStatus.Malformed, e.Message); }
        catch (EngineException e) { reply = Refuse(e.Status, e.Message); }
        return Complete(reply, response);
    }

    private (EngineStatus, RevocationMessageType, string?) StoreCiphertext(RevocationMessageType type, ReadOnlySpan<byte> request, IBufferWriter<byte> response)
    {
        EngineStatus status = RevocationWire.Verify(request, _adminKey, _replays, Options.Time, out ReadOnlySpan<byte> body);
        if (status != EngineStatus.Ok) return Refuse(status, "the store request is not signed by the data owner, stale or replayed");
        WireReader r = RevocationWire.Reader(body);
        string resource = r.Name();
        ReadOnlySpan<byte> policyText = r.Blob(16 * 1024), plaintext = r.Blob(Options.MaxPlaintextBytes);
        if (!r.AtEndOk) return Refuse(EngineStatus.Malformed, "malformed store request");
        if (System.Text.Encoding.UTF8.GetByteCount(resource) > 100) return Refuse(EngineStatus.Malformed, "resource names have at most 100 bytes");
        Policy policy = Policy.Parse(System.Text.Encoding.UTF8.GetString(policyText));
        Dictionary<string, AuthorityPublicKey> authorities;
        lock (_keysGate) authorities = _authorities;
        using var output = new MemoryStream(plaintext.Length + policy.Attributes.Count * AbeCiphertextHeader.RowSize + 1024);
        AbeCiphertextHeader header = AbeEncryptor.Encrypt(policy, authorities, Options.RingId, 0, new MemoryStream(plaintext.ToArray(), writable: false), output);
        Store.Put(resource, output.ToArray());
        return Answer(type, RevocationWire.RentWriter().Fixed(header.Id), response);
    }

    private (EngineStatus, RevocationMessageType, string?) Fetch(RevocationMessageType type, ReadOnlySpan<byte> request, IBufferWriter<byte> response)
    {
        WireReader r = RevocationWire.Reader(request);
        ReadOnlySpan<byte> token = r.Blob(2048);
        if (!r.AtEndOk) return Refuse(EngineStatus.Malformed, "malformed fetch request");
        string? issuer = AccessTokenIssuer.Peek(token);
        if (issuer is null || !_tokenIssuers.TryGetValue(issuer, out byte[]? issuerKey)) return Refuse(EngineStatus.VerificationFailed, "the token's issuer is not trusted here");
        EngineStatus status = AccessToken.Verify(token, issuerKey, Name, Options.Time, out AccessToken? accepted);
        if (status != EngineStatus.Ok) return Refuse(status, "the access token is invalid, expired or for another CSP");
        byte[]? ciphertext = Store.Get(accepted!.Resource);
        if (ciphertext is null) return Refuse(EngineStatus.NotFound, $"no resource {accepted.Resource}");
        // version ‖ length (4) ‖ ciphertext, written straight into the response (ciphertexts run to megabytes).
        Span<byte> head = response.GetSpan(5);
        head[0] = RevocationParameters.Version;
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(head[1..], ciphertext.Length);
        response.Advance(5);
        response.Write(ciphertext);
        return Answered(type);
    }

    private async Task<(EngineStatus, RevocationMessageType, string?)> SyncAsync(RevocationMessageType type, ReadOnlyMemory<byte> request, IBufferWriter<byte> response, CancellationToken cancellationToken)
    {
        EngineStatus status = RevocationWire.Verify(request.Span, _adminKey, _replays, Options.Time, out _);
        if (status != EngineStatus.Ok) return Refuse(status, "the sync request is not signed by the data owner, stale or replayed");
        if (UpdateSource is null) return Refuse(EngineStatus.NotFound, "this CSP has no authority to sync with");
        UpdateJobReport report;
        await _syncGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            IReadOnlyList<CiphertextUpdateKey> keys = await UpdateSource(cancellationToken).ConfigureAwait(false);
            report = await Task.Run(() => ApplyUpdates(keys, cancellationToken), cancellationToken).ConfigureAwait(false);
            Synced?.Invoke();
        }
        finally { _syncGate.Release(); }
        return Answer(type, RevocationWire.RentWriter().Int32(report.Rows).Int32(report.Ciphertexts), response);
    }
}
