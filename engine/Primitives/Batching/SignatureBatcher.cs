using Engine.Primitives.Groups;
using Engine.Primitives.Schnorr;
using Microsoft.Extensions.ObjectPool;

namespace Engine.Primitives.Batching;

/// <summary>
/// Gathers the Schnorr verifications of concurrent callers and checks them together with
/// <see cref="SchnorrSignature.VerifyBatch"/> (one multi-exponentiation), flushing at
/// <see cref="ModExpBatchOptions.MaxBatch"/> items or after <see cref="ModExpBatchOptions.MaxDelay"/>. A batch that
/// fails is re-checked one signature at a time, so every caller gets exactly <see cref="SchnorrSignature.Verify"/>'s
/// answer. Requests and completions are pooled.
/// </summary>
/// <remarks>The caller's key, message and signature must not change until its task completes. Continuations run on the worker thread. Thread-safe.</remarks>
public sealed class SignatureBatcher : IDisposable
{
    private readonly PrimeOrderGroup _group;
    private readonly ModExpBatchOptions _options;
    private readonly BatchQueue<Request> _queue;
    private readonly ObjectPool<Request> _pool;
    private readonly Thread[] _workers;
    private long _batches, _items;

    /// <summary>A batcher for signatures in <paramref name="group"/>.</summary>
    public SignatureBatcher(PrimeOrderGroup group, ModExpBatchOptions? options = null)
    {
        _group = group;
        _options = options ?? new ModExpBatchOptions { MaxBatch = 64 };
        _options.Validate();
        _queue = new BatchQueue<Request>(_options, _ => 1);
        _pool = RequestPool.Create(() => new Request(this), RequestPool.RetainedFor(_options));
        _workers = new Thread[_options.Workers];
        for (int i = 0; i < _workers.Length; i++)
        {
            _workers[i] = new Thread(WorkerLoop) { IsBackground = true, Name = $"signature-batch-{i}" };
            _workers[i].Start();
        }
    }

    /// <summary>Batches checked so far.</summary>
    public long Batches => Interlocked.Read(ref _batches);

    /// <summary>Signatures checked so far.</summary>
    public long Items => Interlocked.Read(ref _items);

    /// <summary>Queues one verification; the task completes with Ok or <see cref="SchnorrSignature.Verify"/>'s refusal.</summary>
    /// <exception cref="ObjectDisposedException">The batcher was disposed.</exception>
    public ValueTask<EngineStatus> VerifyAsync(ReadOnlyMemory<byte> publicKey, ReadOnlyMemory<byte> message, ReadOnlyMemory<byte> signature)
    {
        Request request = _pool.Get();
        request.Prepare(publicKey, message, signature);
        if (!_queue.TryEnqueue(request))
        {
            _pool.Return(request);
            throw new ObjectDisposedException(nameof(SignatureBatcher));
        }
        return request.Task;
    }

    private void WorkerLoop()
    {
        var taken = new List<Request>(_options.MaxBatch);
        var keys = new List<ReadOnlyMemory<byte>>(_options.MaxBatch);
        var messages = new List<ReadOnlyMemory<byte>>(_options.MaxBatch);
        var signatures = new List<ReadOnlyMemory<byte>>(_options.MaxBatch);
        while (_queue.TakeBatch(taken))
        {
            foreach (Request r in taken) { keys.Add(r.PublicKey); messages.Add(r.Message); signatures.Add(r.Signature); }
            EngineStatus all;
            try { all = SchnorrSignature.VerifyBatch(_group, keys, messages, signatures); }
            catch (ArgumentException) { all = EngineStatus.Malformed; }
            Interlocked.Increment(ref _batches);
            Interlocked.Add(ref _items, taken.Count);
            foreach (Request r in taken)
            {
                // A failed batch names no culprit: check each one alone (rare: only when something is wrong).
                EngineStatus status = all == EngineStatus.Ok ? EngineStatus.Ok : SchnorrSignature.Verify(_group, r.PublicKey.Span, r.Message.Span, r.Signature.Span);
                r.Complete(status);
            }
            taken.Clear(); keys.Clear(); messages.Clear(); signatures.Clear();
        }
    }

    /// <summary>Checks what is queued, then stops the workers.</summary>
    public void Dispose()
    {
        if (!_queue.Close()) return;
        foreach (Thread t in _workers) t.Join();
    }

    private sealed class Request(SignatureBatcher owner) : PooledCompletion<EngineStatus>, IResettable
    {
        public ReadOnlyMemory<byte> PublicKey { get; private set; }
        public ReadOnlyMemory<byte> Message { get; private set; }
        public ReadOnlyMemory<byte> Signature { get; private set; }

        public void Prepare(ReadOnlyMemory<byte> publicKey, ReadOnlyMemory<byte> message, ReadOnlyMemory<byte> signature)
            => (PublicKey, Message, Signature) = (publicKey, message, signature);

        public void Complete(EngineStatus status)
        {
            TryReset();
            SetResult(status);
        }

        public bool TryReset()
        {
            (PublicKey, Message, Signature) = (default, default, default);
            return true;
        }

        protected override void ReturnToPool() => owner._pool.Return(this);
    }
}
