using System.Runtime.CompilerServices;
using Engine.BigInt;

namespace Engine.Pairing.Fields;

public readonly partial struct Fp
{
    /// <summary>a + b mod p (the generated kernel where there is one, else the managed code below).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe Fp operator +(in Fp a, in Fp b)
    {
        if (Native.FpKernels.Add != null)
        {
            Unsafe.SkipInit(out Fp r);
            fixed (Fp* pa = &a, pb = &b) Native.FpKernels.Add(&r, pa, pb, Native.FpKernels.Constants);
            return r;
        }
        return AddManaged(a, b);
    }

    /// <summary>a + b mod p, managed.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Fp AddManaged(in Fp a, in Fp b)
    {
        // a, b < p < 2^382, so the sum fits six limbs without a carry out.
        ulong c = 0;
        ulong s0 = Word.AddCarry(a.L0, b.L0, ref c), s1 = Word.AddCarry(a.L1, b.L1, ref c), s2 = Word.AddCarry(a.L2, b.L2, ref c);
        ulong s3 = Word.AddCarry(a.L3, b.L3, ref c), s4 = Word.AddCarry(a.L4, b.L4, ref c), s5 = Word.AddCarry(a.L5, b.L5, ref c);
        return SubtractModulusIfAbove(s0, s1, s2, s3, s4, s5);
    }

    /// <summary>a − b mod p (the generated kernel where there is one, else the managed code below).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe Fp operator -(in Fp a, in Fp b)
    {
        if (Native.FpKernels.Subtract != null)
        {
            Unsafe.SkipInit(out Fp r);
            fixed (Fp* pa = &a, pb = &b) Native.FpKernels.Subtract(&r, pa, pb, Native.FpKernels.Constants);
            return r;
        }
        return SubtractManaged(a, b);
    }

    /// <summary>a − b mod p, managed.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Fp SubtractManaged(in Fp a, in Fp b)
    {
        ulong borrow = 0;
        ulong d0 = Word.SubBorrow(a.L0, b.L0, ref borrow), d1 = Word.SubBorrow(a.L1, b.L1, ref borrow), d2 = Word.SubBorrow(a.L2, b.L2, ref borrow);
        ulong d3 = Word.SubBorrow(a.L3, b.L3, ref borrow), d4 = Word.SubBorrow(a.L4, b.L4, ref borrow), d5 = Word.SubBorrow(a.L5, b.L5, ref borrow);
        // On borrow add p back: p & mask is p or 0.
        ulong mask = Ct.MaskFromBit(borrow), c = 0;
        d0 = Word.AddCarry(d0, P0 & mask, ref c); d1 = Word.AddCarry(d1, P1 & mask, ref c); d2 = Word.AddCarry(d2, P2 & mask, ref c);
        d3 = Word.AddCarry(d3, P3 & mask, ref c); d4 = Word.AddCarry(d4, P4 & mask, ref c); d5 = Word.AddCarry(d5, P5 & mask, ref c);
        return new Fp(d0, d1, d2, d3, d4, d5);
    }

    /// <summary>−a mod p (zero stays zero).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Fp operator -(in Fp a)
    {
        ulong borrow = 0;
        ulong d0 = Word.SubBorrow(P0, a.L0, ref borrow), d1 = Word.SubBorrow(P1, a.L1, ref borrow), d2 = Word.SubBorrow(P2, a.L2, ref borrow);
        ulong d3 = Word.SubBorrow(P3, a.L3, ref borrow), d4 = Word.SubBorrow(P4, a.L4, ref borrow), d5 = Word.SubBorrow(P5, a.L5, ref borrow);
        // p − 0 = p is not reduced: clear the result when a is zero.
        ulong keep = ~a.IsZeroMask;
        return new Fp(d0 & keep, d1 & keep, d2 & keep, d3 & keep, d4 & keep, d5 & keep);
    }

    /// <summary>2a mod p.</summary>
    public Fp Double() => this + this;

    /// <summary>a² mod p.</summary>
    public Fp Square() => this * this;

    /// <summary>
    /// a·b·R⁻¹ mod p (Montgomery product). Runs the generated mulx/adcx/adox kernel where the CPU has one
    /// (<see cref="Native.FpKernels"/>), else the managed CIOS below; both are constant time.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe Fp operator *(in Fp a, in Fp b)
    {
        if (Native.FpKernels.Multiply != null)
        {
            Unsafe.SkipInit(out Fp r);
            fixed (Fp* pa = &a, pb = &b) Native.FpKernels.Multiply(&r, pa, pb, Native.FpKernels.Constants);
            return r;
        }
        return MultiplyManaged(a, b);
    }

    /// <summary>
    /// Montgomery product a·b·R⁻¹ mod p: CIOS with the "no-carry" shortcut, valid because the top limb of p is
    /// below 2^63 − 1 (Gautam Botrel, gnark-crypto, "Faster big-integer modular multiplication for most moduli",
    /// 2020). Each round keeps t &lt; 2p, and one masked subtraction ends it. Unrolled by tools/gen_montgomery_mul.py.
    /// </summary>
    internal static Fp MultiplyManaged(in Fp a, in Fp b)
    {
        ulong t0, t1, t2, t3, t4, t5, A, C, m;
        // round 0: t = (t + a*b0 + m*p) / 2^64
        A = Math.BigMul(a.L0, b.L0, out t0);
        m = t0 * MontInv;
        C = 0; Word.MulAdd(t0, m, P0, ref C);
        t1 = Word.MulAdd(0, a.L1, b.L0, ref A);
        t0 = Word.MulAdd(t1, m, P1, ref C);
        t2 = Word.MulAdd(0, a.L2, b.L0, ref A);
        t1 = Word.MulAdd(t2, m, P2, ref C);
        t3 = Word.MulAdd(0, a.L3, b.L0, ref A);
        t2 = Word.MulAdd(t3, m, P3, ref C);
        t4 = Word.MulAdd(0, a.L4, b.L0, ref A);
        t3 = Word.MulAdd(t4, m, P4, ref C);
        t5 = Word.MulAdd(0, a.L5, b.L0, ref A);
        t4 = Word.MulAdd(t5, m, P5, ref C);
        t5 = C + A;
        // round 1: t = (t + a*b1 + m*p) / 2^64
        A = 0; t0 = Word.MulAdd(t0, a.L0, b.L1, ref A);
        m = t0 * MontInv;
        C = 0; Word.MulAdd(t0, m, P0, ref C);
        t1 = Word.MulAdd(t1, a.L1, b.L1, ref A);
        t0 = Word.MulAdd(t1, m, P1, ref C);
        t2 = Word.MulAdd(t2, a.L2, b.L1, ref A);
        t1 = Word.MulAdd(t2, m, P2, ref C);
        t3 = Word.MulAdd(t3, a.L3, b.L1, ref A);
        t2 = Word.MulAdd(t3, m, P3, ref C);
        t4 = Word.MulAdd(t4, a.L4, b.L1, ref A);
        t3 = Word.MulAdd(t4, m, P4, ref C);
        t5 = Word.MulAdd(t5, a.L5, b.L1, ref A);
        t4 = Word.MulAdd(t5, m, P5, ref C);
        t5 = C + A;
        // round 2: t = (t + a*b2 + m*p) / 2^64
        A = 0; t0 = Word.MulAdd(t0, a.L0, b.L2, ref A);
        m = t0 * MontInv;
        C = 0; Word.MulAdd(t0, m, P0, ref C);
        t1 = Word.MulAdd(t1, a.L1, b.L2, ref A);
        t0 = Word.MulAdd(t1, m, P1, ref C);
        t2 = Word.MulAdd(t2, a.L2, b.L2, ref A);
        t1 = Word.MulAdd(t2, m, P2, ref C);
        t3 = Word.MulAdd(t3, a.L3, b.L2, ref A);
        t2 = Word.MulAdd(t3, m, P3, ref C);
        t4 = Word.MulAdd(t4, a.L4, b.L2, ref A);
        t3 = Word.MulAdd(t4, m, P4, ref C);
        t5 = Word.MulAdd(t5, a.L5, b.L2, ref A);
        t4 = Word.MulAdd(t5, m, P5, ref C);
        t5 = C + A;
        // round 3: t = (t + a*b3 + m*p) / 2^64
        A = 0; t0 = Word.MulAdd(t0, a.L0, b.L3, ref A);
        m = t0 * MontInv;
        C = 0; Word.MulAdd(t0, m, P0, ref C);
        t1 = Word.MulAdd(t1, a.L1, b.L3, ref A);
        t0 = Word.MulAdd(t1, m, P1, ref C);
        t2 = Word.MulAdd(t2, a.L2, b.L3, ref A);
        t1 = Word.MulAdd(t2, m, P2, ref C);
        t3 = Word.MulAdd(t3, a.L3, b.L3, ref A);
        t2 = Word.MulAdd(t3, m, P3, ref C);
        t4 = Word.MulAdd(t4, a.L4, b.L3, ref A);
        t3 = Word.MulAdd(t4, m, P4, ref C);
        t5 = Word.MulAdd(t5, a.L5, b.L3, ref A);
        t4 = Word.MulAdd(t5, m, P5, ref C);
        t5 = C + A;
        // round 4: t = (t + a*b4 + m*p) / 2^64
        A = 0; t0 = Word.MulAdd(t0, a.L0, b.L4, ref A);
        m = t0 * MontInv;
        C = 0; Word.MulAdd(t0, m, P0, ref C);
        t1 = Word.MulAdd(t1, a.L1, b.L4, ref A);
        t0 = Word.MulAdd(t1, m, P1, ref C);
        t2 = Word.MulAdd(t2, a.L2, b.L4, ref A);
        t1 = Word.MulAdd(t2, m, P2, ref C);
        t3 = Word.MulAdd(t3, a.L3, b.L4, ref A);
        t2 = Word.MulAdd(t3, m, P3, ref C);
        t4 = Word.MulAdd(t4, a.L4, b.L4, ref A);
        t3 = Word.MulAdd(t4, m, P4, ref C);
        t5 = Word.MulAdd(t5, a.L5, b.L4, ref A);
        t4 = Word.MulAdd(t5, m, P5, ref C);
        t5 = C + A;
        // round 5: t = (t + a*b5 + m*p) / 2^64
        A = 0; t0 = Word.MulAdd(t0, a.L0, b.L5, ref A);
        m = t0 * MontInv;
        C = 0; Word.MulAdd(t0, m, P0, ref C);
        t1 = Word.MulAdd(t1, a.L1, b.L5, ref A);
        t0 = Word.MulAdd(t1, m, P1, ref C);
        t2 = Word.MulAdd(t2, a.L2, b.L5, ref A);
        t1 = Word.MulAdd(t2, m, P2, ref C);
        t3 = Word.MulAdd(t3, a.L3, b.L5, ref A);
        t2 = Word.MulAdd(t3, m, P3, ref C);
        t4 = Word.MulAdd(t4, a.L4, b.L5, ref A);
        t3 = Word.MulAdd(t4, m, P4, ref C);
        t5 = Word.MulAdd(t5, a.L5, b.L5, ref A);
        t4 = Word.MulAdd(t5, m, P5, ref C);
        t5 = C + A;
        return SubtractModulusIfAbove(t0, t1, t2, t3, t4, t5);
    }

    /// <summary>t − p if t ≥ p, else t; t &lt; 2p.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Fp SubtractModulusIfAbove(ulong t0, ulong t1, ulong t2, ulong t3, ulong t4, ulong t5)
    {
        ulong borrow = 0;
        ulong d0 = Word.SubBorrow(t0, P0, ref borrow), d1 = Word.SubBorrow(t1, P1, ref borrow), d2 = Word.SubBorrow(t2, P2, ref borrow);
        ulong d3 = Word.SubBorrow(t3, P3, ref borrow), d4 = Word.SubBorrow(t4, P4, ref borrow), d5 = Word.SubBorrow(t5, P5, ref borrow);
        ulong keepT = Ct.MaskFromBit(borrow);          // borrow: t < p, keep t
        return new Fp(d0 ^ ((t0 ^ d0) & keepT), d1 ^ ((t1 ^ d1) & keepT), d2 ^ ((t2 ^ d2) & keepT),
                      d3 ^ ((t3 ^ d3) & keepT), d4 ^ ((t4 ^ d4) & keepT), d5 ^ ((t5 ^ d5) & keepT));
    }
}
