using Microsoft.Extensions.ObjectPool;

namespace Engine.Primitives.Batching;

/// <summary>
/// The pools of the batchers' requests and completions: Microsoft.Extensions.ObjectPool's <see cref="DefaultObjectPool{T}"/>
/// with a policy that resets each object on its way back (clearing its references and wiping anything secret it
/// held, see each <see cref="IResettable.TryReset"/>), so a pooled object never carries one caller's data to the next.
/// </summary>
internal static class RequestPool
{
    /// <summary>A pool that keeps up to <paramref name="retained"/> idle objects and makes new ones with <paramref name="create"/>.</summary>
    public static ObjectPool<T> Create<T>(Func<T> create, int retained) where T : class, IResettable =>
        new DefaultObjectPool<T>(new Policy<T>(create), retained);

    /// <summary>Idle objects to keep for a batcher: a full batch in flight on every worker, and the next batch queueing.</summary>
    public static int RetainedFor(ModExpBatchOptions options, int perRequest = 1) =>
        Math.Max(16, (options.Workers + 1) * (options.MaxBatch + 1) / Math.Max(1, perRequest));

    private sealed class Policy<T>(Func<T> create) : PooledObjectPolicy<T> where T : class, IResettable
    {
        public override T Create() => create();

        // An object that cannot be reset (TryReset false) is dropped rather than reused.
        public override bool Return(T obj) => obj.TryReset();
    }
}
