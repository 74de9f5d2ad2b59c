using System.Diagnostics;

namespace Engine.Primitives.Batching;

/// <summary>
/// One set of worker threads that computes the batches of every scheduler attached to it (DESIGN.md "pipelined host
/// API"): an <see cref="Engine.Hosting.EngineHost"/> makes one, so a relay's exponentiations, an OC's proofs and a
/// CSP's ring signatures take turns on the same cores instead of each scheduler running a thread per core of its own.
/// A worker takes the next due batch, visiting the schedulers in turn so none starves another.
/// </summary>
/// <remarks>Thread-safe. Batches run on the pool's threads, and so do the continuations of the requests they complete.</remarks>
public sealed class BatchWorkerPool : IDisposable
{
    [ThreadStatic] private static BatchWorkerPool? _current;

    private readonly List<BatchSource> _sources = [];
    private readonly Thread[] _workers;
    private int _next;
    private bool _closed;

    /// <summary>A pool of <paramref name="workers"/> threads named <paramref name="name"/>-0, -1, ….</summary>
    public BatchWorkerPool(int workers, string name = "batch")
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(workers, 1);
        _workers = new Thread[workers];
        for (int i = 0; i < workers; i++)
        {
            _workers[i] = new Thread(WorkerLoop) { IsBackground = true, Name = $"{name}-{i}" };
            _workers[i].Start();
        }
    }

    /// <summary>The number of worker threads.</summary>
    public int Workers => _workers.Length;

    /// <summary>The lock every attached scheduler's queue is guarded by (one lock: a worker looks at every queue at once).</summary>
    internal object Gate { get; } = new();

    /// <summary>True on one of this pool's worker threads.</summary>
    internal bool IsWorkerThread => ReferenceEquals(_current, this);

    /// <summary>The schedulers attached now, with their batches and items so far.</summary>
    public IReadOnlyList<(string Scheduler, long Batches, long Items)> Schedulers
    {
        get
        {
            lock (Gate) return _sources.Select(s => (s.Name, s.Batches, s.Items)).ToArray();
        }
    }

    internal void Attach(BatchSource source)
    {
        lock (Gate)
        {
            ObjectDisposedException.ThrowIf(_closed, this);
            _sources.Add(source);
        }
    }

    internal void Detach(BatchSource source)
    {
        lock (Gate) _sources.Remove(source);
    }

    private void WorkerLoop()
    {
        _current = this;
        while (true)
        {
            BatchSource? source = null;
            object? batch = null;
            lock (Gate)
            {
                while (source is null)
                {
                    long now = Stopwatch.GetTimestamp(), nextDue = long.MaxValue;
                    for (int k = 0; k < _sources.Count && source is null; k++)
                    {
                        BatchSource candidate = _sources[(_next + k) % _sources.Count];
                        if ((batch = candidate.TryTake(now, ref nextDue)) is not null)
                        {
                            source = candidate;
                            _next = (_next + k + 1) % _sources.Count;
                        }
                    }
                    if (source is not null) break;
                    if (_closed) return;
                    if (nextDue == long.MaxValue) Monitor.Wait(Gate);
                    else Monitor.Wait(Gate, TimeSpan.FromSeconds(Math.Max(nextDue - now, 1) / (double)Stopwatch.Frequency));
                }
            }
            source.Run(batch!);
        }
    }

    /// <summary>Stops the workers once every attached scheduler's queue is empty (dispose the schedulers first).</summary>
    public void Dispose()
    {
        lock (Gate)
        {
            if (_closed) return;
            _closed = true;
            Monitor.PulseAll(Gate);
        }
        if (!IsWorkerThread)
            foreach (Thread t in _workers) t.Join();
    }
}

/// <summary>What a <see cref="BatchWorkerPool"/> takes batches from: a scheduler of one kind of work.</summary>
internal abstract class BatchSource
{
    protected BatchSource(string name) => Name = name;

    /// <summary>The scheduler's name in metrics and counters ("modexp/2048", "proof", …).</summary>
    public string Name { get; }

    /// <summary>Batches computed so far.</summary>
    public abstract long Batches { get; }

    /// <summary>Items computed so far.</summary>
    public abstract long Items { get; }

    /// <summary>Under the pool's gate: a due batch, or null after lowering <paramref name="nextDue"/>.</summary>
    internal abstract object? TryTake(long now, ref long nextDue);

    /// <summary>On a worker, outside the gate: computes a batch <see cref="TryTake"/> returned and completes its requests.</summary>
    internal abstract void Run(object batch);
}
