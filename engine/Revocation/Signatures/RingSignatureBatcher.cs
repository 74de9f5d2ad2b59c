using Engine.Primitives.Batching;
using Engine.Revocation.Policies;
using Microsoft.Extensions.ObjectPool;

namespace Engine.Revocation.Signatures;

/// <summary>
/// Gathers the ring-signature verifications of concurrent requests at the source CSP and checks them with
/// <see cref="RingVerifier.VerifyAll"/>: one pairing product per batch (the key's prepared pairs shared by every
/// signature), bisection when it fails, so each caller gets exactly the single-signature answer. Flushes at MaxBatch
/// signatures or after MaxDelay; each worker keeps a verifier per key. Requests are pooled.
/// </summary>
/// <remarks>The caller's message must not change until its task completes. Continuations run on the worker thread. Thread-safe.</remarks>
public sealed class RingSignatureBatcher : IBatchKernel<RingSignatureBatcher.Request, RingSignatureBatcher.Scratch>, IDisposable
{
    private readonly ModExpBatchOptions _options;
    private readonly ObjectPool<Request> _pool;
    private readonly BatchScheduler<Request, Scratch> _scheduler;

    /// <summary>
    /// A batcher with the given flush policy (default 32 signatures or 2 ms); its batches run on <paramref name="pool"/>,
    /// or on threads of its own (one per core) when null.
    /// </summary>
    public RingSignatureBatcher(ModExpBatchOptions? options = null, BatchWorkerPool? pool = null)
    {
        _options = options ?? new ModExpBatchOptions { MaxBatch = 32, MaxDelay = TimeSpan.FromMilliseconds(2) };
        _scheduler = new BatchScheduler<Request, Scratch>("ring-signature", this, _options, _ => 1, pool);
        _pool = RequestPool.Create(() => new Request(this), RequestPool.RetainedFor(_options));
    }

    /// <summary>(batches, signatures) verified so far.</summary>
    public (long Batches, long Items) Counts => (_scheduler.Batches, _scheduler.Items);

    /// <summary>Queues one verification.</summary>
    /// <exception cref="ObjectDisposedException">The batcher was disposed.</exception>
    public ValueTask<EngineStatus> VerifyAsync(RingPublicKey key, Ring ring, Policy policy, ReadOnlyMemory<byte> message, RingSignature signature)
    {
        Request request = _pool.Get();
        request.Prepare(key, ring, policy, message, signature);
        if (!_scheduler.TryEnqueue(request))
        {
            _pool.Return(request);
            throw new ObjectDisposedException(nameof(RingSignatureBatcher));
        }
        return request.Task;
    }

    /// <summary>Verifies what is queued, then leaves the pool.</summary>
    public void Dispose() => _scheduler.Dispose();

    Scratch IBatchKernel<Request, Scratch>.CreateScratch() => new(_options.MaxBatch);

    void IBatchKernel<Request, Scratch>.Compute(List<Request> taken, Scratch scratch)
    {
        // One VerifyAll per run of requests under one key (keys change only when the authority's key does).
        int done = 0;
        while (done < taken.Count)
        {
            RingPublicKey key = taken[done].Key!;
            if (!scratch.Verifiers.TryGetValue(key, out RingVerifier? verifier))
            {
                if (scratch.Verifiers.Count >= 16) scratch.Verifiers.Clear();
                scratch.Verifiers[key] = verifier = new RingVerifier(key);
            }
            int end = done, count = 0;
            for (; end < taken.Count && ReferenceEquals(taken[end].Key, key); end++)
            {
                Request r = taken[end];
                r.Outcome = verifier.Add(r.Ring!, r.Policy!, r.Message, r.Signature!);
                if (r.Outcome == EngineStatus.Ok) scratch.Queued[count++] = end;
            }
            verifier.VerifyAll(scratch.Results);
            for (int q = 0; q < count; q++) taken[scratch.Queued[q]].Outcome = scratch.Results[q];
            done = end;
        }
    }

    void IBatchKernel<Request, Scratch>.Complete(List<Request> taken, Scratch scratch)
    {
        foreach (Request request in taken) request.Complete();
    }

    internal sealed class Scratch(int maxBatch)
    {
        public EngineStatus[] Results { get; } = new EngineStatus[maxBatch];
        public int[] Queued { get; } = new int[maxBatch];
        public Dictionary<RingPublicKey, RingVerifier> Verifiers { get; } = new(ReferenceEqualityComparer.Instance);
    }

    internal sealed class Request(RingSignatureBatcher owner) : PooledCompletion<EngineStatus>, IResettable
    {
        public RingPublicKey? Key { get; private set; }
        public Ring? Ring { get; private set; }
        public Policy? Policy { get; private set; }
        public ReadOnlyMemory<byte> Message { get; private set; }
        public RingSignature? Signature { get; private set; }
        public EngineStatus Outcome { get; set; }

        public void Prepare(RingPublicKey key, Ring ring, Policy policy, ReadOnlyMemory<byte> message, RingSignature signature)
            => (Key, Ring, Policy, Message, Signature) = (key, ring, policy, message, signature);

        public void Complete()
        {
            (Key, Ring, Policy, Message, Signature) = (null, null, null, default, null);
            SetResult(Outcome);
        }

        public bool TryReset()
        {
            (Key, Ring, Policy, Message, Signature, Outcome) = (null, null, null, default, null, default);
            return true;
        }

        protected override void ReturnToPool() => owner._pool.Return(this);
    }
}
