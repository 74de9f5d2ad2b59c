using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Engine.BigInt;

public sealed partial class MontgomeryContext
{
    /// <summary>result = a · b · R⁻¹ mod m (the Montgomery product). Inputs &lt; m; result may alias a or b.</summary>
    /// <remarks>Constant time.</remarks>
    /// <exception cref="ArgumentException">A span's length is not <see cref="LimbCount"/>.</exception>
    [SkipLocalsInit]
    public void Multiply(ReadOnlySpan<ulong> a, ReadOnlySpan<ulong> b, Span<ulong> result)
    {
        CheckLength(a, nameof(a)); CheckLength(b, nameof(b)); CheckLength(result, nameof(result));
        Span<ulong> t = stackalloc ulong[MaxLimbs + 2];
        MulCore(a, b, result, t);
        t.Slice(0, LimbCount + 1).Clear();            // intermediates of possibly secret operands
    }

    /// <summary>result = a² · R⁻¹ mod m. Input &lt; m; result may alias a.</summary>
    /// <remarks>Constant time.</remarks>
    /// <exception cref="ArgumentException">A span's length is not <see cref="LimbCount"/>.</exception>
    [SkipLocalsInit]
    public void Square(ReadOnlySpan<ulong> a, Span<ulong> result)
    {
        CheckLength(a, nameof(a)); CheckLength(result, nameof(result));
        Span<ulong> t = stackalloc ulong[2 * MaxLimbs + 2];
        SquareCore(a, result, t);
        t.Slice(0, 2 * LimbCount + 1).Clear();
    }

    /// <summary>
    /// Montgomery product by FIOS (finely integrated operand scanning, Koç–Acar–Kaliski 1996): one pass per limb
    /// of a computes t + a_i·b + u·m and shifts down one word. With a, b &lt; m the running value stays below 2m,
    /// so it fits n words plus one bit, and one conditional subtraction finishes. Scratch: n + 1 limbs.
    /// </summary>
    internal void MulCore(ReadOnlySpan<ulong> a, ReadOnlySpan<ulong> b, Span<ulong> result, Span<ulong> scratch)
    {
        if (_kernel != 0)
        {
            NativeProduct(a, b, result);
            return;
        }
        int n = LimbCount;
        Debug.Assert(scratch.Length >= n + 1);
        ref ulong ra = ref MemoryMarshal.GetReference(a);
        ref ulong rb = ref MemoryMarshal.GetReference(b);
        ref ulong rm = ref MemoryMarshal.GetArrayDataReference(_modulus);
        ref ulong t = ref MemoryMarshal.GetReference(scratch);
        ulong mInv = MInv;
        scratch.Slice(0, n + 1).Clear();

        for (int i = 0; i < n; i++)
        {
            ulong ai = Unsafe.Add(ref ra, i);
            ulong c1 = 0, c2 = 0;
            ulong s = Word.MulAdd(t, ai, rb, ref c1);
            ulong u = s * mInv;
            Word.MulAdd(s, u, rm, ref c2);               // low word is zero by the choice of u
            for (int j = 1; j < n; j++)
            {
                s = Word.MulAdd(Unsafe.Add(ref t, j), ai, Unsafe.Add(ref rb, j), ref c1);
                Unsafe.Add(ref t, j - 1) = Word.MulAdd(s, u, Unsafe.Add(ref rm, j), ref c2);
            }
            ulong carry = 0;
            ulong top = Word.AddCarry(Unsafe.Add(ref t, n), c1, ref carry);
            ulong carry2 = 0;
            Unsafe.Add(ref t, n - 1) = Word.AddCarry(top, c2, ref carry2);
            Unsafe.Add(ref t, n) = carry + carry2;       // t < 2m, so this is 0 or 1
        }
        FinalSubtract(scratch.Slice(0, n), Unsafe.Add(ref t, n), result);
    }

    /// <summary>
    /// Montgomery square by SOS (separated operand scanning): the off-diagonal products once, doubled, plus the
    /// diagonal, then n reduction steps; about 1.5n² word products against the 2n² of a general multiply.
    /// Scratch: 2n + 1 limbs.
    /// </summary>
    internal void SquareCore(ReadOnlySpan<ulong> a, Span<ulong> result, Span<ulong> scratch)
    {
        if (_squareKernel != 0)
        {
            NativeSquare(a, result);
            return;
        }
        if (_kernel != 0)
        {
            NativeProduct(a, a, result);                                // the unrolled product beats a managed SOS square
            return;
        }
        int n = LimbCount;
        Debug.Assert(scratch.Length >= 2 * n + 1);
        ref ulong ra = ref MemoryMarshal.GetReference(a);
        ref ulong rm = ref MemoryMarshal.GetArrayDataReference(_modulus);
        ref ulong t = ref MemoryMarshal.GetReference(scratch);
        scratch.Slice(0, 2 * n).Clear();

        // Off-diagonal products a_i·a_j, i < j.
        for (int i = 0; i < n - 1; i++)
        {
            ulong ai = Unsafe.Add(ref ra, i), c = 0;
            for (int j = i + 1; j < n; j++)
                Unsafe.Add(ref t, i + j) = Word.MulAdd(Unsafe.Add(ref t, i + j), ai, Unsafe.Add(ref ra, j), ref c);
            Unsafe.Add(ref t, i + n) = c;
        }

        // Double them and add the squares a_i², in one carry chain over 2n words.
        ulong shiftIn = 0, carry = 0;
        for (int i = 0; i < n; i++)
        {
            ulong hi = Math.BigMul(Unsafe.Add(ref ra, i), Unsafe.Add(ref ra, i), out ulong lo);
            ulong w0 = Unsafe.Add(ref t, 2 * i), w1 = Unsafe.Add(ref t, 2 * i + 1);
            ulong d0 = (w0 << 1) | shiftIn, d1 = (w1 << 1) | (w0 >> 63);
            shiftIn = w1 >> 63;
            Unsafe.Add(ref t, 2 * i) = Word.AddCarry(d0, lo, ref carry);
            Unsafe.Add(ref t, 2 * i + 1) = Word.AddCarry(d1, hi, ref carry);
        }
        // a² < m² < 2^(128n), so nothing is left in shiftIn or carry.

        // Reduction: n steps of t += u·m·2^(64i), the carry out of word i+n kept in `pending` for the next step.
        ulong mInv = MInv, pending = 0;
        for (int i = 0; i < n; i++)
        {
            ref ulong ti = ref Unsafe.Add(ref t, i);
            ulong u = ti * mInv, c = 0;
            for (int j = 0; j < n; j++)
                Unsafe.Add(ref ti, j) = Word.MulAdd(Unsafe.Add(ref ti, j), u, Unsafe.Add(ref rm, j), ref c);
            Unsafe.Add(ref ti, n) = Word.AddCarry(Unsafe.Add(ref ti, n), c, ref pending);
        }
        FinalSubtract(scratch.Slice(n, n), pending, result);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private unsafe void NativeProduct(ReadOnlySpan<ulong> a, ReadOnlySpan<ulong> b, Span<ulong> result)
    {
        var kernel = (delegate* unmanaged[SuppressGCTransition]<ulong*, ulong*, ulong*, ulong*, void>)_kernel;
        fixed (ulong* pr = result, pa = a, pb = b, pc = _kernelConstants) kernel(pr, pa, pb, pc);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private unsafe void NativeSquare(ReadOnlySpan<ulong> a, Span<ulong> result)
    {
        var kernel = (delegate* unmanaged[SuppressGCTransition]<ulong*, ulong*, ulong*, ulong*, void>)_squareKernel;
        fixed (ulong* pr = result, pa = a, pc = _kernelConstants) kernel(pr, pa, pa, pc);
    }

    /// <summary>result = (top·2^(64n) + t) mod m for a value below 2m: subtract m, keep whichever is in range.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void FinalSubtract(ReadOnlySpan<ulong> t, ulong top, Span<ulong> result)
    {
        ulong borrow = Limbs.Sub(result, t, _modulus);
        // Keep t - m when the top word is set or when there was no borrow.
        ulong keepDifference = Ct.MaskFromBit(top) | ~Ct.MaskFromBit(borrow);
        Ct.Select(result, result, t, keepDifference);
    }
}
