using System.Diagnostics;

namespace Engine.Primitives.Batching;

/// <summary>
/// The flush policy every scheduler shares: requests wait until <see cref="ModExpBatchOptions.MaxBatch"/> items are
/// queued or the oldest has waited <see cref="ModExpBatchOptions.MaxDelay"/>, then a worker of the
/// <see cref="BatchWorkerPool"/> takes up to MaxBatch items. A request may stand for several items
/// (<paramref name="itemsOf"/>). Every member is called under the pool's gate (<paramref name="gate"/>).
/// </summary>
internal sealed class BatchQueue<T>(ModExpBatchOptions options, Func<T, int> itemsOf, object gate) where T : class
{
    private readonly Queue<(T Request, long Enqueued)> _waiting = new();
    private readonly long _maxDelayTicks = (long)(options.MaxDelay.TotalSeconds * Stopwatch.Frequency);
    private int _waitingItems;

    /// <summary>True once <see cref="Close"/> was called: nothing more is queued, what waits is taken at once.</summary>
    public bool Closed { get; private set; }

    /// <summary>True when nothing waits.</summary>
    public bool IsEmpty => _waiting.Count == 0;

    /// <summary>Queues a request and wakes a worker; false (nothing queued) once closed.</summary>
    public bool TryEnqueue(T request)
    {
        lock (gate)
        {
            if (Closed) return false;
            _waiting.Enqueue((request, Stopwatch.GetTimestamp()));
            _waitingItems += itemsOf(request);
            // A full batch wakes every worker; a first item wakes one to start the delay clock.
            if (_waitingItems >= options.MaxBatch) Monitor.PulseAll(gate);
            else if (_waiting.Count == 1) Monitor.Pulse(gate);
            return true;
        }
    }

    /// <summary>
    /// Takes a batch into <paramref name="taken"/> when one is due (full, its oldest request past the delay, or the
    /// queue closed) and returns how long its oldest request waited, in Stopwatch ticks; otherwise returns -1 and
    /// lowers <paramref name="nextDue"/> to the timestamp at which this queue's oldest request falls due.
    /// </summary>
    public long TryTake(List<T> taken, long now, ref long nextDue)
    {
        if (_waiting.Count == 0) return -1;
        long oldest = _waiting.Peek().Enqueued;
        if (_waitingItems < options.MaxBatch && now - oldest < _maxDelayTicks && !Closed)
        {
            nextDue = Math.Min(nextDue, oldest + _maxDelayTicks);
            return -1;
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
        return Math.Max(0, now - oldest);
    }

    /// <summary>Refuses new requests and wakes the workers to drain what is queued; false if already closed.</summary>
    public bool Close()
    {
        if (Closed) return false;
        Closed = true;
        Monitor.PulseAll(gate);
        return true;
    }
}
