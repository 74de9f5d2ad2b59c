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
public sealed class ModExpBatcher : IDisposable
{
    /// <summary>Limbs per exponent: scalars of the prime-order groups, below 2^256.</summary>
    public const int ExponentLimbs = 4;

    private const int ExponentBits = 256;

    private readonly ModExpBatchOptions _options;
    private readonly BatchQueue<PowRequest> _queue;
    private readonly ObjectPool<PowRequest> _pool;
    private readonly Thread[] _workers;
    private long _batches, _items;

    /// <summary>A batcher for <paramref name="context"/>; <paramref name="maxItemsPerRequest"/> bounds one call.</summary>
    public ModExpBatcher(MontgomeryContext context, ModExpBatchOptions? options = null, int maxItemsPerRequest = 4)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxItemsPerRequest, 1);
        _options = options ?? new ModExpBatchOptions();
        _options.Validate();
        Context = context;
        MaxItemsPerRequest = maxItemsPerRequest;
        _queue = new BatchQueue<PowRequest>(_options, r => r.Count);
        _pool = RequestPool.Create(() => new PowRequest(this, Context.LimbCount, MaxItemsPerRequest), RequestPool.RetainedFor(_options, maxItemsPerRequest));
        _workers = new Thread[_options.Workers];
        for (int i = 0; i < _workers.Length; i++)
        {
            _workers[i] = new Thread(WorkerLoop) { IsBackground = true, Name = $"modexp-batch-{i}" };
            _workers[i].Start();
        }
    }

    /// <summary>The modulus every request uses.</summary>
    public MontgomeryContext Context { get; }

    /// <summary>Largest number of exponentiations in one <see cref="PowAsync"/> call.</summary>
    public int MaxItemsPerRequest { get; }

    /// <summary>The flush policy.</summary>
    public ModExpBatchOptions Options => _options;

    /// <summary>Batches computed so far.</summary>
    public long Batches => Interlocked.Read(ref _batches);

    /// <summary>Exponentiations computed so far.</summary>
    public long Items => Interlocked.Read(ref _items);

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
        if (!_queue.TryEnqueue(request))
        {
            request.Complete(null);
            request.GetResult(request.Version);
            throw new ObjectDisposedException(nameof(ModExpBatcher));
        }
        return new ValueTask(request, request.Version);
    }

    internal void Return(PowRequest request) => _pool.Return(request);

    private void WorkerLoop()
    {
        int n = Context.LimbCount, capacity = _options.MaxBatch + MaxItemsPerRequest;
        var taken = new List<PowRequest>(capacity);
        ulong[] bases = new ulong[capacity * n], exponents = new ulong[capacity * ExponentLimbs], results = new ulong[capacity * n];
        while (_queue.TakeBatch(taken))
        {
            int items = 0;
            foreach (PowRequest r in taken)
            {
                r.Bases.AsSpan(0, r.Count * n).CopyTo(bases.AsSpan(items * n));
                r.Exponents.AsSpan(0, r.Count * ExponentLimbs).CopyTo(exponents.AsSpan(items * ExponentLimbs));
                items += r.Count;
            }
            Exception? error = null;
            try
            {
                BatchModExp.Pow(Context, bases.AsSpan(0, items * n), exponents.AsSpan(0, items * ExponentLimbs), ExponentLimbs, ExponentBits,
                                results.AsSpan(0, items * n));
            }
            catch (Exception e) { error = e; }
            Interlocked.Increment(ref _batches);
            Interlocked.Add(ref _items, items);
            int offset = 0;
            foreach (PowRequest r in taken)
            {
                if (error is null) results.AsSpan(offset * n, r.Count * n).CopyTo(r.Results.Span);
                offset += r.Count;
                r.Complete(error);                                  // runs the caller's continuation here
            }
            taken.Clear();
            Array.Clear(bases);
            Array.Clear(exponents);
            Array.Clear(results);
        }
    }

    /// <summary>Computes what is queued, then stops the workers.</summary>
    public void Dispose()
    {
        if (!_queue.Close()) return;
        foreach (Thread t in _workers) t.Join();
    }
}
