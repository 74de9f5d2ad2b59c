using System.Diagnostics.CodeAnalysis;

namespace Engine;

/// <summary>Keeps throw sites out of hot methods so they stay small and inlinable (Kestrel's pattern).</summary>
internal static class ThrowHelper
{
    [DoesNotReturn]
    public static void Throw(EngineStatus status) => throw new EngineException(status);

    /// <summary>Throws unless the status is <see cref="EngineStatus.Ok"/>.</summary>
    public static void ThrowIfFailed(EngineStatus status)
    {
        if (status != EngineStatus.Ok) Throw(status);
    }
}
