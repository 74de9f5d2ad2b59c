using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Engine.BigInt;

namespace Engine.Primitives.Xor;

/// <summary>
/// XOR of byte spans (SPEC.md §0): <c>dst = a ⊕ b</c>, <c>dst ^= a</c>, and the many-target fan-out
/// <c>dstᵢ ^= a</c> that the XOR secret-sharing protocols use. Vector512 first, then Vector256, then scalar
/// (STYLE.md B4); <see cref="Kernels.ForceScalar"/>/<see cref="Kernels.ForceNo512"/> force the fallbacks in tests.
/// </summary>
/// <remarks>Constant time: the work depends only on the lengths.</remarks>
public static class XorKernels
{
    /// <summary>destination = a ⊕ b. All three spans have the same length; destination may alias a or b.</summary>
    /// <exception cref="ArgumentException">The lengths differ.</exception>
    public static void Xor(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, Span<byte> destination)
    {
        if (a.Length != destination.Length || b.Length != destination.Length)
            throw new ArgumentException("All spans must have the same length.", nameof(destination));
        if (!Kernels.ForceScalar && !Kernels.ForceNo512 && Vector512.IsHardwareAccelerated && destination.Length >= Vector512<byte>.Count)
            XorVector512(a, b, destination);
        else if (!Kernels.ForceScalar && Vector256.IsHardwareAccelerated && destination.Length >= Vector256<byte>.Count)
            XorVector256(a, b, destination);
        else
            XorScalar(a, b, destination);
    }

    /// <summary>destination ^= source (same lengths).</summary>
    /// <exception cref="ArgumentException">The lengths differ.</exception>
    public static void XorInPlace(Span<byte> destination, ReadOnlySpan<byte> source) => Xor(destination, source, destination);

    /// <summary>
    /// destinations[i] ^= source for every target: the fan-out of one share into many buffers. Each destination
    /// must have the source's length.
    /// </summary>
    /// <exception cref="ArgumentException">A destination's length differs from the source's.</exception>
    public static void XorInto(ReadOnlySpan<byte> source, ReadOnlySpan<Memory<byte>> destinations)
    {
        foreach (Memory<byte> d in destinations)
        {
            if (d.Length != source.Length) throw new ArgumentException("Every destination must have the source's length.", nameof(destinations));
        }
        foreach (Memory<byte> d in destinations) XorInPlace(d.Span, source);
    }

    /// <summary>
    /// destination = ⊕ sources[i]: the XOR of many equal-length buffers (recombining shares), one pass over the
    /// destination per source.
    /// </summary>
    /// <exception cref="ArgumentException">A source's length differs from the destination's.</exception>
    public static void XorMany(ReadOnlySpan<ReadOnlyMemory<byte>> sources, Span<byte> destination)
    {
        foreach (ReadOnlyMemory<byte> s in sources)
        {
            if (s.Length != destination.Length) throw new ArgumentException("Every source must have the destination's length.", nameof(sources));
        }
        destination.Clear();
        foreach (ReadOnlyMemory<byte> s in sources) XorInPlace(destination, s.Span);
    }

    internal static void XorScalar(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, Span<byte> destination)
    {
        int i = 0;
        // Eight bytes at a time, then the tail.
        for (; i + 8 <= destination.Length; i += 8)
        {
            ulong x = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref MemoryMarshal.GetReference(a), i))
                    ^ Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref MemoryMarshal.GetReference(b), i));
            Unsafe.WriteUnaligned(ref Unsafe.Add(ref MemoryMarshal.GetReference(destination), i), x);
        }
        for (; i < destination.Length; i++) destination[i] = (byte)(a[i] ^ b[i]);
    }

    internal static void XorVector512(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, Span<byte> destination)
    {
        ref byte ra = ref MemoryMarshal.GetReference(a), rb = ref MemoryMarshal.GetReference(b), rd = ref MemoryMarshal.GetReference(destination);
        nuint length = (nuint)destination.Length, i = 0, count = (nuint)Vector512<byte>.Count;
        // Four vectors per iteration, all loaded before any store (so an exact alias of an input stays correct):
        // the single-vector loop reached about half of a copy's bandwidth on L2-resident buffers.
        for (; i + 4 * count <= length; i += 4 * count)
        {
            Vector512<byte> x0 = Vector512.LoadUnsafe(ref ra, i) ^ Vector512.LoadUnsafe(ref rb, i);
            Vector512<byte> x1 = Vector512.LoadUnsafe(ref ra, i + count) ^ Vector512.LoadUnsafe(ref rb, i + count);
            Vector512<byte> x2 = Vector512.LoadUnsafe(ref ra, i + 2 * count) ^ Vector512.LoadUnsafe(ref rb, i + 2 * count);
            Vector512<byte> x3 = Vector512.LoadUnsafe(ref ra, i + 3 * count) ^ Vector512.LoadUnsafe(ref rb, i + 3 * count);
            x0.StoreUnsafe(ref rd, i);
            x1.StoreUnsafe(ref rd, i + count);
            x2.StoreUnsafe(ref rd, i + 2 * count);
            x3.StoreUnsafe(ref rd, i + 3 * count);
        }
        for (; i + count <= length; i += count)
            (Vector512.LoadUnsafe(ref ra, i) ^ Vector512.LoadUnsafe(ref rb, i)).StoreUnsafe(ref rd, i);
        if (i < length)
        {
            // Last full vector, overlapping the previous one: recompute from the inputs, which is only safe when
            // the destination does not alias an input, so an aliased tail goes through the scalar path.
            if (!destination.Overlaps(a) && !destination.Overlaps(b))
            {
                i = length - count;
                (Vector512.LoadUnsafe(ref ra, i) ^ Vector512.LoadUnsafe(ref rb, i)).StoreUnsafe(ref rd, i);
            }
            else
            {
                XorScalar(a[(int)i..], b[(int)i..], destination[(int)i..]);
            }
        }
    }

    internal static void XorVector256(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, Span<byte> destination)
    {
        ref byte ra = ref MemoryMarshal.GetReference(a), rb = ref MemoryMarshal.GetReference(b), rd = ref MemoryMarshal.GetReference(destination);
        nuint length = (nuint)destination.Length, i = 0, count = (nuint)Vector256<byte>.Count;
        for (; i + 4 * count <= length; i += 4 * count)
        {
            Vector256<byte> x0 = Vector256.LoadUnsafe(ref ra, i) ^ Vector256.LoadUnsafe(ref rb, i);
            Vector256<byte> x1 = Vector256.LoadUnsafe(ref ra, i + count) ^ Vector256.LoadUnsafe(ref rb, i + count);
            Vector256<byte> x2 = Vector256.LoadUnsafe(ref ra, i + 2 * count) ^ Vector256.LoadUnsafe(ref rb, i + 2 * count);
            Vector256<byte> x3 = Vector256.LoadUnsafe(ref ra, i + 3 * count) ^ Vector256.LoadUnsafe(ref rb, i + 3 * count);
            x0.StoreUnsafe(ref rd, i);
            x1.StoreUnsafe(ref rd, i + count);
            x2.StoreUnsafe(ref rd, i + 2 * count);
            x3.StoreUnsafe(ref rd, i + 3 * count);
        }
        for (; i + count <= length; i += count)
            (Vector256.LoadUnsafe(ref ra, i) ^ Vector256.LoadUnsafe(ref rb, i)).StoreUnsafe(ref rd, i);
        if (i < length) XorScalar(a[(int)i..], b[(int)i..], destination[(int)i..]);
    }
}
