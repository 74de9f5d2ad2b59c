using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Engine.BigInt;

/// <summary>
/// Montgomery arithmetic on <c>TOps.Lanes</c> independent values at once, one value per 64-bit lane, in the
/// digit representation of <see cref="LaneModulus"/>. Arrays are digit-major: digit j of lane k sits at
/// j·Lanes + k, so digit j of every lane is one vector. Every operation runs the same instructions whatever the
/// lanes hold, so the kernel is constant time except where a method says otherwise.
/// </summary>
internal static class LaneKernel<TVec, TOps> where TVec : struct where TOps : struct, ILaneVector<TVec>
{
    /// <summary>
    /// result = a·b·R⁻¹ mod m per lane, for a, b &lt; 2m with normalised digits; result &lt; 2m, normalised.
    /// Operand scanning with the reduction folded in (FIOS): per digit a_i, t = (t + a_i·b + u·m) / 2^B with
    /// u = t_0·m' mod 2^B, carries left in the lanes until the end. Scratch t: D vectors. result may alias a or b.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Multiply(ref ulong a, ref ulong b, ref ulong result, ref ulong t, ref ulong modulus,
                                int digits, byte digitBits, TVec mInv, TVec mask)
    {
        nuint lanes = (nuint)TOps.Lanes, d = (nuint)digits;
        TVec zero = default;
        for (nuint j = 0; j < d; j++) TOps.Store(zero, ref t, j * lanes);

        for (nuint i = 0; i < d; i++)
        {
            TVec ai = TOps.Load(ref a, i * lanes);
            TVec p = TOps.Add(TOps.Load(ref t, 0), TOps.MulLow32(ai, TOps.Load(ref b, 0)));
            TVec u = TOps.And(TOps.MulLow32(p, mInv), mask);
            TVec carry = TOps.ShiftRight(TOps.Add(p, TOps.MulLow32(u, TOps.Load(ref modulus, 0))), digitBits);
            TVec s = TOps.Add(TOps.Add(TOps.Load(ref t, lanes), carry),
                              TOps.Add(TOps.MulLow32(ai, TOps.Load(ref b, lanes)), TOps.MulLow32(u, TOps.Load(ref modulus, lanes))));
            TOps.Store(s, ref t, 0);
            for (nuint j = 2; j < d; j++)
            {
                nuint o = j * lanes;
                s = TOps.Add(TOps.Load(ref t, o),
                             TOps.Add(TOps.MulLow32(ai, TOps.Load(ref b, o)), TOps.MulLow32(u, TOps.Load(ref modulus, o))));
                TOps.Store(s, ref t, o - lanes);
            }
            TOps.Store(zero, ref t, (d - 1) * lanes);
        }

        // Propagate the deferred carries. The value is below 2m < R, so nothing leaves the top digit.
        TVec c = zero;
        for (nuint j = 0; j < d; j++)
        {
            TVec v = TOps.Add(TOps.Load(ref t, j * lanes), c);
            TOps.Store(TOps.And(v, mask), ref result, j * lanes);
            c = TOps.ShiftRight(v, digitBits);
        }
    }

    /// <summary>
    /// results[k] = bases[k]^exponents[k] mod m for one chunk of exactly Lanes items (normal form in and out,
    /// bases &lt; m). Fixed window of w bits over <paramref name="exponentBits"/> bits; with
    /// <paramref name="constantTime"/> each window reads the whole table under lane masks, otherwise each lane
    /// copies its own entry (variable time in the exponents). <paramref name="native"/> is a generated product for
    /// <paramref name="lm"/>'s digits (<see cref="Native.IfmaLaneKernels"/>), or 0 for <see cref="Multiply"/>.
    /// </summary>
    public static unsafe void PowChunk(MontgomeryContext ctx, LaneModulus lm, nint native, ReadOnlySpan<ulong> bases,
                                       ReadOnlySpan<ulong> exponents, int exponentLimbs, int exponentBits, Span<ulong> results,
                                       bool constantTime)
    {
        int lanes = TOps.Lanes, d = lm.Digits, n = ctx.LimbCount, v = d * lanes;
        int w = Math.Min(5, MontgomeryContext.ConstantTimeWindow(Math.Max(exponentBits, 1)));
        int entries = 1 << w;

        // + 7: room to start the vectors on a 64-byte line (neither stack nor pooled arrays promise more than 16).
        Span<ulong> scratch = ScratchLease.Rent((entries + 8) * v + 2 * n + 7, stackalloc ulong[512], out ScratchLease lease);
        using (lease)
        fixed (ulong* pinned = scratch)
        {
            int skip = (int)((64 - ((nuint)pinned & 63)) & 63) / 8;
            Span<ulong> table = scratch.Slice(skip, entries * v);
            Span<ulong> rest = scratch.Slice(skip + entries * v);
            Span<ulong> mod = rest.Slice(0, v), r2 = rest.Slice(v, v), plainOne = rest.Slice(2 * v, v);
            Span<ulong> x = rest.Slice(3 * v, v), acc = rest.Slice(4 * v, v), pick = rest.Slice(5 * v, v), t = rest.Slice(6 * v, v);
            Span<ulong> limbs = rest.Slice(8 * v, n), diff = rest.Slice(8 * v + n, n);
            ulong* pTable = pinned + skip, pMod = Address(mod), pX = Address(x), pAcc = Address(acc), pPick = Address(pick);
            var product = new Product(native, Address(t), pMod, d, (byte)lm.DigitBits, lm.MInv, lm.DigitMask);

            plainOne.Clear();
            for (int j = 0; j < d; j++)
            {
                for (int k = 0; k < lanes; k++)
                {
                    mod[j * lanes + k] = lm.Modulus[j];
                    r2[j * lanes + k] = lm.RSquared[j];
                    table[j * lanes + k] = lm.One[j];                   // entry 0 = 1 in Montgomery form
                }
            }
            for (int k = 0; k < lanes; k++) plainOne[k] = 1;
            for (int k = 0; k < lanes; k++)
            {
                ReadOnlySpan<ulong> baseK = bases.Slice(k * n, n);
                for (int j = 0; j < d; j++) x[j * lanes + k] = Limbs.GetBits(baseK, j * lm.DigitBits, lm.DigitBits);
            }

            // Into Montgomery form (x·R² / R), then table[e] = x^e.
            product.Run(pX, Address(r2), pTable + v);
            for (int e = 2; e < entries; e++)
            {
                if ((e & 1) == 0) product.Run(pTable + (e / 2) * v, pTable + (e / 2) * v, pTable + e * v);
                else product.Run(pTable + (e - 1) * v, pTable + v, pTable + e * v);
            }

            int windows = Math.Max(1, (exponentBits + w - 1) / w);
            for (int win = windows - 1; win >= 0; win--)
            {
                int width = Math.Min(w, Math.Max(exponentBits - win * w, 1));
                Span<ulong> target = win == windows - 1 ? acc : pick;
                Select(table, target, exponents, exponentLimbs, win * w, width, v, constantTime);
                if (win == windows - 1) continue;
                for (int s = 0; s < w; s++) product.Run(pAcc, pAcc, pAcc);
                product.Run(pAcc, pPick, pAcc);
            }

            // Out of Montgomery form: acc·1 / R ≤ m; equality only for a zero base, so one subtraction per lane.
            product.Run(pAcc, Address(plainOne), pAcc);
            for (int k = 0; k < lanes; k++)
            {
                for (int j = 0; j < d; j++) x[j] = acc[j * lanes + k];
                LaneModulus.FromDigits(x.Slice(0, d), limbs, lm.DigitBits);
                ulong borrow = Limbs.Sub(diff, limbs, ctx.Modulus);
                Ct.Select(results.Slice(k * n, n), limbs, diff, Ct.MaskFromBit(borrow));
            }
            scratch.Clear();
        }
    }

    // The address of pinned scratch (PowChunk holds it fixed).
    private static unsafe ulong* Address(Span<ulong> pinnedSpan) => (ulong*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(pinnedSpan));

    /// <summary>One Montgomery product on pinned lanes: the generated kernel where there is one, else <see cref="Multiply"/>.</summary>
    private readonly unsafe struct Product(nint native, ulong* t, ulong* modulus, int digits, byte digitBits, ulong mInv, ulong mask)
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Run(ulong* a, ulong* b, ulong* result)
        {
            if (native != 0)
                ((delegate* unmanaged[SuppressGCTransition]<ulong*, ulong*, ulong*, ulong*, ulong, void>)native)(result, a, b, modulus, mInv);
            else
                Multiply(ref *a, ref *b, ref *result, ref *t, ref *modulus, digits, digitBits, TOps.Broadcast(mInv), TOps.Broadcast(mask));
        }
    }

    // target = table[digit of each lane] for the window at `position`.
    private static void Select(ReadOnlySpan<ulong> table, Span<ulong> target, ReadOnlySpan<ulong> exponents, int exponentLimbs,
                               int position, int width, int v, bool constantTime)
    {
        int lanes = TOps.Lanes;
        Span<ulong> digits = stackalloc ulong[lanes];
        for (int k = 0; k < lanes; k++)
            digits[k] = Limbs.GetBits(exponents.Slice(k * exponentLimbs, exponentLimbs), position, width);
        int entries = table.Length / v;

        if (!constantTime)
        {
            for (int k = 0; k < lanes; k++)
            {
                int offset = (int)digits[k] * v;
                for (int j = k; j < v; j += lanes) target[j] = table[offset + j];
            }
            return;
        }

        // Every entry is read; each lane keeps the one whose index equals its digit.
        TVec digitVec = TOps.Load(ref MemoryMarshal.GetReference(digits), 0);
        ref ulong rTable = ref MemoryMarshal.GetReference(table);
        ref ulong rTarget = ref MemoryMarshal.GetReference(target);
        TVec zero = default;
        for (nuint o = 0; o < (nuint)v; o += (nuint)lanes) TOps.Store(zero, ref rTarget, o);
        for (int e = 0; e < entries; e++)
        {
            TVec hit = TOps.EqualMask(digitVec, TOps.Broadcast((ulong)e));
            nuint baseOffset = (nuint)(e * v);
            for (nuint o = 0; o < (nuint)v; o += (nuint)lanes)
                TOps.Store(TOps.Or(TOps.Load(ref rTarget, o), TOps.And(TOps.Load(ref rTable, baseOffset + o), hit)), ref rTarget, o);
        }
        digits.Clear();                                   // the exponent digits are secret
    }
}
