namespace Engine.Tests.Support;

/// <summary>
/// Measures what a batcher's requests allocate in steady state. After an await on a batched request the caller runs
/// on the batch worker (continuations are inline), so every further request, its batch and its completion happen on
/// that one thread, whose allocation counter is read before and after.
/// </summary>
internal static class BatchWorkerAllocation
{
    /// <summary>Bytes allocated by <paramref name="count"/> awaited calls, whether they all ran on one worker thread, and their results.</summary>
    /// <param name="workerPrefix">The name of the batcher's worker threads, up to their index (for example "modexp-batch").</param>
    public static async Task<(long Allocated, bool SameThread, T[] Results)> MeasureAsync<T>(string workerPrefix, Func<ValueTask<T>> call, int count)
    {
        // The await moves onto the worker, unless the batch was done before the await looked (a busy machine can
        // deschedule the caller in between): then it goes on inline on the caller's thread. Repeat until on the worker.
        for (int i = 0; i < 100 && Thread.CurrentThread.Name?.StartsWith(workerPrefix, StringComparison.Ordinal) != true; i++)
            await call().ConfigureAwait(false);
        var results = new T[count];
        int thread = Environment.CurrentManagedThreadId;
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < count; i++) results[i] = await call().ConfigureAwait(false);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        return (allocated, thread == Environment.CurrentManagedThreadId, results);
    }

    /// <inheritdoc cref="MeasureAsync{T}(string, Func{ValueTask{T}}, int)"/>
    public static async Task<(long Allocated, bool SameThread)> MeasureAsync(string workerPrefix, Func<ValueTask> call, int count)
    {
        for (int i = 0; i < 100 && Thread.CurrentThread.Name?.StartsWith(workerPrefix, StringComparison.Ordinal) != true; i++)
            await call().ConfigureAwait(false);
        int thread = Environment.CurrentManagedThreadId;
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < count; i++) await call().ConfigureAwait(false);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        return (allocated, thread == Environment.CurrentManagedThreadId);
    }
}
