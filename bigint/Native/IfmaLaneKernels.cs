using System.Numerics;
using System.Security.Cryptography;
using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Engine.BigInt.Native;

/// <summary>
/// Montgomery products of eight independent values at once on AVX-512 IFMA (vpmadd52luq/vpmadd52huq), generated at
/// run time for each digit count D (2 to 158: up to 8192-bit moduli). Values are D digits of 52 bits, digit-major
/// (digit j of lane k at j·8 + k, so one digit of all eight lanes is one zmm register), the layout of
/// <see cref="LaneKernel{TVec, TOps}"/> with 52-bit instead of 28-bit digits: a 2048-bit product is 40 × 40 digit
/// products per lane instead of 74 × 74, each one instruction for its low and one for its high half.
/// </summary>
/// <remarks>
/// Operand scanning with the reduction folded in (FIOS), carries deferred: per digit a_i the running value t gains
/// a_i·b and u·m (u = t_0·m′ mod 2^52, which IFMA computes from t_0's low 52 bits alone), the low halves landing in
/// digit j and the high halves in digit j + 1, then t moves down one digit. A digit gains at most four 52-bit halves a
/// round, so after D ≤ 158 rounds it stays below 4·158·2^52 + 2^12 &lt; 2^62: no carry is propagated until the end.
/// With R = 2^(52·D) &gt; 4m and inputs below 2m the result is below 2m (Walter 1999), so an exponentiation needs no
/// final subtraction inside its loop. No branch or address depends on the values; the window on the stack is wiped
/// and zmm0–15 (the only vector registers used) are cleared with vzeroall before returning.
/// </remarks>
internal static unsafe class IfmaLaneKernels
{
    /// <summary>Values per call: the 64-bit lanes of a zmm register.</summary>
    public const int Lanes = 8;

    /// <summary>Bits per digit: IFMA multiplies the low 52 bits of each lane.</summary>
    public const int DigitBits = 52;

    /// <summary>The smallest and largest digit counts kernels are made for (8192 bits + 2 in 52-bit digits).</summary>
    public const int MinDigits = 2, MaxDigits = 158;

    private static readonly KernelCache Products = new(digits => $"ifma 8-lane montgomery product, {digits} × 52-bit digits", digits =>
        ExecutableMemory.TryInstall(rip => Assemble(digits, rip), block => SelfTest(digits, block), "the generated kernel disagreed with BigInteger",
                                    out nint address, out int size, out string failure)
            ? (address, $"vpmadd52luq/huq, {size} bytes")
            : (0, $"managed lanes ({failure})"));

    /// <summary>Whether this process may use IFMA kernels at all: the CPU has AVX-512F and IFMA and the runtime uses AVX-512.</summary>
    public static bool Available => NativeKernels.Allowed && CpuFeatures.Avx512F && CpuFeatures.Avx512Ifma
                                    && System.Runtime.Intrinsics.X86.Avx512F.IsSupported;

    /// <summary>
    /// (r, a, b, m, m′) → r = a·b·R⁻¹ mod m in every lane, R = 2^(52·D), for a, b &lt; 2m with normalised digits
    /// (each &lt; 2^52); r &lt; 2m, normalised; r may alias a or b. m′ = −m⁻¹ mod 2^52, the same in every lane.
    /// Null where no kernel can be made (see <see cref="NativeKernels.Describe"/> for why).
    /// </summary>
    public static delegate* unmanaged[SuppressGCTransition]<ulong*, ulong*, ulong*, ulong*, ulong, void> For(int digits)
        => digits < MinDigits || digits > MaxDigits || !Available
            ? null
            : (delegate* unmanaged[SuppressGCTransition]<ulong*, ulong*, ulong*, ulong*, ulong, void>)Products.Get(digits);

    /// <summary>The kernel for D digits (System V: rdi = r, rsi = a, rdx = b, rcx = m, r8 = m′).</summary>
    internal static byte[] Assemble(int d, ulong rip)
    {
        var asm = new Assembler(64);
        int window = 64 * d;                                         // t_1 … t_(D−1) (t_0 lives in a register)
        asm.push(rbp);
        asm.mov(rbp, rsp);
        asm.sub(rsp, window);
        asm.and(rsp, -64);                                           // 64-byte aligned: one digit vector per line
        asm.mov(rax, rsp);

        AssemblerRegisterZMM mInv = zmm0, digitMask = zmm1, ai = zmm2, u = zmm3, zero = zmm4, t0 = zmm5;
        asm.vpbroadcastq(mInv, r8);
        asm.mov(r9, (1L << DigitBits) - 1);
        asm.vpbroadcastq(digitMask, r9);
        asm.vpxorq(zero, zero, zero);
        asm.vpxorq(t0, t0, t0);
        for (int j = 1; j < d; j++) asm.vmovdqa64(__zmmword_ptr[rax + 64 * j], zero);

        // D rounds of one loop body; the inner products are unrolled (D ≤ 158 keeps the body under 10 KiB).
        asm.mov(r9, d);
        Label round = asm.CreateLabel();
        asm.Label(ref round);
        {
            AssemblerRegisterZMM[] bRegs = [zmm6, zmm7], mRegs = [zmm8, zmm9], tRegs = [zmm10, zmm11, zmm12, zmm13];
            asm.vmovdqu64(ai, __zmmword_ptr[rsi]);
            asm.vmovdqu64(bRegs[0], __zmmword_ptr[rdx]);
            asm.vmovdqu64(mRegs[0], __zmmword_ptr[rcx]);
            asm.vpmadd52luq(t0, ai, bRegs[0]);                       // t_0 + lo(a_i·b_0)
            asm.vpxorq(u, u, u);
            asm.vpmadd52luq(u, t0, mInv);                            // u = lo52(t_0·m′)
            asm.vpmadd52luq(t0, u, mRegs[0]);                        // now t_0 ≡ 0 (mod 2^52)
            asm.vpsrlq(zmm14, t0, DigitBits);                        // its carry, into the new t_0
            for (int p = 1; p <= d; p++)
            {
                // new t_(p−1) = t_p + lo(a_i·b_p) + lo(u·m_p) + hi(a_i·b_(p−1)) + hi(u·m_(p−1)) (+ the carry for p = 1)
                AssemblerRegisterZMM t = p == 1 ? t0 : tRegs[p % tRegs.Length];
                AssemblerRegisterZMM bPrev = bRegs[(p - 1) & 1], mPrev = mRegs[(p - 1) & 1], bNext = bRegs[p & 1], mNext = mRegs[p & 1];
                if (p < d) asm.vmovdqa64(t, __zmmword_ptr[rax + 64 * p]);
                else asm.vmovdqa64(t, zero);                          // p = D: no t_D
                if (p < d)
                {
                    asm.vmovdqu64(bNext, __zmmword_ptr[rdx + 64 * p]);
                    asm.vmovdqu64(mNext, __zmmword_ptr[rcx + 64 * p]);
                    asm.vpmadd52luq(t, ai, bNext);
                }
                asm.vpmadd52huq(t, ai, bPrev);
                if (p < d) asm.vpmadd52luq(t, u, mNext);
                asm.vpmadd52huq(t, u, mPrev);
                if (p == 1) asm.vpaddq(t, t, zmm14);
                else asm.vmovdqa64(__zmmword_ptr[rax + 64 * (p - 1)], t);
            }
            asm.add(rsi, 64);
            asm.dec(r9);
            asm.jnz(round);
        }

        // Normalise: carry the deferred sums up through the digits into r (the value is below 2m < R: nothing leaves).
        AssemblerRegisterZMM carry = zmm6, v = zmm7;
        asm.vpsrlq(carry, t0, DigitBits);
        asm.vpandq(v, t0, digitMask);
        asm.vmovdqu64(__zmmword_ptr[rdi], v);
        for (int j = 1; j < d; j++)
        {
            asm.vpaddq(v, carry, __zmmword_ptr[rax + 64 * j]);
            asm.vpsrlq(carry, v, DigitBits);
            asm.vpandq(v, v, digitMask);
            asm.vmovdqu64(__zmmword_ptr[rdi + 64 * j], v);
        }
        // Wipe the window and the vector registers: they held intermediates of possibly secret operands.
        for (int j = 1; j < d; j++) asm.vmovdqa64(__zmmword_ptr[rax + 64 * j], zero);
        asm.vzeroall();
        asm.mov(rsp, rbp);
        asm.pop(rbp);
        asm.ret();

        using var stream = new MemoryStream();
        asm.Assemble(new StreamCodeWriter(stream), rip);
        return stream.ToArray();
    }

    /// <summary>
    /// Random moduli (full-width and sparse) and operands below 2m in every lane, the extremes included, against
    /// r·R ≡ a·b (mod m), r &lt; 2m and normalised digits, in BigInteger.
    /// </summary>
    internal static bool SelfTest(int d, nint kernel)
    {
        var multiply = (delegate* unmanaged[SuppressGCTransition]<ulong*, ulong*, ulong*, ulong*, ulong, void>)kernel;
        int v = d * Lanes, bits = DigitBits * d - 2;                 // the largest modulus D digits serve
        ulong[] m = new ulong[v], a = new ulong[v], b = new ulong[v], r = new ulong[v];
        BigInteger bigR = BigInteger.One << (DigitBits * d);
        for (int trial = 0; trial < 6; trial++)
        {
            int mBits = trial % 2 == 0 ? bits : Math.Max(2, bits - 1 - RandomNumberGenerator.GetInt32(51));
            BigInteger mv = RandomOdd(mBits, sparse: trial == 3);
            ulong mInv = NegativeInverse52(mv);
            var av = new BigInteger[Lanes];
            var bv = new BigInteger[Lanes];
            for (int k = 0; k < Lanes; k++)
            {
                BigInteger twoM = 2 * mv;
                av[k] = k switch { 0 => twoM - 1, 1 => 0, 2 => twoM - 1, _ => Random(twoM) };
                bv[k] = k switch { 0 => twoM - 1, 1 => twoM - 1, 2 => 1, _ => Random(twoM) };
                Scatter(mv, m, k, d);
                Scatter(av[k], a, k, d);
                Scatter(bv[k], b, k, d);
            }
            fixed (ulong* pr = r, pa = a, pb = b, pm = m) multiply(pr, pa, pb, pm, mInv);
            for (int k = 0; k < Lanes; k++)
            {
                for (int j = 0; j < d; j++)
                    if (r[j * Lanes + k] >> DigitBits != 0) return false;
                BigInteger rv = Gather(r, k, d);
                if (rv >= 2 * mv || (rv * bigR - av[k] * bv[k]) % mv != 0) return false;
            }
        }
        return true;
    }

    /// <summary>−m⁻¹ mod 2^52 (m odd).</summary>
    internal static ulong NegativeInverse52(BigInteger m)
    {
        ulong m0 = (ulong)(m & ulong.MaxValue), inverse = m0;
        for (int i = 0; i < 5; i++) inverse *= 2 - m0 * inverse;     // Newton: m0⁻¹ mod 2^64
        return (0 - inverse) & ((1UL << DigitBits) - 1);
    }

    /// <summary>Writes <paramref name="value"/> as D digits of 52 bits into lane <paramref name="lane"/>.</summary>
    internal static void Scatter(BigInteger value, Span<ulong> digitMajor, int lane, int d)
    {
        BigInteger mask = (BigInteger.One << DigitBits) - 1;
        for (int j = 0; j < d; j++, value >>= DigitBits) digitMajor[j * Lanes + lane] = (ulong)(value & mask);
    }

    /// <summary>Reads lane <paramref name="lane"/> of D digits back (digits may be unnormalised).</summary>
    internal static BigInteger Gather(ReadOnlySpan<ulong> digitMajor, int lane, int d)
    {
        BigInteger value = BigInteger.Zero;
        for (int j = d - 1; j >= 0; j--) value = (value << DigitBits) + digitMajor[j * Lanes + lane];
        return value;
    }

    private static BigInteger RandomOdd(int bits, bool sparse)
    {
        BigInteger top = BigInteger.One << (bits - 1);
        BigInteger value = sparse ? top : top | Random(top);
        return value | 1;
    }

    private static BigInteger Random(BigInteger bound)
    {
        byte[] bytes = RandomNumberGenerator.GetBytes((int)(bound.GetBitLength() / 8) + 9);
        return new BigInteger(bytes, isUnsigned: true) % bound;
    }
}
