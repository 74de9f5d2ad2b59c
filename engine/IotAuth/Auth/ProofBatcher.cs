using Engine.IotAuth.Tags;
using Engine.Pairing.Groups;
using Engine.Primitives.Batching;
using Microsoft.Extensions.ObjectPool;

namespace Engine.IotAuth.Auth;

/// <summary>The outcome of one verification: the status and, when Ok, the decoded Y_D (for the OC's Y_D^a).</summary>
public readonly record struct VerifiedProof(EngineStatus Status, G1Projective DeviceKey);

/// <summary>
/// Gathers the proof verifications of concurrent devices at the operation centre (SPEC.md §3.4 [beyond]) and checks
/// them with <see cref="ProofVerifier.VerifyAll"/>: one random linear combination per batch, bisection when it fails,
/// so every caller gets exactly the single-proof answer. Flushes at MaxBatch proofs or after MaxDelay. Requests and
/// completions are pooled; each worker keeps its own verifier, so steady-state verification allocates nothing.
/// </summary>
/// <remarks>The caller's CH and proof must not change until its task completes. Continuations run on the worker thread. Thread-safe.</remarks>
public sealed class ProofBatcher : IBatchKernel<ProofBatcher.Request, ProofBatcher.Scratch>, IDisposable
{
    private readonly ModExpBatchOptions _options;
    private readonly ObjectPool<Request> _pool;
    private readonly BatchScheduler<Request, Scratch> _scheduler;

    /// <summary>
    /// A batcher with the given flush policy (default 64 proofs or 2 ms); its batches run on <paramref name="pool"/>, or
    /// on threads of its own (one per core) when null.
    /// </summary>
    public ProofBatcher(ModExpBatchOptions? options = null, BatchWorkerPool? pool = null)
    {
        _options = options ?? new ModExpBatchOptions { MaxBatch = 64 };
        _scheduler = new BatchScheduler<Request, Scratch>("proof", this, _options, _ => 1, pool);
        _pool = RequestPool.Create(() => new Request(this), RequestPool.RetainedFor(_options));
    }

    /// <summary>Batches verified so far.</summary>
    public long Batches => _scheduler.Batches;

    /// <summary>Proofs verified so far.</summary>
    public long Items => _scheduler.Items;

    /// <summary>CPU spent verifying batches (decoding, combinations, bisection), over every worker.</summary>
    public TimeSpan ComputeTime => _scheduler.ComputeTime;

    /// <summary>The largest batch so far.</summary>
    public long LargestBatch => _scheduler.LargestBatch;

    /// <summary>Queues one verification under <paramref name="key"/> (the OC's current tag key).</summary>
    /// <exception cref="ObjectDisposedException">The batcher was disposed.</exception>
    public ValueTask<VerifiedProof> VerifyAsync(TagKey key, ReadOnlyMemory<byte> challengeFields, ReadOnlyMemory<byte> proof)
    {
        Request request = _pool.Get();
        request.Prepare(key, challengeFields, proof);
        if (!_scheduler.TryEnqueue(request))
        {
            _pool.Return(request);
            throw new ObjectDisposedException(nameof(ProofBatcher));
        }
        return request.Task;
    }

    /// <summary>Verifies what is queued, then leaves the pool.</summary>
    public void Dispose() => _scheduler.Dispose();

    Scratch IBatchKernel<Request, Scratch>.CreateScratch() => new(_options.MaxBatch);

    void IBatchKernel<Request, Scratch>.Compute(List<Request> taken, Scratch scratch)
    {
        int done = 0;
        while (done < taken.Count)
        {
            // Proofs queued across an epoch rotation carry different keys: verify each key's run on its own.
            TagKey key = taken[done].Key!;
            if (!ReferenceEquals(key, scratch.VerifierKey))
            {
                scratch.Verifier = ProofVerifier.WithTagKey(key, _options.MaxBatch);
                scratch.VerifierKey = key;
            }
            ProofVerifier verifier = scratch.Verifier!;
            int end = done;
            verifier.Clear();
            while (end < taken.Count && ReferenceEquals(taken[end].Key, key)) { verifier.Add(taken[end].Challenge.Span, taken[end].Proof.Span); end++; }
            try { verifier.VerifyAll(scratch.Results); }
            catch (ObjectDisposedException) { scratch.Results.AsSpan(0, end - done).Fill(EngineStatus.Expired); }   // the epoch's key was retired meanwhile
            for (int i = done; i < end; i++)
            {
                EngineStatus status = scratch.Results[i - done];
                scratch.Outcomes[i] = new VerifiedProof(status, status == EngineStatus.Ok ? verifier.DeviceKey(i - done) : default);
            }
            done = end;
        }
    }

    void IBatchKernel<Request, Scratch>.Complete(List<Request> taken, Scratch scratch)
    {
        for (int i = 0; i < taken.Count; i++) taken[i].Complete(scratch.Outcomes[i]);
        scratch.Outcomes.AsSpan(0, taken.Count).Clear();
    }

    internal sealed class Scratch(int maxBatch)
    {
        public EngineStatus[] Results { get; } = new EngineStatus[maxBatch];
        public VerifiedProof[] Outcomes { get; } = new VerifiedProof[maxBatch];
        public ProofVerifier? Verifier { get; set; }
        public TagKey? VerifierKey { get; set; }
    }

    internal sealed class Request(ProofBatcher owner) : PooledCompletion<VerifiedProof>, IResettable
    {
        public TagKey? Key { get; private set; }
        public ReadOnlyMemory<byte> Challenge { get; private set; }
        public ReadOnlyMemory<byte> Proof { get; private set; }

        public void Prepare(TagKey key, ReadOnlyMemory<byte> challenge, ReadOnlyMemory<byte> proof) => (Key, Challenge, Proof) = (key, challenge, proof);

        public void Complete(VerifiedProof result)
        {
            TryReset();
            SetResult(result);
        }

        public bool TryReset()
        {
            (Key, Challenge, Proof) = (null, default, default);
            return true;
        }

        protected override void ReturnToPool() => owner._pool.Return(this);
    }
}
