using System.Diagnostics;

namespace Engine.Primitives.Batching;

/// <summary>What a batcher computes: its workers' scratch state, a batch, and the hand-back of each request's answer.</summary>
/// <typeparam name="TRequest">A queued request (pooled by the batcher).</typeparam>
/// <typeparam name="TScratch">A worker's buffers and verifiers, made at most once per concurrent worker.</typeparam>
internal interface IBatchKernel<TRequest, TScratch>
{
    /// <summary>Makes one worker's scratch state.</summary>
    TScratch CreateScratch();

    /// <summary>Computes <paramref name="batch"/>, keeping each request's outcome in the request or the scratch.</summary>
    void Compute(List<TRequest> batch, TScratch scratch);

    /// <summary>Hands every request of the batch its outcome (continuations run here), then clears the scratch.</summary>
    void Complete(List<TRequest> batch, TScratch scratch);
}

/// <summary>
/// What every batcher shares: a queue under the flush policy of <see cref="ModExpBatchOptions"/>, the
/// <see cref="BatchWorkerPool"/> that computes its batches (the host's, or one of its own with
/// <see cref="ModExpBatchOptions.Workers"/> threads), per-worker scratch state reused from batch to batch, the
/// counters, and the <see cref="BatchMetrics"/> instruments (batch sizes, queue delay). The batcher's
/// <see cref="IBatchKernel{TRequest, TScratch}"/> says what a batch computes.
/// </summary>
internal sealed class BatchScheduler<TRequest, TScratch> : BatchSource, IDisposable where TRequest : class where TScratch : class
{
    private readonly IBatchKernel<TRequest, TScratch> _kernel;
    private readonly Func<TRequest, int> _itemsOf;
    private readonly BatchQueue<TRequest> _queue;
    private readonly BatchWorkerPool _pool;
    private readonly bool _ownsPool;
    private readonly Stack<Batch> _idle = new();
    private readonly double _ticksPerMillisecond = Stopwatch.Frequency / 1000.0;
    private int _running;
    private long _batches, _items, _largest, _computeTicks;

    public BatchScheduler(string name, IBatchKernel<TRequest, TScratch> kernel, ModExpBatchOptions options, Func<TRequest, int> itemsOf, BatchWorkerPool? pool)
        : base(name)
    {
        options.Validate();
        (_kernel, _itemsOf) = (kernel, itemsOf);
        Options = options;
        (_pool, _ownsPool) = pool is null ? (new BatchWorkerPool(options.Workers, name), true) : (pool, false);
        _queue = new BatchQueue<TRequest>(options, itemsOf, _pool.Gate);
        _pool.Attach(this);
    }

    /// <summary>The flush policy (its Workers apply only to a scheduler that has no host pool).</summary>
    public ModExpBatchOptions Options { get; }

    /// <summary>The pool computing this scheduler's batches.</summary>
    public BatchWorkerPool Pool => _pool;

    /// <inheritdoc/>
    public override long Batches => Interlocked.Read(ref _batches);

    /// <inheritdoc/>
    public override long Items => Interlocked.Read(ref _items);

    /// <summary>The largest batch so far.</summary>
    public long LargestBatch => Interlocked.Read(ref _largest);

    /// <summary>CPU spent computing batches, over every worker.</summary>
    public TimeSpan ComputeTime => Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _computeTicks));

    /// <summary>Queues a request; false once disposed (nothing queued).</summary>
    public bool TryEnqueue(TRequest request) => _queue.TryEnqueue(request);

    internal override object? TryTake(long now, ref long nextDue)
    {
        if (_queue.IsEmpty) return null;                             // nothing waits: no batch object to take out
        Batch batch = _idle.Count > 0 ? _idle.Pop() : new Batch(_kernel.CreateScratch());
        long waited = _queue.TryTake(batch.Requests, now, ref nextDue);
        if (waited < 0)
        {
            _idle.Push(batch);
            return null;
        }
        batch.WaitedTicks = waited;
        _running++;
        return batch;
    }

    internal override void Run(object taken)
    {
        var batch = (Batch)taken;
        List<TRequest> requests = batch.Requests;
        try
        {
            long started = Stopwatch.GetTimestamp();
            _kernel.Compute(requests, batch.Scratch);
            // Count first, then complete: continuations run inline here and may read the counters (or take long).
            Interlocked.Add(ref _computeTicks, Stopwatch.GetTimestamp() - started);
            Interlocked.Increment(ref _batches);
            int items = 0;
            foreach (TRequest r in requests) items += _itemsOf(r);
            Interlocked.Add(ref _items, items);
            long largest;
            while (items > (largest = Interlocked.Read(ref _largest)) && Interlocked.CompareExchange(ref _largest, items, largest) != largest) { }
            BatchMetrics.Record(Name, items, batch.WaitedTicks / _ticksPerMillisecond);
            _kernel.Complete(requests, batch.Scratch);
        }
        finally
        {
            // The kernels complete every request themselves (their errors become statuses); whatever happens, the
            // batch goes back and a waiting Dispose is woken.
            requests.Clear();
            lock (_pool.Gate)
            {
                _idle.Push(batch);
                if (--_running == 0 && _queue.Closed) Monitor.PulseAll(_pool.Gate);
            }
        }
    }

    /// <summary>Computes what is queued, then detaches from the pool (and stops the pool if it is this scheduler's own).</summary>
    public void Dispose()
    {
        lock (_pool.Gate)
        {
            if (!_queue.Close()) return;
            // Wait for the drain, unless called from a continuation on a worker (which would wait on itself).
            if (!_pool.IsWorkerThread)
                while (!_queue.IsEmpty || _running > 0) Monitor.Wait(_pool.Gate);
        }
        _pool.Detach(this);
        if (_ownsPool) _pool.Dispose();
    }

    private sealed class Batch(TScratch scratch)
    {
        public List<TRequest> Requests { get; } = [];
        public TScratch Scratch { get; } = scratch;
        public long WaitedTicks { get; set; }
    }
}
