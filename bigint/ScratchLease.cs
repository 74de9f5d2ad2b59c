using System.Buffers;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Engine.BigInt;

/// <summary>
/// Scratch limbs from a bounded stack buffer, or from the shared array pool when the need is larger
/// (patterned on the runtime's RentedBuffer). Pooled arrays are wiped before they go back, because scratch
/// often holds secret intermediates. No allocation in steady state: the pool keeps its arrays.
/// </summary>
internal ref struct ScratchLease
{
    private ulong[]? _rented;

    /// <summary>Returns <paramref name="limbs"/> limbs of scratch, from the stack buffer if it is large enough.</summary>
    public static Span<ulong> Rent(int limbs, Span<ulong> stackBuffer, out ScratchLease lease)
    {
        lease = default;
        if (limbs <= stackBuffer.Length) return stackBuffer.Slice(0, limbs);
        lease._rented = ArrayPool<ulong>.Shared.Rent(limbs);
        return lease._rented.AsSpan(0, limbs);
    }

    /// <summary>Wipes and returns pooled scratch; stack scratch is the caller's to wipe.</summary>
    public void Dispose()
    {
        if (_rented is null) return;
        CryptographicOperations.ZeroMemory(MemoryMarshal.AsBytes(_rented.AsSpan()));
        ArrayPool<ulong>.Shared.Return(_rented);
        _rented = null;
    }
}
