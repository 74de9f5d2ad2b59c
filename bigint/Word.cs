using System.Runtime.CompilerServices;

namespace Engine.BigInt;

/// <summary>
/// Single-word arithmetic with explicit carries: the only place in the engine that computes a carry or a
/// borrow. No helper branches on its data, so all are constant time on any input (STYLE.md B3).
/// </summary>
/// <remarks>
/// <see cref="MulAdd"/> sits in every Montgomery inner loop, and there the carry is taken with an unsigned compare
/// (<c>sum &lt; a ? 1 : 0</c>), which RyuJIT on x64 compiles to <c>cmp; setb; movzx</c>: no branch. It measured
/// about 20 % faster than the arithmetic majority-function form used by the other helpers (bench/RESULTS.md).
/// The disassembly was checked with <c>DOTNET_JitDisasm</c>; re-check it when the JIT changes.
/// </remarks>
internal static class Word
{
    /// <summary>a + b + carry; carry in and out is 0 or 1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong AddCarry(ulong a, ulong b, ref ulong carry)
    {
        ulong sum = a + b + carry;
        // Carry out of bit 63 of a + b + c, from the majority function of the top bits.
        carry = ((a & b) | ((a | b) & ~sum)) >> 63;
        return sum;
    }

    /// <summary>a − b − borrow; borrow in and out is 0 or 1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong SubBorrow(ulong a, ulong b, ref ulong borrow)
    {
        ulong diff = a - b - borrow;
        borrow = ((~a & b) | ((~a | b) & diff)) >> 63;
        return diff;
    }

    /// <summary>
    /// Low word of a + b·c + carry; the high word goes back in <paramref name="carry"/>.
    /// Bound: (2^64−1)² + 2(2^64−1) = 2^128 − 1, so the high word never overflows.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong MulAdd(ulong a, ulong b, ulong c, ref ulong carry)
    {
        ulong hi = Math.BigMul(b, c, out ulong lo);      // mulx with BMI2
        lo += a;
        hi += lo < a ? 1UL : 0UL;                        // setb: branch-free, see the remarks
        lo += carry;
        hi += lo < carry ? 1UL : 0UL;
        carry = hi;
        return lo;
    }

    /// <summary>Number of significant bits of a public word (0 for 0). Variable time only in name: lzcnt.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int BitLength(ulong x) => 64 - System.Numerics.BitOperations.LeadingZeroCount(x);
}
