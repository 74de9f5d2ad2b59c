using System.Diagnostics;

namespace Engine.Primitives.Batching;

/// <summary>
/// The flush policy both batchers share: requests wait until <see cref="ModExpBatchOptions.MaxBatch"/> items are
/// queued or the oldest has waited <see cref="ModExpBatchOptions.MaxDelay"/>; worker threads take batches of at most
/// MaxBatch items. A request may stand for several items (<paramref name="itemsOf"/>).
/// </summary>
internal sealed class BatchQueue<T>(ModExpBatchOptions options, Func<T, int> itemsOf) where T : class
{
    private readonly object _gate = new();
    private readonly Queue<(T Request, long Enqueued)> _waiting = new();
    private readonly long _maxDelayTicks = (long)(options.MaxDelay.TotalSeconds * Stopwatch.Frequency);
    private int _waitingItems;
    private bool _closed;

    /// <summary>Queues a request; false (nothing queued) once <see cref="Close"/> was called.</summary>
    public bool TryEnqueue(T request)
    {
        lock (_gate)
        {
            if (_closed) return false;
            _waiting.Enqueue((request, Stopwatch.GetTimestamp()));
            _waitingItems += itemsOf(request);
            // A full batch wakes every worker; a first item wakes one to start the delay clock.
            if (_waitingItems >= options.MaxBatch) Monitor.PulseAll(_gate);
            else if (_waiting.Count == 1) Monitor.Pulse(_gate);
            return true;
        }
    }

    /// <summary>Waits for a full batch or for the oldest request's deadline; false once closed and drained.</summary>
    public bool TakeBatch(List<T> taken)
    {
        lock (_gate)
        {
            while (true)
            {
                if (_waiting.Count == 0)
                {
                    if (_closed) return false;
                    Monitor.Wait(_gate);
                    continue;
                }
                long waited = Stopwatch.GetTimestamp() - _waiting.Peek().Enqueued;
                if (_waitingItems < options.MaxBatch && waited < _maxDelayTicks && !_closed)
                {
                    Monitor.Wait(_gate, TimeSpan.FromSeconds(Math.Max(_maxDelayTicks - waited, 1) / (double)Stopwatch.Frequency));
                    continue;
                }
                int items = 0;
                while (_waiting.Count > 0 && items < options.MaxBatch)
                {
                    T request = _waiting.Dequeue().Request;
                    int count = itemsOf(request);
                    items += count;
                    _waitingItems -= count;
                    taken.Add(request);
                }
                return true;
            }
        }
    }

    /// <summary>Refuses new requests and wakes the workers to drain what is queued; false if already closed.</summary>
    public bool Close()
    {
        lock (_gate)
        {
            if (_closed) return false;
            _closed = true;
            Monitor.PulseAll(_gate);
            return true;
        }
    }
}
