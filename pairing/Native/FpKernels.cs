using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Engine.BigInt.Native;
using Engine.Pairing.Fields;
using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Engine.Pairing.Native;

/// <summary>
/// BLS12-381 Fp kernels generated as x64 code at start-up (DESIGN.md: the way herumi/mcl does with Xbyak), for CPUs
/// with BMI2 (mulx) and ADX (adcx/adox), which .NET cannot emit. The Montgomery product is CIOS with the operand
/// words in two independent carry chains (adox for the low halves, adcx for the high halves, as in Intel's
/// "New Instructions Supporting Large Integer Arithmetic" and OpenSSL's <c>bn_mulx4x_mont</c>); the accumulator
/// lives in seven registers whose names rotate instead of shifting, and the final subtraction of p is selected with
/// cmov. No branch and no address depends on the operands. Taken only when generation succeeds and its self-test
/// agrees with the managed code; otherwise, or with ENGINE_NATIVE=0, <see cref="Multiply"/> stays null and
/// <see cref="Fp"/> runs its managed product.
/// </summary>
internal static unsafe class FpKernels
{
    /// <summary>r = a·b·R⁻¹ mod p (Montgomery form in and out, canonical); r may alias a or b. The fourth argument is <see cref="Constants"/>.</summary>
    public static readonly delegate* unmanaged[SuppressGCTransition]<Fp*, Fp*, Fp*, ulong*, void> Multiply;

    /// <summary>p (six limbs) and −p⁻¹ mod 2^64, in pinned memory the kernels read.</summary>
    public static readonly ulong* Constants;

    /// <summary>What happened, for <c>engine info</c>.</summary>
    public static readonly string Status;

    // Keeps the pinned constants alive.
    private static readonly ulong[] ConstantStorage = GC.AllocateArray<ulong>(8, pinned: true);

    static FpKernels()
    {
        ConstantStorage[0] = Fp.P0; ConstantStorage[1] = Fp.P1; ConstantStorage[2] = Fp.P2;
        ConstantStorage[3] = Fp.P3; ConstantStorage[4] = Fp.P4; ConstantStorage[5] = Fp.P5;
        ConstantStorage[6] = Fp.MontInv;
        Constants = (ulong*)Unsafe.AsPointer(ref ConstantStorage[0]);
        Status = TryGenerate(out Multiply);
        NativeKernels.Report($"bls12-381 fp multiply: {Status}");
    }

    private static string TryGenerate(out delegate* unmanaged[SuppressGCTransition]<Fp*, Fp*, Fp*, ulong*, void> multiply)
    {
        multiply = null;
        if (!NativeKernels.Allowed) return "managed (ENGINE_NATIVE=0)";
        if (!CpuFeatures.Bmi2 || !CpuFeatures.Adx) return $"managed (the CPU lacks {(CpuFeatures.Bmi2 ? "" : "BMI2 ")}{(CpuFeatures.Adx ? "" : "ADX")})".Replace(" )", ")");
        byte[] code;
        try { code = AssembleMultiply(0); }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException) { return $"managed (assembler: {e.Message})"; }
        if (!ExecutableMemory.TryCreate(code.Length + 64, (rip, buffer) =>
            {
                byte[] placed = AssembleMultiply(rip);              // position independent, but assembled for its real address anyway
                placed.CopyTo(buffer);
                return placed.Length;
            }, out nint address, out string reason))
            return $"managed ({reason})";
        var candidate = (delegate* unmanaged[SuppressGCTransition]<Fp*, Fp*, Fp*, ulong*, void>)address;
        if (!SelfTest(candidate)) return "managed (the generated product disagreed with the managed one)";
        multiply = candidate;
        return $"mulx+adcx/adox, {code.Length} bytes at 0x{address:x}";
    }

    // Six products, the extreme values included, against the managed CIOS.
    private static bool SelfTest(delegate* unmanaged[SuppressGCTransition]<Fp*, Fp*, Fp*, ulong*, void> candidate)
    {
        Fp pMinus1 = Fp.Zero - Fp.One;
        Fp[] values = [Fp.Zero, Fp.One, pMinus1, Bls12381.FpFromHex(Bls12381.G1XHex), Bls12381.FpFromHex(Bls12381.G1YHex), pMinus1 - Fp.One];
        foreach (Fp a in values)
            foreach (Fp b in values)
            {
                Fp r, x = a, y = b;
                candidate(&r, &x, &y, Constants);
                if (r != Fp.MultiplyManaged(a, b)) return false;
            }
        return true;
    }

    /// <summary>The product's code (System V: rdi = r, rsi = a, rdx = b, rcx = constants).</summary>
    internal static byte[] AssembleMultiply(ulong rip)
    {
        var asm = new Assembler(64);
        AssemblerRegister64[] saved = [rbx, rbp, r12, r13, r14, r15];
        foreach (AssemblerRegister64 r in saved) asm.push(r);
        asm.mov(r15, rdx);                                          // b: rdx is mulx's implicit operand
        asm.xor(ebp, ebp);                                          // a zero to fold the last carry in
        AssemblerRegister64[] t = [r8, r9, r10, r11, r12, r13, r14];
        foreach (AssemblerRegister64 r in t) asm.xor(r, r);
        for (int i = 0; i < 6; i++)
        {
            // t += a·b_i: low halves on the OF chain into t_j, high halves on the CF chain into t_{j+1}.
            asm.mov(rdx, __qword_ptr[r15 + 8 * i]);
            asm.xor(eax, eax);                                      // clears CF and OF
            for (int j = 0; j < 6; j++)
            {
                asm.mulx(rbx, rax, __qword_ptr[rsi + 8 * j]);
                asm.adox(t[j], rax);
                asm.adcx(t[j + 1], rbx);
            }
            asm.adox(t[6], rbp);
            // m = t_0·(−p⁻¹) mod 2^64; t += m·p makes t_0 zero. The sum fits seven words (t < 2p + 2^65·p), so no
            // carry leaves t_6 at any step.
            asm.mov(rdx, t[0]);
            asm.imul(rdx, __qword_ptr[rcx + 48]);
            asm.xor(eax, eax);
            for (int j = 0; j < 6; j++)
            {
                asm.mulx(rbx, rax, __qword_ptr[rcx + 8 * j]);
                asm.adox(t[j], rax);
                asm.adcx(t[j + 1], rbx);
            }
            asm.adox(t[6], rbp);
            // Divide by 2^64: the next round's t_0..t_5 are t_1..t_6, and the zero t_0 becomes its t_6.
            t = [t[1], t[2], t[3], t[4], t[5], t[6], t[0]];
        }
        // t < 2p: subtract p into six scratch registers and keep t only if that borrowed (cmov, no branch).
        AssemblerRegister64[] d = [rax, rbx, rdx, rsi, r15, rbp];
        for (int j = 0; j < 6; j++)
        {
            asm.mov(d[j], t[j]);
            if (j == 0) asm.sub(d[j], __qword_ptr[rcx]);
            else asm.sbb(d[j], __qword_ptr[rcx + 8 * j]);
        }
        for (int j = 0; j < 6; j++) asm.cmovae(t[j], d[j]);
        for (int j = 0; j < 6; j++) asm.mov(__qword_ptr[rdi + 8 * j], t[j]);
        for (int i = saved.Length - 1; i >= 0; i--) asm.pop(saved[i]);
        asm.ret();
        using var stream = new MemoryStream();
        asm.Assemble(new StreamCodeWriter(stream), rip);
        return stream.ToArray();
    }
}
