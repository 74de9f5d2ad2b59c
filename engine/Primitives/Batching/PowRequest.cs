using System.Security.Cryptography;
using System.Runtime.InteropServices;
using System.Threading.Tasks.Sources;
using Microsoft.Extensions.ObjectPool;

namespace Engine.Primitives.Batching;

/// <summary>
/// One caller's exponentiations waiting in a <see cref="ModExpBatcher"/>, and the completion its
/// <see cref="ValueTask"/> waits on. Pooled: a request object, its buffers and its completion are reused, so
/// scheduling allocates nothing in steady state.
/// </summary>
internal sealed class PowRequest : IValueTaskSource, IResettable
{
    private ManualResetValueTaskSourceCore<bool> _core;     // continuations run on the worker that completes the batch
    private readonly ModExpBatcher _owner;

    public PowRequest(ModExpBatcher owner, int limbs, int maxItems)
    {
        _owner = owner;
        Bases = new ulong[maxItems * limbs];
        Exponents = new ulong[maxItems * ModExpBatcher.ExponentLimbs];
    }

    public ulong[] Bases { get; }
    public ulong[] Exponents { get; }
    public int Count { get; private set; }
    public Memory<ulong> Results { get; private set; }
    public short Version => _core.Version;

    public void Prepare(ReadOnlySpan<ulong> bases, ReadOnlySpan<ulong> exponents, int count, Memory<ulong> results)
    {
        bases.CopyTo(Bases);
        exponents.CopyTo(Exponents);
        Count = count;
        Results = results;
    }

    public void Complete(Exception? error)
    {
        // The inputs may be secret (exponents, bases derived from keys): wiped as soon as the batch is done.
        TryReset();
        if (error is null) _core.SetResult(true); else _core.SetException(error);
    }

    /// <summary>
    /// Wipes the inputs and drops the result buffer. <see cref="Complete"/> does it as the batch finishes, so on the way
    /// back to the pool (Count already 0) there is nothing left to wipe.
    /// </summary>
    public bool TryReset()
    {
        if (Count != 0)
        {
            CryptographicOperations.ZeroMemory(MemoryMarshal.AsBytes(Bases.AsSpan()));
            CryptographicOperations.ZeroMemory(MemoryMarshal.AsBytes(Exponents.AsSpan()));
        }
        Count = 0;
        Results = default;
        return true;
    }

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags)
        => _core.OnCompleted(continuation, state, token, flags);

    public void GetResult(short token)
    {
        try { _core.GetResult(token); }
        finally
        {
            _core.Reset();
            _owner.Return(this);
        }
    }
}
