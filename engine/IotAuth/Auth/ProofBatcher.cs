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
public sealed class ProofBatcher : IDisposable
{
    private readonly ModExpBatchOptions _options;
    private readonly BatchQueue<Request> _queue;
    private readonly ObjectPool<Request> _pool;
    private readonly Thread[] _workers;
    private long _batches, _items, _largest, _computeTicks;

    /// <summary>A batcher with the given flush policy (default 64 proofs or 2 ms, one worker per core).</summary>
    public ProofBatcher(ModExpBatchOptions? options = null)
    {
        _options = options ?? new ModExpBatchOptions { MaxBatch = 64 };
        _options.Validate();
        _queue = new BatchQueue<Request>(_options, _ => 1);
        _pool = RequestPool.Create(() => new Request(this), RequestPool.RetainedFor(_options));
        _workers = new Thread[_options.Workers];
        for (int i = 0; i < _workers.Length; i++)
        {
            _workers[i] = new Thread(WorkerLoop) { IsBackground = true, Name = $"proof-batch-{i}" };
            _workers[i].Start();
        }
    }

    /// <summary>Batches verified so far.</summary>
    public long Batches => Interlocked.Read(ref _batches);

    /// <summary>Proofs verified so far.</summary>
    public long Items => Interlocked.Read(ref _items);

    /// <summary>CPU spent verifying batches (decoding, combinations, bisection), over every worker.</summary>
    public TimeSpan ComputeTime => System.Diagnostics.Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _computeTicks));

    /// <summary>The largest batch so far.</summary>
    public long LargestBatch => Interlocked.Read(ref _largest);

    /// <summary>Queues one verification under <paramref name="key"/> (the OC's current tag key).</summary>
    /// <exception cref="ObjectDisposedException">The batcher was disposed.</exception>
    public ValueTask<VerifiedProof> VerifyAsync(TagKey key, ReadOnlyMemory<byte> challengeFields, ReadOnlyMemory<byte> proof)
    {
        Request request = _pool.Get();
        request.Prepare(key, challengeFields, proof);
        if (!_queue.TryEnqueue(request))
        {
            _pool.Return(request);
            throw new ObjectDisposedException(nameof(ProofBatcher));
        }
        return request.Task;
    }

    private void WorkerLoop()
    {
        var taken = new List<Request>(_options.MaxBatch);
        var results = new EngineStatus[_options.MaxBatch];
        var outcomes = new VerifiedProof[_options.MaxBatch];
        ProofVerifier? verifier = null;
        TagKey? verifierKey = null;
        while (_queue.TakeBatch(taken))
        {
            long started = System.Diagnostics.Stopwatch.GetTimestamp();
            int done = 0;
            while (done < taken.Count)
            {
                // Proofs queued across an epoch rotation carry different keys: verify each key's run on its own.
                TagKey key = taken[done].Key!;
                if (!ReferenceEquals(key, verifierKey))
                {
                    verifier = ProofVerifier.WithTagKey(key, _options.MaxBatch);
                    verifierKey = key;
                }
                int end = done;
                verifier!.Clear();
                while (end < taken.Count && ReferenceEquals(taken[end].Key, key)) { verifier.Add(taken[end].Challenge.Span, taken[end].Proof.Span); end++; }
                try { verifier.VerifyAll(results); }
                catch (ObjectDisposedException) { results.AsSpan(0, end - done).Fill(EngineStatus.Expired); }   // the epoch's key was retired meanwhile
                for (int i = done; i < end; i++)
                {
                    EngineStatus status = results[i - done];
                    outcomes[i] = new VerifiedProof(status, status == EngineStatus.Ok ? verifier.DeviceKey(i - done) : default);
                }
                done = end;
            }
            // Count first, then complete: continuations run inline here and may read the counters (or take long).
            Interlocked.Add(ref _computeTicks, System.Diagnostics.Stopwatch.GetTimestamp() - started);
            Interlocked.Increment(ref _batches);
            Interlocked.Add(ref _items, taken.Count);
            long largest;
            while (taken.Count > (largest = Interlocked.Read(ref _largest)) && Interlocked.CompareExchange(ref _largest, taken.Count, largest) != largest) { }
            for (int i = 0; i < taken.Count; i++) taken[i].Complete(outcomes[i]);
            outcomes.AsSpan(0, taken.Count).Clear();
            taken.Clear();
        }
    }

    /// <summary>Verifies what is queued, then stops the workers.</summary>
    public void Dispose()
    {
        if (!_queue.Close()) return;
        foreach (Thread t in _workers) t.Join();
    }

    private sealed class Request(ProofBatcher owner) : PooledCompletion<VerifiedProof>, IResettable
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
