namespace Engine.Primitives.Batching;

/// <summary>When a <see cref="ModExpBatcher"/> flushes, and how many threads compute (DESIGN.md "pipelined host API").</summary>
public sealed record ModExpBatchOptions
{
    /// <summary>Flush as soon as this many exponentiations wait. Default: twice the active lane count (16 with AVX-512).</summary>
    public int MaxBatch { get; init; } = 2 * Engine.BigInt.BatchModExp.LaneCount;

    /// <summary>Flush a partial batch once its oldest item has waited this long. Default 2 ms.</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromMilliseconds(2);

    /// <summary>Threads that compute batches. Default: one per processor.</summary>
    public int Workers { get; init; } = Environment.ProcessorCount;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> for a batch below 1, a negative delay or no worker.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBatch, 1, nameof(MaxBatch));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxDelay, TimeSpan.Zero, nameof(MaxDelay));
        ArgumentOutOfRangeException.ThrowIfLessThan(Workers, 1, nameof(Workers));
    }
}
