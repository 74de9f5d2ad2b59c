using System.Runtime.CompilerServices;

namespace Engine.Interop.Exports;

/// <summary>
/// What every export does at the C boundary (STYLE.md B7): null pointers become <see cref="EngineStatus.NullArgument"/>,
/// lengths that do not fit an <c>int</c> <see cref="EngineStatus.BadLength"/>, and any exception
/// <see cref="EngineStatus.InternalError"/>, because nothing may unwind into C.
/// </summary>
internal static unsafe class Boundary
{
    /// <summary>The span a caller's (pointer, length) pair names; a null pointer is allowed only with length 0.</summary>
    public static bool TrySpan(byte* pointer, nuint length, out ReadOnlySpan<byte> span)
    {
        span = default;
        if (length > int.MaxValue || (pointer == null && length != 0)) return false;
        span = new ReadOnlySpan<byte>(pointer, (int)length);
        return true;
    }

    /// <summary>The status a failed <see cref="TrySpan"/> stands for.</summary>
    public static int SpanStatus(byte* pointer, nuint length) =>
        (int)(pointer == null && length != 0 ? EngineStatus.NullArgument : EngineStatus.BadLength);

    /// <summary>The status of an exception caught at the boundary.</summary>
    public static int Fail(Exception exception) => exception switch
    {
        EngineException e => (int)e.Status,
        ArgumentException => (int)EngineStatus.BadLength,
        _ => (int)EngineStatus.InternalError,
    };

    /// <summary>Writes <paramref name="value"/> through <paramref name="pointer"/> when the caller gave one.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Set(nuint* pointer, nuint value)
    {
        if (pointer != null) *pointer = value;
    }
}
