using System.Runtime.CompilerServices;

namespace Engine.BigInt;

public sealed partial class MontgomeryContext
{
    /// <summary>
    /// result = x · R mod m, the Montgomery form of x, for any n-limb x (not only x &lt; m): the product x · R²
    /// with x &lt; R and R² mod m &lt; m stays below m·R, so one Montgomery step and one subtraction suffice.
    /// </summary>
    /// <remarks>Constant time.</remarks>
    [SkipLocalsInit]
    public void ToMontgomery(ReadOnlySpan<ulong> x, Span<ulong> result)
    {
        CheckLength(x, nameof(x)); CheckLength(result, nameof(result));
        Span<ulong> t = stackalloc ulong[MaxLimbs + 2];
        MulCore(x, _r2, result, t);
        t.Slice(0, LimbCount + 1).Clear();
    }

    /// <summary>result = x · R⁻¹ mod m: converts out of Montgomery form.</summary>
    /// <remarks>Constant time.</remarks>
    [SkipLocalsInit]
    public void FromMontgomery(ReadOnlySpan<ulong> x, Span<ulong> result)
    {
        CheckLength(x, nameof(x)); CheckLength(result, nameof(result));
        Span<ulong> t = stackalloc ulong[MaxLimbs + 2];
        Span<ulong> one = stackalloc ulong[LimbCount];
        one.Clear();
        one[0] = 1;
        MulCore(x, one, result, t);
        t.Slice(0, LimbCount + 1).Clear();
    }

    /// <summary>
    /// result = x mod m, in normal (not Montgomery) form, for a value x of any length. Works block by block
    /// in Montgomery form (Horner's rule in base R), so the timing depends only on the length of x.
    /// </summary>
    /// <remarks>Constant time in the value of x.</remarks>
    [SkipLocalsInit]
    public void Reduce(ReadOnlySpan<ulong> x, Span<ulong> result)
    {
        CheckLength(result, nameof(result));
        int n = LimbCount;
        Span<ulong> t = stackalloc ulong[MaxLimbs + 2];
        Span<ulong> acc = stackalloc ulong[n];
        Span<ulong> block = stackalloc ulong[n];
        acc.Clear();
        int blocks = Math.Max(1, (x.Length + n - 1) / n);
        for (int k = blocks - 1; k >= 0; k--)
        {
            // acc = acc·R (in Montgomery form, multiplying by R² shifts the represented value by one block).
            if (k != blocks - 1) MulCore(acc, _r2, acc, t);
            block.Clear();
            int start = k * n;
            if (start < x.Length) x.Slice(start, Math.Min(n, x.Length - start)).CopyTo(block);
            MulCore(block, _r2, block, t);
            AddCore(acc, block, acc);
        }
        FromMontgomery(acc, result);
        acc.Clear(); block.Clear(); t.Slice(0, n + 1).Clear();
    }

    /// <summary>result = a + b mod m, inputs &lt; m (either form). Constant time.</summary>
    public void Add(ReadOnlySpan<ulong> a, ReadOnlySpan<ulong> b, Span<ulong> result)
    {
        CheckLength(a, nameof(a)); CheckLength(b, nameof(b)); CheckLength(result, nameof(result));
        AddCore(a, b, result);
    }

    /// <summary>result = a − b mod m, inputs &lt; m (either form). Constant time.</summary>
    [SkipLocalsInit]
    public void Subtract(ReadOnlySpan<ulong> a, ReadOnlySpan<ulong> b, Span<ulong> result)
    {
        CheckLength(a, nameof(a)); CheckLength(b, nameof(b)); CheckLength(result, nameof(result));
        ulong borrow = Limbs.Sub(result, a, b);
        Span<ulong> t = stackalloc ulong[LimbCount];
        Limbs.Add(t, result, _modulus);
        Ct.Select(result, t, result, Ct.MaskFromBit(borrow));
    }

    [SkipLocalsInit]
    internal void AddCore(ReadOnlySpan<ulong> a, ReadOnlySpan<ulong> b, Span<ulong> result)
    {
        ulong carry = Limbs.Add(result, a, b);
        Span<ulong> t = stackalloc ulong[LimbCount];
        ulong borrow = Limbs.Sub(t, result, _modulus);
        // a + b < 2m: subtract when the sum overflowed n words or is ≥ m.
        Ct.Select(result, t, result, Ct.MaskFromBit(carry) | ~Ct.MaskFromBit(borrow));
    }

    /// <summary>True when x &lt; m (x of n limbs). Constant time.</summary>
    public bool IsReduced(ReadOnlySpan<ulong> x)
    {
        CheckLength(x, nameof(x));
        return Limbs.LessThanMask(x, _modulus) != 0;
    }
}
