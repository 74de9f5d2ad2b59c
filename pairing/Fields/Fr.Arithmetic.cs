using System.Runtime.CompilerServices;
using Engine.BigInt;

namespace Engine.Pairing.Fields;

public readonly partial struct Fr
{
    /// <summary>a + b mod r.</summary>
    public static Fr operator +(in Fr a, in Fr b)
    {
        // a, b < r < 2^255: no carry out of four limbs.
        ulong c = 0;
        ulong s0 = Word.AddCarry(a.L0, b.L0, ref c), s1 = Word.AddCarry(a.L1, b.L1, ref c);
        ulong s2 = Word.AddCarry(a.L2, b.L2, ref c), s3 = Word.AddCarry(a.L3, b.L3, ref c);
        return SubtractModulusIfAbove(s0, s1, s2, s3);
    }

    /// <summary>a − b mod r.</summary>
    public static Fr operator -(in Fr a, in Fr b) => a + (-b);

    /// <summary>−a mod r (zero stays zero).</summary>
    public static Fr operator -(in Fr a)
    {
        ulong borrow = 0;
        ulong d0 = Word.SubBorrow(Q0, a.L0, ref borrow), d1 = Word.SubBorrow(Q1, a.L1, ref borrow);
        ulong d2 = Word.SubBorrow(Q2, a.L2, ref borrow), d3 = Word.SubBorrow(Q3, a.L3, ref borrow);
        ulong keep = ~a.IsZeroMask;
        return new Fr(d0 & keep, d1 & keep, d2 & keep, d3 & keep);
    }

    /// <summary>a² mod r.</summary>
    public Fr Square() => this * this;

    /// <summary>Montgomery product a·b·R⁻¹ mod r: the same no-carry CIOS as <see cref="Fp"/> (r's top limb &lt; 2^63 − 1).</summary>
    public static Fr operator *(in Fr a, in Fr b)
    {
        ulong t0, t1, t2, t3, A, C, m;
        // round 0: t = (t + a*b0 + m*p) / 2^64
        A = Math.BigMul(a.L0, b.L0, out t0);
        m = t0 * MontInv;
        C = 0; Word.MulAdd(t0, m, Q0, ref C);
        t1 = Word.MulAdd(0, a.L1, b.L0, ref A);
        t0 = Word.MulAdd(t1, m, Q1, ref C);
        t2 = Word.MulAdd(0, a.L2, b.L0, ref A);
        t1 = Word.MulAdd(t2, m, Q2, ref C);
        t3 = Word.MulAdd(0, a.L3, b.L0, ref A);
        t2 = Word.MulAdd(t3, m, Q3, ref C);
        t3 = C + A;
        // round 1: t = (t + a*b1 + m*p) / 2^64
        A = 0; t0 = Word.MulAdd(t0, a.L0, b.L1, ref A);
        m = t0 * MontInv;
        C = 0; Word.MulAdd(t0, m, Q0, ref C);
        t1 = Word.MulAdd(t1, a.L1, b.L1, ref A);
        t0 = Word.MulAdd(t1, m, Q1, ref C);
        t2 = Word.MulAdd(t2, a.L2, b.L1, ref A);
        t1 = Word.MulAdd(t2, m, Q2, ref C);
        t3 = Word.MulAdd(t3, a.L3, b.L1, ref A);
        t2 = Word.MulAdd(t3, m, Q3, ref C);
        t3 = C + A;
        // round 2: t = (t + a*b2 + m*p) / 2^64
        A = 0; t0 = Word.MulAdd(t0, a.L0, b.L2, ref A);
        m = t0 * MontInv;
        C = 0; Word.MulAdd(t0, m, Q0, ref C);
        t1 = Word.MulAdd(t1, a.L1, b.L2, ref A);
        t0 = Word.MulAdd(t1, m, Q1, ref C);
        t2 = Word.MulAdd(t2, a.L2, b.L2, ref A);
        t1 = Word.MulAdd(t2, m, Q2, ref C);
        t3 = Word.MulAdd(t3, a.L3, b.L2, ref A);
        t2 = Word.MulAdd(t3, m, Q3, ref C);
        t3 = C + A;
        // round 3: t = (t + a*b3 + m*p) / 2^64
        A = 0; t0 = Word.MulAdd(t0, a.L0, b.L3, ref A);
        m = t0 * MontInv;
        C = 0; Word.MulAdd(t0, m, Q0, ref C);
        t1 = Word.MulAdd(t1, a.L1, b.L3, ref A);
        t0 = Word.MulAdd(t1, m, Q1, ref C);
        t2 = Word.MulAdd(t2, a.L2, b.L3, ref A);
        t1 = Word.MulAdd(t2, m, Q2, ref C);
        t3 = Word.MulAdd(t3, a.L3, b.L3, ref A);
        t2 = Word.MulAdd(t3, m, Q3, ref C);
        t3 = C + A;
        return SubtractModulusIfAbove(t0, t1, t2, t3);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Fr SubtractModulusIfAbove(ulong t0, ulong t1, ulong t2, ulong t3)
    {
        ulong borrow = 0;
        ulong d0 = Word.SubBorrow(t0, Q0, ref borrow), d1 = Word.SubBorrow(t1, Q1, ref borrow);
        ulong d2 = Word.SubBorrow(t2, Q2, ref borrow), d3 = Word.SubBorrow(t3, Q3, ref borrow);
        ulong keepT = Ct.MaskFromBit(borrow);
        return new Fr(d0 ^ ((t0 ^ d0) & keepT), d1 ^ ((t1 ^ d1) & keepT), d2 ^ ((t2 ^ d2) & keepT), d3 ^ ((t3 ^ d3) & keepT));
    }

    private static readonly ulong[] RMinus2 = [Q0 - 2, Q1, Q2, Q3];

    /// <summary>this^exponent for a public exponent; timing depends on the exponent only.</summary>
    internal Fr PowVarTime(ReadOnlySpan<ulong> exponent)
    {
        Fr result = One;
        for (int i = exponent.Length * 64 - 1; i >= 0; i--)
        {
            result = result.Square();
            if (((exponent[i >> 6] >> (i & 63)) & 1) != 0) result *= this;
        }
        return result;
    }

    /// <summary>The inverse a^(r−2) (zero maps to zero). Constant time: the exponent r − 2 is public.</summary>
    public Fr Invert() => PowVarTime(RMinus2);

    /// <summary>
    /// Constant-time conversion to canonical little-endian limbs for scalar multiplication (the caller wipes them).
    /// </summary>
    internal void ToCanonicalLimbs(Span<ulong> destination)
    {
        Fr c = ToCanonical();
        destination[0] = c.L0; destination[1] = c.L1; destination[2] = c.L2; destination[3] = c.L3;
    }
}
