using System.Collections.Concurrent;
using Engine.BigInt;
using Engine.IotAuth.Auth;
using Engine.IotAuth.Roles;
using Engine.IotAuth.Storage;
using Engine.IotAuth.Tags;
using Engine.Primitives.Encryption;
using Engine.Onion.Keys;
using Engine.Onion.Roles;
using Engine.Primitives.Batching;
using Engine.Primitives.Groups;
using Engine.Primitives.Schnorr;
using Engine.TwoServer;
using Engine.TwoServer.Roles;
using Engine.TwoServer.Storage;

namespace Engine.Hosting;

/// <summary>Options of an <see cref="EngineHost"/>.</summary>
public sealed record EngineHostOptions
{
    /// <summary>
    /// Flush policy of the modexp schedulers, and the size of the host's one worker pool (<see cref="ModExpBatchOptions.Workers"/>,
    /// default one per processor), on which every scheduler's batches run. The other policies' Workers are not used.
    /// </summary>
    public ModExpBatchOptions Batching { get; init; } = new();

    /// <summary>Flush policy of the signature batchers (Protocol 2's upload checks): 16 signatures or 0.5 ms.</summary>
    public ModExpBatchOptions SignatureBatching { get; init; } = new() { MaxBatch = 16, MaxDelay = TimeSpan.FromMilliseconds(0.5) };

    /// <summary>
    /// True checks Protocol 2's upload signatures in batches. Off by default: on BLS12-381 G1 a batch of 16 saves only
    /// 15–25 % per signature, and over loopback with 300 users the uploads of a round took 1.1 s batched against
    /// 0.85 s one by one (2026-11-29, two runs each: the waiting costs more than the batch saves at this concurrency).
    /// </summary>
    public bool BatchSignatures { get; init; }

    /// <summary>Flush policy of the operation centre's proof batches (Protocol 3): 64 proofs or 2 ms.</summary>
    public ModExpBatchOptions ProofBatching { get; init; } = new() { MaxBatch = 64, MaxDelay = TimeSpan.FromMilliseconds(2) };

    /// <summary>Flush policy of the source CSP's ring-signature batches (Protocol 4): 32 signatures or 2 ms.</summary>
    public ModExpBatchOptions RingSignatureBatching { get; init; } = new() { MaxBatch = 32, MaxDelay = TimeSpan.FromMilliseconds(2) };

    /// <summary>False runs every role unbatched (each exponentiation at once): for comparisons and debugging.</summary>
    public bool EnableBatching { get; init; } = true;
}

/// <summary>
/// What a server process creates once (DESIGN.md "pipelined host API"): the batch schedulers (modexp lanes per
/// modulus, Protocol 2's signature batches, Protocol 3's proof batches, Protocol 4's ring-signature batches), shared
/// by every role the host creates, so the exponentiations of concurrent requests (link setups at a relay, ACKs) fill
/// the batched modexp lanes together; and one <see cref="BatchWorkerPool"/> on which every scheduler's batches run,
/// so concurrent requests of different protocols take turns on the same cores. Roles made here expose both the
/// synchronous span API and the asynchronous one whose expensive steps are queued.
/// </summary>
/// <remarks>Thread-safe. Dispose stops the schedulers after computing what is queued.</remarks>
public sealed class EngineHost : IDisposable
{
    private readonly ConcurrentDictionary<MontgomeryContext, ModExpBatcher> _batchers = new(ReferenceEqualityComparer.Instance);
    private readonly ConcurrentDictionary<PrimeOrderGroup, SignatureBatcher> _signatureBatchers = new(ReferenceEqualityComparer.Instance);
    private readonly object _proofGate = new();
    private ProofBatcher? _proofBatcher;
    private Engine.Revocation.Signatures.RingSignatureBatcher? _ringBatcher;
    private bool _disposed;

    /// <summary>A host with the given options (defaults: batching on, 16 items or 2 ms, one worker per processor).</summary>
    public EngineHost(EngineHostOptions? options = null)
    {
        Options = options ?? new EngineHostOptions();
        Options.Batching.Validate();
        Options.SignatureBatching.Validate();
        Options.ProofBatching.Validate();
        Options.RingSignatureBatching.Validate();
        Pool = new BatchWorkerPool(Options.Batching.Workers, "engine-host");
    }

    /// <summary>The one worker pool computing every scheduler's batches.</summary>
    public BatchWorkerPool Pool { get; }

    /// <summary>The options.</summary>
    public EngineHostOptions Options { get; }

    /// <summary>
    /// The batch scheduler for a group's exponentiations, or null when the group has no batched path (BLS12-381 G1
    /// is computed at once) or batching is off.
    /// </summary>
    public ModExpBatcher? BatcherFor(PrimeOrderGroup group)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!Options.EnableBatching || group is not SchnorrPrimeOrderGroup schnorr) return null;
        return _batchers.GetOrAdd(schnorr.Group.P, p => new ModExpBatcher(p, Options.Batching, maxItemsPerRequest: 2, Pool));
    }

    /// <summary>An onion relay or destination whose setups and ACKs go through this host's scheduler.</summary>
    public OnionNode CreateOnionNode(CertificatelessPrivateKey key, int maxLinks = 100_000)
        => new(key, maxLinks) { Batcher = BatcherFor(key.PublicKey.Parameters.Group) };

    /// <summary>The batch scheduler for Schnorr verifications in <paramref name="group"/>, or null unless <see cref="EngineHostOptions.BatchSignatures"/> is on.</summary>
    public SignatureBatcher? SignatureBatcherFor(PrimeOrderGroup group)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return Options.EnableBatching && Options.BatchSignatures ? _signatureBatchers.GetOrAdd(group, g => new SignatureBatcher(g, Options.SignatureBatching, Pool)) : null;
    }

    /// <summary>Server <paramref name="serverIndex"/> of Protocol 2; its upload signatures are checked in batches when <see cref="EngineHostOptions.BatchSignatures"/> is on.</summary>
    public TwoServerNode CreateTwoServerNode(int serverIndex, SchnorrSigningKey key, ReadOnlySpan<byte> peerPublicKey, TwoServerParameters parameters,
                                             ITwoServerStore? store = null)
        => new(serverIndex, key, peerPublicKey, parameters, store) { Verifier = SignatureBatcherFor(key.Group) };

    /// <summary>The batch scheduler for Protocol 3 proof verifications (created on first use), or null when batching is off.</summary>
    public ProofBatcher? ProofBatcher
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!Options.EnableBatching) return null;
            lock (_proofGate) return _proofBatcher ??= new ProofBatcher(Options.ProofBatching, Pool);
        }
    }

    /// <summary>An operation centre whose proof verifications go through this host's <see cref="ProofBatcher"/>.</summary>
    public OperationCenter CreateOperationCenter(OperationCenterOptions options, SchnorrSigningKey signingKey, HashedElGamalKey encryptionKey, TagKey tagKey,
                                                 ReadOnlySpan<byte> enrolmentKey, ReadOnlySpan<byte> adminKey, IIotConnection cloud, ReadOnlySpan<byte> cloudSigningKey,
                                                 IOperationCenterStore? store = null, TimeProvider? timeProvider = null, IOperationCenterSharedState? sharedState = null)
        => new(options, signingKey, encryptionKey, tagKey, enrolmentKey, adminKey, cloud, cloudSigningKey, store, timeProvider) { Batcher = ProofBatcher, SharedState = sharedState };

    /// <summary>The batch scheduler for Protocol 4 ring-signature verifications (created on first use), or null when batching is off.</summary>
    public Engine.Revocation.Signatures.RingSignatureBatcher? RingSignatureBatcher
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!Options.EnableBatching) return null;
            lock (_proofGate) return _ringBatcher ??= new Engine.Revocation.Signatures.RingSignatureBatcher(Options.RingSignatureBatching, Pool);
        }
    }

    /// <summary>A source CSP whose ring-signature verifications go through this host's <see cref="RingSignatureBatcher"/>.</summary>
    public Engine.Revocation.Roles.SourceCsp CreateSourceCsp(string name, SchnorrSigningKey tokenKey, Engine.Revocation.Signatures.RingPublicKey ringKey,
                                                             Engine.Revocation.Signatures.Ring ring, Engine.Revocation.Roles.SourceCspOptions? options = null)
        => new(name, tokenKey, ringKey, ring, options) { Batcher = RingSignatureBatcher };

    /// <summary>
    /// An accepting CSP whose update job runs on as many workers as the host's batch schedulers (each row update is
    /// one pairing of its own: there is nothing to combine, so the job is spread over the cores instead).
    /// </summary>
    public Engine.Revocation.Roles.AcceptingCsp CreateAcceptingCsp(string name, ReadOnlySpan<byte> adminPublicKey, IReadOnlyDictionary<string, byte[]> tokenIssuers,
                                                                   IEnumerable<Engine.Revocation.Abe.AuthorityPublicKey> authorities, Engine.Revocation.Storage.ICiphertextStore store,
                                                                   Engine.Revocation.Roles.AcceptingCspOptions? options = null)
        => new(name, adminPublicKey, tokenIssuers, authorities, store, (options ?? new()) with { UpdateWorkers = Options.Batching.Workers });

    /// <summary>Signature batches and signatures checked so far.</summary>
    public (long Batches, long Items) SignatureBatchCounts => (_signatureBatchers.Values.Sum(b => b.Batches), _signatureBatchers.Values.Sum(b => b.Items));

    /// <summary>Batches and items computed so far, over every scheduler.</summary>
    public (long Batches, long Items) BatchCounts => (_batchers.Values.Sum(b => b.Batches), _batchers.Values.Sum(b => b.Items));

    /// <summary>Computes what is queued, stops the schedulers, then the worker pool.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (ModExpBatcher b in _batchers.Values) b.Dispose();
        foreach (SignatureBatcher b in _signatureBatchers.Values) b.Dispose();
        lock (_proofGate)
        {
            _proofBatcher?.Dispose();
            _ringBatcher?.Dispose();
        }
        Pool.Dispose();
    }
}
