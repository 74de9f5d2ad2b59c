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
public sealed class RingSignatureBatcher : IDisposable
{
    private readonly ModExpBatchOptions _options;
    private readonly BatchQueue<Request> _queue;
    private readonly ObjectPool<Request> _pool;
    private readonly Thread[] _workers;
    private long _batches, _items;

    /// <summary>A batcher with the given flush policy (default 32 signatures or 2 ms, one worker per core).</summary>
    public RingSignatureBatcher(ModExpBatchOptions? options = null)
    {
        _options = options ?? new ModExpBatchOptions { MaxBatch = 32, MaxDelay = TimeSpan.FromMilliseconds(2) };
        _options.Validate();
        _queue = new BatchQueue<Request>(_options, _ => 1);
        _pool = RequestPool.Create(() => new Request(this), RequestPool.RetainedFor(_options));
        _workers = new Thread[_options.Workers];
        for (int i = 0; i < _workers.Length; i++)
        {
            _workers[i] = new Thread(WorkerLoop) { IsBackground = true, Name = $"ring-batch-{i}" };
            _workers[i].Start();
        }
    }

    /// <summary>(batches, signatures) verified so far.</summary>
    public (long Batches, long Items) Counts => (Interlocked.Read(ref _batches), Interlocked.Read(ref _items));

    /// <summary>Queues one verification.</summary>
    /// <exception cref="ObjectDisposedException">The batcher was disposed.</exception>
    public ValueTask<EngineStatus> VerifyAsync(RingPublicKey key, Ring ring, Policy policy, ReadOnlyMemory<byte> message, RingSignature signature)
    {
        Request request = _pool.Get();
        request.Prepare(key, ring, policy, message, signature);
        if (!_queue.TryEnqueue(request))
        {
            _pool.Return(request);
            throw new ObjectDisposedException(nameof(RingSignatureBatcher));
        }
        return request.Task;
    }

    private void WorkerLoop()
    {
        var taken = new List<Request>(_options.MaxBatch);
        var results = new EngineStatus[_options.MaxBatch];
        var queued = new int[_options.MaxBatch];
        var verifiers = new Dictionary<RingPublicKey, RingVerifier>(ReferenceEqualityComparer.Instance);
        while (_queue.TakeBatch(taken))
        {
            // One VerifyAll per run of requests under one key (keys change only when the authority's key does).
            int done = 0;
            while (done < taken.Count)
            {
                RingPublicKey key = taken[done].Key!;
                if (!verifiers.TryGetValue(key, out RingVerifier? verifier))
                {
                    if (verifiers.Count >= 16) verifiers.Clear();
                    verifiers[key] = verifier = new RingVerifier(key);
                }
                int end = done, count = 0;
                for (; end < taken.Count && ReferenceEquals(taken[end].Key, key); end++)
                {
                    Request r = taken[end];
                    r.Outcome = verifier.Add(r.Ring!, r.Policy!, r.Message, r.Signature!);
                    if (r.Outcome == EngineStatus.Ok) queued[count++] = end;
                }
                verifier.VerifyAll(results);
                for (int q = 0; q < count; q++) taken[queued[q]].Outcome = results[q];
                done = end;
            }
            Interlocked.Increment(ref _batches);
            Interlocked.Add(ref _items, taken.Count);
            foreach (Request request in taken) request.Complete();
            taken.Clear();
        }
    }

    /// <summary>Verifies what is queued, then stops the workers.</summary>
    public void Dispose()
    {
        if (!_queue.Close()) return;
        foreach (Thread t in _workers) t.Join();
    }

    private sealed class Request(RingSignatureBatcher owner) : PooledCompletion<EngineStatus>, IResettable
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
