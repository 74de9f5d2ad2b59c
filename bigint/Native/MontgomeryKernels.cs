using System.Numerics;
using System.Security.Cryptography;
using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Engine.BigInt.Native;

/// <summary>
/// Montgomery products r = a·b·R⁻¹ mod m generated at run time for each limb count n (4 to 128: 256 to 8192 bits),
/// the inner products unrolled with mulx and the two carry chains of adcx/adox, the running value in a zeroed stack window that
/// slides one word per step instead of being shifted. The modulus is a parameter ([−m⁻¹ mod 2^64, m_0 … m_(n−1)]),
/// so one kernel serves every modulus of its size. Each kernel checks itself against BigInteger before use;
/// constant time (no branch or index depends on a, b or r; the final subtraction is a masked select).
/// </summary>
internal static unsafe partial class MontgomeryKernels
{
    /// <summary>The smallest and largest limb counts kernels are made for.</summary>
    public const int MinLimbs = 4, MaxLimbs = 128;

    private static readonly KernelCache Products = new(limbs => $"montgomery product, {limbs} limbs", limbs =>
        ExecutableMemory.TryInstall(rip => Assemble(limbs, rip), block => SelfTest(limbs, block), "the generated kernel disagreed with BigInteger",
                                    out nint address, out int size, out string failure)
            ? (address, $"mulx+adcx/adox, {size} bytes")
            : (0, $"managed ({failure})"));

    /// <summary>(r, a, b, [−m⁻¹, m]) → r = a·b·R⁻¹ mod m; r may alias a or b.</summary>
    public static delegate* unmanaged[SuppressGCTransition]<ulong*, ulong*, ulong*, ulong*, void> For(int limbs)
        => limbs < MinLimbs || limbs > MaxLimbs || !NativeKernels.Allowed || !CpuFeatures.Bmi2 || !CpuFeatures.Adx
            ? null
            : (delegate* unmanaged[SuppressGCTransition]<ulong*, ulong*, ulong*, ulong*, void>)Products.Get(limbs);

    /// <summary>The kernel for n limbs (System V: rdi = r, rsi = a, rdx = b, rcx = [−m⁻¹, m]).</summary>
    internal static byte[] Assemble(int n, ulong rip)
    {
        var asm = new Assembler(64);
        int window = 8 * (2 * n + 2);
        AssemblerRegister64[] saved = [rbx, r12, r13, r14];
        foreach (AssemblerRegister64 r in saved) asm.push(r);
        asm.sub(rsp, window + 8);                                    // + 8 keeps rsp 16-byte aligned (not needed: no calls)
        asm.mov(r12, rdx);                                           // b: rdx is mulx's implicit operand
        asm.mov(r13, rcx);                                           // [−m⁻¹, m]
        asm.mov(rbx, rsp);                                           // the window t_0 … t_(n+1)
        asm.xor(eax, eax);
        for (int k = 0; k < 2 * n + 2; k++) asm.mov(__qword_ptr[rsp + 8 * k], rax);

        // n rounds of one loop body (the inner products are unrolled; an unrolled outer loop would overflow the
        // instruction cache from 32 limbs on): t += a_i·b, then t += u·m with u = t_0·(−m⁻¹), which makes t_0 zero,
        // and the window and a move up one word.
        asm.mov(r14, n);
        Label round = asm.CreateLabel();
        asm.Label(ref round);
        asm.mov(rdx, __qword_ptr[rsi]);
        AccumulateProduct(asm, n, r12, 0);
        asm.mov(rdx, __qword_ptr[rbx]);
        asm.imul(rdx, __qword_ptr[r13]);
        AccumulateProduct(asm, n, r13, 8);
        asm.add(rsi, 8);
        asm.add(rbx, 8);
        asm.dec(r14);
        asm.jnz(round);

        FinishAndReturn(asm, n, window, saved);
        using var stream = new MemoryStream();
        asm.Assemble(new StreamCodeWriter(stream), rip);
        return stream.ToArray();
    }

    /// <summary>
    /// The end of both kernels: t (n words at rbx, top word t_n) is below 2m; d = t − m into r, and t kept where
    /// t_n − borrow is negative, with a mask, not a branch. Then the window is wiped (it held intermediates of
    /// possibly secret operands) and the frame popped.
    /// </summary>
    private static void FinishAndReturn(Assembler asm, int n, int window, AssemblerRegister64[] saved)
    {
        for (int j = 0; j < n; j++)
        {
            asm.mov(r8, __qword_ptr[rbx + 8 * j]);
            if (j == 0) asm.sub(r8, __qword_ptr[r13 + 8]);
            else asm.sbb(r8, __qword_ptr[r13 + 8 + 8 * j]);
            asm.mov(__qword_ptr[rdi + 8 * j], r8);
        }
        asm.mov(r8, __qword_ptr[rbx + 8 * n]);
        asm.sbb(r8, 0);
        asm.sar(r8, 63);
        for (int j = 0; j < n; j++)
        {
            asm.mov(r9, __qword_ptr[rdi + 8 * j]);
            asm.mov(r10, __qword_ptr[rbx + 8 * j]);
            asm.xor(r10, r9);
            asm.and(r10, r8);
            asm.xor(r9, r10);
            asm.mov(__qword_ptr[rdi + 8 * j], r9);
        }
        asm.xor(eax, eax);
        for (int k = 0; k < window / 8; k++) asm.mov(__qword_ptr[rsp + 8 * k], rax);
        asm.add(rsp, window + 8);
        for (int i = saved.Length - 1; i >= 0; i--) asm.pop(saved[i]);
        asm.ret();
    }

    /// <summary>
    /// t_0 … t_(n+1) += rdx·x_0 … x_(n−1) (x at <paramref name="x"/> + <paramref name="offset"/>): low halves on the CF
    /// chain into t_j, high halves on the OF chain into t_(j+1); both chains end in t_n and t_(n+1).
    /// </summary>
    private static void AccumulateProduct(Assembler asm, int n, AssemblerRegister64 x, int offset, int windowOffset = 0)
    {
        asm.xor(eax, eax);                                           // rax = 0, CF = OF = 0
        asm.xor(r10d, r10d);                                         // the previous high half
        AssemblerRegister64 previous = r10;
        for (int j = 0; j < n; j++)
        {
            // The high halves alternate between r9 and r10 (a mov per word fewer than copying one into the other).
            AssemblerRegister64 high = HighHalf(j);
            asm.mulx(high, r8, __qword_ptr[x + offset + 8 * j]);
            asm.adcx(r8, __qword_ptr[rbx + windowOffset + 8 * j]);
            asm.adox(r8, previous);
            asm.mov(__qword_ptr[rbx + windowOffset + 8 * j], r8);
            previous = high;
        }
        asm.mov(r8, __qword_ptr[rbx + windowOffset + 8 * n]);
        asm.adcx(r8, rax);
        asm.adox(r8, previous);
        asm.mov(__qword_ptr[rbx + windowOffset + 8 * n], r8);
        asm.mov(r8, rax);                                            // mov leaves the flags alone
        asm.adcx(r8, rax);
        asm.adox(r8, rax);
        asm.add(__qword_ptr[rbx + windowOffset + 8 * (n + 1)], r8);
    }

    /// <summary>The register that receives word j's high half: r9 and r10 in turn, r10 before word 0.</summary>
    private static AssemblerRegister64 HighHalf(int j) => j % 2 == 0 ? r9 : r10;

    /// <summary>Random moduli and operands (the extremes included) against r·R ≡ a·b (mod m), r &lt; m, in BigInteger.</summary>
    private static bool SelfTest(int n, nint kernel)
    {
        var multiply = (delegate* unmanaged[SuppressGCTransition]<ulong*, ulong*, ulong*, ulong*, void>)kernel;
        ulong[] context = new ulong[n + 1], a = new ulong[n], b = new ulong[n], r = new ulong[n];
        for (int trial = 0; trial < 24; trial++)
        {
            BigInteger m = RandomContext(context, n, trial);
            BigInteger av = trial switch { 0 => m - 1, 1 => 0, _ => RandomBelow(m, n) }, bv = trial switch { 0 => m - 1, 1 => m - 1, _ => RandomBelow(m, n) };
            FromBig(av, a);
            FromBig(bv, b);
            fixed (ulong* pr = r, pa = a, pb = b, pc = context) multiply(pr, pa, pb, pc);
            BigInteger rv = ToBig(r), rr = BigInteger.One << (64 * n);
            if (rv >= m || (rv * rr - av * bv) % m != 0) return false;
        }
        return true;
    }

    /// <summary>
    /// A random odd n-limb modulus in context[1..n] (full-width every third trial: the carry into the top word; an
    /// all-ones top limb every third) and −m⁻¹ mod 2^64 in context[0], as the kernels take them; returns m.
    /// </summary>
    private static BigInteger RandomContext(ulong[] context, int n, int trial)
    {
        RandomNumberGenerator.Fill(System.Runtime.InteropServices.MemoryMarshal.AsBytes(context.AsSpan(1)));
        context[1] |= 1;
        if (trial % 3 == 0) context[n] |= 1UL << 63;
        if (trial % 3 == 1) context[n] = ulong.MaxValue;
        context[n] = Math.Max(context[n], 1);
        ulong inverse = 1;
        for (int k = 0; k < 6; k++) inverse *= 2 - context[1] * inverse;    // Newton: m⁻¹ mod 2^64
        context[0] = 0 - inverse;
        return ToBig(context.AsSpan(1));
    }

    private static BigInteger RandomBelow(BigInteger m, int n)
    {
        byte[] bytes = RandomNumberGenerator.GetBytes(8 * n + 8);
        return new BigInteger(bytes, isUnsigned: true) % m;
    }

    private static BigInteger ToBig(ReadOnlySpan<ulong> limbs)
        => new(System.Runtime.InteropServices.MemoryMarshal.AsBytes(limbs), isUnsigned: true, isBigEndian: false);

    private static void FromBig(BigInteger value, Span<ulong> limbs)
    {
        limbs.Clear();
        value.TryWriteBytes(System.Runtime.InteropServices.MemoryMarshal.AsBytes(limbs), out _, isUnsigned: true, isBigEndian: false);
    }
}
