using Engine.BigInt;
using Microsoft.Extensions.ObjectPool;

namespace Engine.Primitives.Batching;

/// <summary>
/// Gathers the exponentiations of many concurrent callers under one modulus and computes them together with
/// <see cref="BatchModExp.Pow"/> (eight lanes with AVX-512F): a batch is flushed when <see cref="ModExpBatchOptions.MaxBatch"/>
/// items wait or when the oldest has waited <see cref="ModExpBatchOptions.MaxDelay"/>. Requests and completions are
/// pooled, so a call allocates nothing in steady state.
/// </summary>
/// <remarks>
/// Exponents are secret (constant-time lanes, 256-bit bound). The awaiting code resumes on the worker thread that
/// computed its batch: keep continuations short or hop to the thread pool. Thread-safe.
/// </remarks>
public sealed class ModExpBatcher : IBatchKernel<PowRequest, ModExpBatcher.Scratch>, IDisposable
{
    /// <summary>Limbs per exponent: scalars of the prime-order groups, below 2^256.</summary>
    public const int ExponentLimbs = 4;

    private const int ExponentBits = 256;

    private readonly ObjectPool<PowRequest> _pool;
    private readonly BatchScheduler<PowRequest, Scratch> _scheduler;

    /// <summary>
    /// A batcher for <paramref name="context"/>; <paramref name="maxItemsPerRequest"/> bounds one call. Its batches run on
    /// <paramref name="pool"/> (a host's), or on threads of its own when null.
    /// </summary>
    public ModExpBatcher(MontgomeryContext context, ModExpBatchOptions? options = null, int maxItemsPerRequest = 4, BatchWorkerPool? pool = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxItemsPerRequest, 1);
        Context = context;
        MaxItemsPerRequest = maxItemsPerRequest;
        Options = options ?? new ModExpBatchOptions();
        _scheduler = new BatchScheduler<PowRequest, Scratch>($"modexp/{context.BitLength}", this, Options, r => r.Count, pool);
        _pool = RequestPool.Create(() => new PowRequest(this, Context.LimbCount, MaxItemsPerRequest), RequestPool.RetainedFor(Options, maxItemsPerRequest));
    }

    /// <summary>The modulus every request uses.</summary>
    public MontgomeryContext Context { get; }

    /// <summary>Largest number of exponentiations in one <see cref="PowAsync"/> call.</summary>
    public int MaxItemsPerRequest { get; }

    /// <summary>The flush policy.</summary>
    public ModExpBatchOptions Options { get; }

    /// <summary>The pool computing the batches.</summary>
    public BatchWorkerPool Pool => _scheduler.Pool;

    /// <summary>Batches computed so far.</summary>
    public long Batches => _scheduler.Batches;

    /// <summary>Exponentiations computed so far.</summary>
    public long Items => _scheduler.Items;

    /// <summary>
    /// Queues results[k] = bases[k]^exponents[k] mod m (normal form, bases reduced, exponents below 2^256) and
    /// returns a task that completes when its batch is done. The inputs are copied before this returns; the results
    /// are written just before the task completes.
    /// </summary>
    /// <exception cref="ArgumentException">Lengths disagree, more than <see cref="MaxItemsPerRequest"/> items, or a base is not reduced.</exception>
    /// <exception cref="ObjectDisposedException">The batcher was disposed.</exception>
    public ValueTask PowAsync(ReadOnlySpan<ulong> bases, ReadOnlySpan<ulong> exponents, Memory<ulong> results)
    {
        int n = Context.LimbCount, count = bases.Length / n;
        if (count < 1 || count > MaxItemsPerRequest || bases.Length != count * n || exponents.Length != count * ExponentLimbs || results.Length != count * n)
            throw new ArgumentException($"Expected 1 to {MaxItemsPerRequest} items: count × {n} base and result limbs, count × {ExponentLimbs} exponent limbs.");
        for (int k = 0; k < count; k++)
            if (Limbs.CompareVarTime(bases.Slice(k * n, n), Context.Modulus) >= 0) throw new ArgumentException("Every base must be reduced (< m).", nameof(bases));

        PowRequest request = _pool.Get();
        request.Prepare(bases, exponents, count, results);
        if (!_scheduler.TryEnqueue(request))
        {
            request.Complete(null);
            request.GetResult(request.Version);
            throw new ObjectDisposedException(nameof(ModExpBatcher));
        }
        return new ValueTask(request, request.Version);
    }

    internal void Return(PowRequest request) => _pool.Return(request);

    /// <summary>Computes what is queued, then leaves the pool.</summary>
    public void Dispose() => _scheduler.Dispose();

    Scratch IBatchKernel<PowRequest, Scratch>.CreateScratch() => new(Context.LimbCount, Options.MaxBatch + MaxItemsPerRequest);

    void IBatchKernel<PowRequest, Scratch>.Compute(List<PowRequest> batch, Scratch scratch)
    {
        int n = Context.LimbCount, items = 0;
        foreach (PowRequest r in batch)
        {
            r.Bases.AsSpan(0, r.Count * n).CopyTo(scratch.Bases.AsSpan(items * n));
            r.Exponents.AsSpan(0, r.Count * ExponentLimbs).CopyTo(scratch.Exponents.AsSpan(items * ExponentLimbs));
            items += r.Count;
        }
        scratch.Error = null;
        try
        {
            BatchModExp.Pow(Context, scratch.Bases.AsSpan(0, items * n), scratch.Exponents.AsSpan(0, items * ExponentLimbs), ExponentLimbs, ExponentBits,
                            scratch.Results.AsSpan(0, items * n));
        }
        catch (Exception e) { scratch.Error = e; }
    }

    void IBatchKernel<PowRequest, Scratch>.Complete(List<PowRequest> batch, Scratch scratch)
    {
        int n = Context.LimbCount, offset = 0;
        foreach (PowRequest r in batch)
        {
            if (scratch.Error is null) scratch.Results.AsSpan(offset * n, r.Count * n).CopyTo(r.Results.Span);
            offset += r.Count;
            r.Complete(scratch.Error);                              // runs the caller's continuation here
        }
        scratch.Clear();
    }

    /// <summary>A worker's staging buffers for one batch (exponents are secret: cleared after every batch).</summary>
    internal sealed class Scratch
    {
        internal Scratch(int limbs, int capacity)
            => (Bases, Exponents, Results) = (new ulong[capacity * limbs], new ulong[capacity * ExponentLimbs], new ulong[capacity * limbs]);

        internal ulong[] Bases { get; }
        internal ulong[] Exponents { get; }
        internal ulong[] Results { get; }
        internal Exception? Error { get; set; }

        internal void Clear()
        {
            Array.Clear(Bases);
            Array.Clear(Exponents);
            Array.Clear(Results);
            Error = null;
        }
    }
}
