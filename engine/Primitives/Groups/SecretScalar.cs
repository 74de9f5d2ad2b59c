using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Engine.Primitives.Groups;

/// <summary>
/// A secret scalar (four limbs, below q) in pinned memory, so the GC never leaves a copy behind, wiped on
/// <see cref="Dispose"/> (STYLE.md B5). The one place the engine's long-lived secret keys keep their scalar.
/// </summary>
internal sealed class SecretScalar : IDisposable
{
    private readonly ulong[] _limbs = GC.AllocateArray<ulong>(PrimeOrderGroup.ScalarLimbs, pinned: true);
    private bool _disposed;

    private SecretScalar() { }

    /// <summary>A uniform scalar in [1, q − 1] from the OS CSPRNG.</summary>
    public static SecretScalar Random(PrimeOrderGroup group)
    {
        var s = new SecretScalar();
        group.RandomScalar(s._limbs);
        return s;
    }

    /// <summary>A copy of <paramref name="value"/>; the caller wipes its own buffer.</summary>
    public static SecretScalar From(ReadOnlySpan<ulong> value)
    {
        var s = new SecretScalar();
        value.CopyTo(s._limbs);
        return s;
    }

    /// <summary>The limbs. Throws once disposed, so a wiped key is never used as if it were zero.</summary>
    public ReadOnlySpan<ulong> Value
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _limbs;
        }
    }

    /// <summary>Wipes the limbs.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        CryptographicOperations.ZeroMemory(MemoryMarshal.AsBytes(_limbs.AsSpan()));
    }
}
