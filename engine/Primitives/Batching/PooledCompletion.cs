using System.Threading.Tasks.Sources;

namespace Engine.Primitives.Batching;

/// <summary>
/// The completion a batcher hands out for one queued request: an <see cref="IValueTaskSource{TResult}"/> that is set
/// once, read once by the awaiter, then reset and given back to its owner's pool, so steady-state requests allocate
/// nothing. Subclasses hold the request's inputs and clear them in <see cref="ReturnToPool"/>.
/// </summary>
internal abstract class PooledCompletion<TResult> : IValueTaskSource<TResult>
{
    private ManualResetValueTaskSourceCore<TResult> _core;

    /// <summary>The task for the current use.</summary>
    public ValueTask<TResult> Task => new(this, _core.Version);

    /// <summary>Completes the current use (continuations run on the calling worker thread).</summary>
    protected void SetResult(TResult result) => _core.SetResult(result);

    /// <summary>Gives this object back to the pool it came from (called once the result has been read).</summary>
    protected abstract void ReturnToPool();

    /// <inheritdoc/>
    public TResult GetResult(short token)
    {
        try { return _core.GetResult(token); }
        finally
        {
            _core.Reset();
            ReturnToPool();
        }
    }

    /// <inheritdoc/>
    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    /// <inheritdoc/>
    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags)
        => _core.OnCompleted(continuation, state, token, flags);
}
