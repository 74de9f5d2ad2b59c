using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Engine.BigInt;

/// <summary>Uniform random integers from the OS CSPRNG by rejection sampling (no modular bias).</summary>
public static class RandomScalar
{
    /// <summary>
    /// result = a uniform value in [0, bound). Draws bitlen(bound) random bits and rejects values ≥ bound, so
    /// each try succeeds with probability above 1/2; the number of tries reveals nothing about the value kept.
    /// </summary>
    /// <exception cref="ArgumentException">bound is zero or the lengths differ.</exception>
    public static void Below(ReadOnlySpan<ulong> bound, Span<ulong> result)
    {
        if (bound.Length != result.Length) throw new ArgumentException("bound and result must have the same length.");
        int bits = Limbs.BitLengthVarTime(bound);                    // the bound is public
        if (bits == 0) throw new ArgumentException("The bound must be positive.", nameof(bound));
        int topLimb = (bits - 1) >> 6;
        ulong topMask = (bits & 63) == 0 ? ulong.MaxValue : (1UL << (bits & 63)) - 1;
        while (true)
        {
            RandomNumberGenerator.Fill(MemoryMarshal.AsBytes(result));
            result[topLimb] &= topMask;
            result[(topLimb + 1)..].Clear();
            if (Limbs.LessThanMask(result, bound) != 0) return;
        }
    }

    /// <summary>result = a uniform value in [1, bound − 1], the SPEC's range for secret scalars mod q.</summary>
    /// <exception cref="ArgumentException">bound ≤ 1 or the lengths differ.</exception>
    public static void NonZeroBelow(ReadOnlySpan<ulong> bound, Span<ulong> result)
    {
        if (Limbs.CompareVarTime(bound, [1UL]) <= 0) throw new ArgumentException("The bound must exceed 1.", nameof(bound));
        while (true)
        {
            Below(bound, result);
            if (Ct.IsZeroMask(result) == 0) return;
        }
    }
}
