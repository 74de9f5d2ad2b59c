using System.Diagnostics;

namespace Engine.BigInt;

/// <summary>
/// Arithmetic on little-endian <c>ulong</c> limb spans of caller-chosen width. Add, subtract and the
/// conditional operations are constant time in the values (their timing depends on lengths only); the
/// <c>VarTime</c> members depend on the values and take public data only.
/// </summary>
public static class Limbs
{
    /// <summary>r = a + b over equal lengths; returns the carry out (0 or 1). r may alias a or b.</summary>
    public static ulong Add(Span<ulong> r, ReadOnlySpan<ulong> a, ReadOnlySpan<ulong> b)
    {
        Debug.Assert(a.Length == r.Length && b.Length == r.Length);
        ulong carry = 0;
        for (int i = 0; i < r.Length; i++) r[i] = Word.AddCarry(a[i], b[i], ref carry);
        return carry;
    }

    /// <summary>r = a − b over equal lengths; returns the borrow out (0 or 1). r may alias a or b.</summary>
    public static ulong Sub(Span<ulong> r, ReadOnlySpan<ulong> a, ReadOnlySpan<ulong> b)
    {
        Debug.Assert(a.Length == r.Length && b.Length == r.Length);
        ulong borrow = 0;
        for (int i = 0; i < r.Length; i++) r[i] = Word.SubBorrow(a[i], b[i], ref borrow);
        return borrow;
    }

    /// <summary>r += small word; returns the carry out.</summary>
    public static ulong AddWord(Span<ulong> r, ulong w)
    {
        ulong carry = w;
        for (int i = 0; i < r.Length; i++)
        {
            ulong c = 0;
            r[i] = Word.AddCarry(r[i], carry, ref c);
            carry = c;
        }
        return carry;
    }

    /// <summary>r −= small word; returns the borrow out.</summary>
    public static ulong SubWord(Span<ulong> r, ulong w)
    {
        ulong borrow = w;
        for (int i = 0; i < r.Length; i++)
        {
            ulong b = 0;
            r[i] = Word.SubBorrow(r[i], borrow, ref b);
            borrow = b;
        }
        return borrow;
    }

    /// <summary>~0 when a &lt; b (equal lengths), else 0; constant time.</summary>
    public static ulong LessThanMask(ReadOnlySpan<ulong> a, ReadOnlySpan<ulong> b)
    {
        ulong borrow = 0;
        for (int i = 0; i < a.Length; i++) Word.SubBorrow(a[i], b[i], ref borrow);
        return Ct.MaskFromBit(borrow);
    }

    /// <summary>Compares two values of any lengths (missing limbs are zero): −1, 0 or 1. Variable time.</summary>
    public static int CompareVarTime(ReadOnlySpan<ulong> a, ReadOnlySpan<ulong> b)
    {
        int n = Math.Max(a.Length, b.Length);
        for (int i = n - 1; i >= 0; i--)
        {
            ulong x = i < a.Length ? a[i] : 0, y = i < b.Length ? b[i] : 0;
            if (x != y) return x < y ? -1 : 1;
        }
        return 0;
    }

    /// <summary>True when every limb is zero. Variable time.</summary>
    public static bool IsZeroVarTime(ReadOnlySpan<ulong> a) => a.IndexOfAnyExcept(0UL) < 0;

    /// <summary>Number of significant bits (0 for zero). Variable time.</summary>
    public static int BitLengthVarTime(ReadOnlySpan<ulong> a)
    {
        for (int i = a.Length - 1; i >= 0; i--)
            if (a[i] != 0) return i * 64 + Word.BitLength(a[i]);
        return 0;
    }

    /// <summary>Number of limbs up to and including the top non-zero one (0 for zero). Variable time.</summary>
    public static int SignificantLimbsVarTime(ReadOnlySpan<ulong> a)
    {
        int n = a.Length;
        while (n > 0 && a[n - 1] == 0) n--;
        return n;
    }

    /// <summary>Bit <paramref name="index"/> of a (0 past the end). Reads one limb: use on public values or
    /// with a public index.</summary>
    public static ulong GetBit(ReadOnlySpan<ulong> a, int index)
    {
        int limb = index >> 6;
        return limb < a.Length ? (a[limb] >> (index & 63)) & 1 : 0;
    }

    /// <summary>
    /// Bits [start, start + count) of a as a number, count ≤ 57 (bits past the end read as zero). The limbs read
    /// depend on <paramref name="start"/> only, so a public window position over a secret value is constant time.
    /// </summary>
    public static ulong GetBits(ReadOnlySpan<ulong> a, int start, int count)
    {
        Debug.Assert(count is > 0 and <= 57);
        int limb = start >> 6, shift = start & 63;
        ulong lo = limb < a.Length ? a[limb] >> shift : 0;
        ulong hi = (shift != 0 && limb + 1 < a.Length) ? a[limb + 1] << (64 - shift) : 0;
        return (lo | hi) & ((1UL << count) - 1);
    }

    /// <summary>In-place shift right by 0..63 bits; returns the bits shifted out (at the top of the word).</summary>
    public static ulong ShiftRight(Span<ulong> a, int bits)
    {
        Debug.Assert(bits is >= 0 and < 64);
        if (bits == 0) return 0;
        ulong outBits = a.Length > 0 ? a[0] << (64 - bits) : 0;
        for (int i = 0; i < a.Length - 1; i++) a[i] = (a[i] >> bits) | (a[i + 1] << (64 - bits));
        if (a.Length > 0) a[^1] >>= bits;
        return outBits;
    }

    /// <summary>In-place shift left by 0..63 bits; returns the bits shifted out (at the bottom of the word).</summary>
    public static ulong ShiftLeft(Span<ulong> a, int bits)
    {
        Debug.Assert(bits is >= 0 and < 64);
        if (bits == 0 || a.Length == 0) return 0;
        ulong outBits = a[^1] >> (64 - bits);
        for (int i = a.Length - 1; i > 0; i--) a[i] = (a[i] << bits) | (a[i - 1] >> (64 - bits));
        a[0] <<= bits;
        return outBits;
    }

    /// <summary>
    /// Schoolbook product r = a · b; r must have a.Length + b.Length limbs and must not overlap a or b.
    /// Constant time in the values.
    /// </summary>
    public static void Multiply(Span<ulong> r, ReadOnlySpan<ulong> a, ReadOnlySpan<ulong> b)
    {
        Debug.Assert(r.Length == a.Length + b.Length);
        r.Clear();
        for (int i = 0; i < a.Length; i++)
        {
            ulong carry = 0, ai = a[i];
            for (int j = 0; j < b.Length; j++) r[i + j] = Word.MulAdd(r[i + j], ai, b[j], ref carry);
            r[i + b.Length] = carry;
        }
    }
}
