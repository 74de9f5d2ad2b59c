using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Engine.BigInt;

/// <summary>
/// Constant-time building blocks. A choice is a <c>ulong</c> mask, 0 or ~0 (blst's <c>bool_t</c>); it becomes a
/// <c>bool</c> only at an API edge where the value is public. Nothing here branches on or indexes by its data.
/// </summary>
internal static class Ct
{
    /// <summary>0 → 0, 1 → ~0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong MaskFromBit(ulong bit) => 0UL - bit;

    /// <summary>~0 when <paramref name="x"/> is zero, else 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong IsZeroMask(ulong x) => ((x | (0UL - x)) >> 63) - 1;

    /// <summary>~0 when a == b, else 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong EqualMask(ulong a, ulong b) => IsZeroMask(a ^ b);

    /// <summary>dst = mask ? a : b, limb by limb.</summary>
    public static void Select(Span<ulong> dst, ReadOnlySpan<ulong> a, ReadOnlySpan<ulong> b, ulong mask)
    {
        for (int i = 0; i < dst.Length; i++) dst[i] = b[i] ^ ((a[i] ^ b[i]) & mask);
    }

    /// <summary>Swaps a and b when mask is ~0; touches both either way.</summary>
    public static void Swap(Span<ulong> a, Span<ulong> b, ulong mask)
    {
        for (int i = 0; i < a.Length; i++)
        {
            ulong t = (a[i] ^ b[i]) & mask;
            a[i] ^= t;
            b[i] ^= t;
        }
    }

    /// <summary>~0 when every limb of a equals b, else 0; reads every limb.</summary>
    public static ulong EqualMask(ReadOnlySpan<ulong> a, ReadOnlySpan<ulong> b)
    {
        ulong diff = 0;
        for (int i = 0; i < a.Length; i++) diff |= a[i] ^ b[i];
        return IsZeroMask(diff);
    }

    /// <summary>~0 when every limb is zero, else 0.</summary>
    public static ulong IsZeroMask(ReadOnlySpan<ulong> a)
    {
        ulong acc = 0;
        for (int i = 0; i < a.Length; i++) acc |= a[i];
        return IsZeroMask(acc);
    }

    /// <summary>
    /// Copies entry <paramref name="index"/> of a table of <paramref name="entryLimbs"/>-limb entries into
    /// <paramref name="dst"/> while reading every entry, so the memory access pattern does not depend on the
    /// index. Vectorised across limbs where the hardware allows; the result is the same on every path.
    /// </summary>
    public static void Lookup(Span<ulong> dst, ReadOnlySpan<ulong> table, int entryLimbs, ulong index)
    {
        int entries = table.Length / entryLimbs;
        ref ulong d = ref MemoryMarshal.GetReference(dst);
        ref ulong t = ref MemoryMarshal.GetReference(table);
        nuint n = (nuint)entryLimbs;
        nuint i = 0;
        if (!Kernels.ForceScalar && Vector512.IsHardwareAccelerated)
        {
            for (; i + 8 <= n; i += 8)
            {
                Vector512<ulong> acc = Vector512<ulong>.Zero;
                for (int e = 0; e < entries; e++)
                {
                    Vector512<ulong> hit = Vector512.Create(EqualMask((ulong)e, index));
                    acc |= Vector512.LoadUnsafe(ref t, (nuint)e * n + i) & hit;
                }
                acc.StoreUnsafe(ref d, i);
            }
        }
        if (!Kernels.ForceScalar && Vector256.IsHardwareAccelerated)
        {
            for (; i + 4 <= n; i += 4)
            {
                Vector256<ulong> acc = Vector256<ulong>.Zero;
                for (int e = 0; e < entries; e++)
                {
                    Vector256<ulong> hit = Vector256.Create(EqualMask((ulong)e, index));
                    acc |= Vector256.LoadUnsafe(ref t, (nuint)e * n + i) & hit;
                }
                acc.StoreUnsafe(ref d, i);
            }
        }
        for (; i < n; i++)
        {
            ulong acc = 0;
            for (int e = 0; e < entries; e++)
                acc |= Unsafe.Add(ref t, (nint)((nuint)e * n + i)) & EqualMask((ulong)e, index);
            Unsafe.Add(ref d, (nint)i) = acc;
        }
    }
}
