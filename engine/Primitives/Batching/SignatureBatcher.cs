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
public sealed class SignatureBatcher : IBatchKernel<SignatureBatcher.Request, SignatureBatcher.Scratch>, IDisposable
{
    private readonly PrimeOrderGroup _group;
    private readonly ObjectPool<Request> _pool;
    private readonly BatchScheduler<Request, Scratch> _scheduler;

    /// <summary>A batcher for signatures in <paramref name="group"/>; its batches run on <paramref name="pool"/>, or on threads of its own when null.</summary>
    public SignatureBatcher(PrimeOrderGroup group, ModExpBatchOptions? options = null, BatchWorkerPool? pool = null)
    {
        _group = group;
        ModExpBatchOptions o = options ?? new ModExpBatchOptions { MaxBatch = 64 };
        _scheduler = new BatchScheduler<Request, Scratch>("signature", this, o, _ => 1, pool);
        _pool = RequestPool.Create(() => new Request(this), RequestPool.RetainedFor(o));
    }

    /// <summary>Batches checked so far.</summary>
    public long Batches => _scheduler.Batches;

    /// <summary>Signatures checked so far.</summary>
    public long Items => _scheduler.Items;

    /// <summary>Queues one verification; the task completes with Ok or <see cref="SchnorrSignature.Verify"/>'s refusal.</summary>
    /// <exception cref="ObjectDisposedException">The batcher was disposed.</exception>
    public ValueTask<EngineStatus> VerifyAsync(ReadOnlyMemory<byte> publicKey, ReadOnlyMemory<byte> message, ReadOnlyMemory<byte> signature)
    {
        Request request = _pool.Get();
        request.Prepare(publicKey, message, signature);
        if (!_scheduler.TryEnqueue(request))
        {
            _pool.Return(request);
            throw new ObjectDisposedException(nameof(SignatureBatcher));
        }
        return request.Task;
    }

    /// <summary>Checks what is queued, then leaves the pool.</summary>
    public void Dispose() => _scheduler.Dispose();

    Scratch IBatchKernel<Request, Scratch>.CreateScratch() => new();

    void IBatchKernel<Request, Scratch>.Compute(List<Request> batch, Scratch scratch)
    {
        foreach (Request r in batch) { scratch.Keys.Add(r.PublicKey); scratch.Messages.Add(r.Message); scratch.Signatures.Add(r.Signature); }
        try { scratch.All = SchnorrSignature.VerifyBatch(_group, scratch.Keys, scratch.Messages, scratch.Signatures); }
        catch (ArgumentException) { scratch.All = EngineStatus.Malformed; }
    }

    void IBatchKernel<Request, Scratch>.Complete(List<Request> batch, Scratch scratch)
    {
        foreach (Request r in batch)
        {
            // A failed batch names no culprit: check each one alone (rare: only when something is wrong).
            EngineStatus status = scratch.All == EngineStatus.Ok ? EngineStatus.Ok : SchnorrSignature.Verify(_group, r.PublicKey.Span, r.Message.Span, r.Signature.Span);
            r.Complete(status);
        }
        scratch.Keys.Clear(); scratch.Messages.Clear(); scratch.Signatures.Clear();
    }

    internal sealed class Scratch
    {
        public List<ReadOnlyMemory<byte>> Keys { get; } = [];
        public List<ReadOnlyMemory<byte>> Messages { get; } = [];
        public List<ReadOnlyMemory<byte>> Signatures { get; } = [];
        public EngineStatus All { get; set; }
    }

    internal sealed class Request(SignatureBatcher owner) : PooledCompletion<EngineStatus>, IResettable
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
