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

    /// <summary>r = a + b mod p; r may alias a or b.</summary>
    public static readonly delegate* unmanaged[SuppressGCTransition]<Fp*, Fp*, Fp*, ulong*, void> Add;

    /// <summary>r = a − b mod p; r may alias a or b.</summary>
    public static readonly delegate* unmanaged[SuppressGCTransition]<Fp*, Fp*, Fp*, ulong*, void> Subtract;

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
        Status = TryGenerate(out Multiply, out Add, out Subtract);
        NativeKernels.Report($"bls12-381 fp multiply, add, subtract: {Status}");
    }

    private delegate byte[] Emitter(ulong rip);

    private static string TryGenerate(out delegate* unmanaged[SuppressGCTransition]<Fp*, Fp*, Fp*, ulong*, void> multiply,
                                      out delegate* unmanaged[SuppressGCTransition]<Fp*, Fp*, Fp*, ulong*, void> add,
                                      out delegate* unmanaged[SuppressGCTransition]<Fp*, Fp*, Fp*, ulong*, void> subtract)
    {
        multiply = add = subtract = null;
        if (!NativeKernels.Allowed) return "managed (ENGINE_NATIVE=0)";
        if (!CpuFeatures.Bmi2 || !CpuFeatures.Adx) return $"managed (the CPU lacks {(CpuFeatures.Bmi2 ? "" : "BMI2 ")}{(CpuFeatures.Adx ? "" : "ADX")})".Replace(" )", ")");
        Emitter[] kernels = [AssembleMultiply, AssembleAdd, AssembleSubtract];
        var offsets = new int[kernels.Length];
        int size = 0;
        try
        {
            foreach ((Emitter emit, int i) in kernels.Select((k, i) => (k, i)))
            {
                offsets[i] = size;
                size = (size + emit(0).Length + 63) & ~63;            // each kernel on its own cache line
            }
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException) { return $"managed (assembler: {e.Message})"; }
        if (!ExecutableMemory.TryCreate(size, (rip, buffer) =>
            {
                for (int i = 0; i < kernels.Length; i++) kernels[i](rip + (ulong)offsets[i]).CopyTo(buffer[offsets[i]..]);
                return size;
            }, out nint address, out string reason))
            return $"managed ({reason})";
        var m = (delegate* unmanaged[SuppressGCTransition]<Fp*, Fp*, Fp*, ulong*, void>)address;
        var a = (delegate* unmanaged[SuppressGCTransition]<Fp*, Fp*, Fp*, ulong*, void>)(address + offsets[1]);
        var d = (delegate* unmanaged[SuppressGCTransition]<Fp*, Fp*, Fp*, ulong*, void>)(address + offsets[2]);
        if (!SelfTest(m, a, d)) return "managed (a generated kernel disagreed with the managed one)";
        multiply = m;
        add = a;
        subtract = d;
        return $"mulx+adcx/adox, {size} bytes at 0x{address:x}";
    }

    // Products, sums and differences of six values, the extreme ones included, against the managed code.
    private static bool SelfTest(delegate* unmanaged[SuppressGCTransition]<Fp*, Fp*, Fp*, ulong*, void> multiply,
                                 delegate* unmanaged[SuppressGCTransition]<Fp*, Fp*, Fp*, ulong*, void> add,
                                 delegate* unmanaged[SuppressGCTransition]<Fp*, Fp*, Fp*, ulong*, void> subtract)
    {
        Fp pMinus1 = Fp.SubtractManaged(Fp.Zero, Fp.One);
        Fp[] values = [Fp.Zero, Fp.One, pMinus1, Bls12381.FpFromHex(Bls12381.G1XHex), Bls12381.FpFromHex(Bls12381.G1YHex), Fp.SubtractManaged(pMinus1, Fp.One)];
        foreach (Fp a in values)
            foreach (Fp b in values)
            {
                Fp r, x = a, y = b;
                multiply(&r, &x, &y, Constants);
                if (r != Fp.MultiplyManaged(a, b)) return false;
                add(&r, &x, &y, Constants);
                if (r != Fp.AddManaged(a, b)) return false;
                subtract(&r, &x, &y, Constants);
                if (r != Fp.SubtractManaged(a, b)) return false;
            }
        return true;
    }

    /// <summary>
    /// a + b mod p: the sum (no carry out: a + b &lt; 2p &lt; 2^382) is stored, p subtracted in registers, and the stored
    /// sum read back with cmov when that borrowed.
    /// </summary>
    internal static byte[] AssembleAdd(ulong rip)
    {
        var asm = new Assembler(64);
        AssemblerRegister64[] s = [rax, r8, r9, r10, r11, rsi];     // rsi last: a is read before it is overwritten
        for (int j = 0; j < 6; j++)
        {
            asm.mov(s[j], __qword_ptr[rsi + 8 * j]);
            if (j == 0) asm.add(s[j], __qword_ptr[rdx]);
            else asm.adc(s[j], __qword_ptr[rdx + 8 * j]);
        }
        for (int j = 0; j < 6; j++) asm.mov(__qword_ptr[rdi + 8 * j], s[j]);
        for (int j = 0; j < 6; j++)
        {
            if (j == 0) asm.sub(s[j], __qword_ptr[rcx]);
            else asm.sbb(s[j], __qword_ptr[rcx + 8 * j]);
        }
        for (int j = 0; j < 6; j++) asm.cmovb(s[j], __qword_ptr[rdi + 8 * j]);
        for (int j = 0; j < 6; j++) asm.mov(__qword_ptr[rdi + 8 * j], s[j]);
        asm.ret();
        return Encode(asm, rip);
    }

    /// <summary>a − b mod p: the difference is stored, p added in registers, and the stored difference kept with cmov when a ≥ b.</summary>
    internal static byte[] AssembleSubtract(ulong rip)
    {
        var asm = new Assembler(64);
        AssemblerRegister64[] s = [rax, r8, r9, r10, r11, rsi];
        for (int j = 0; j < 6; j++)
        {
            asm.mov(s[j], __qword_ptr[rsi + 8 * j]);
            if (j == 0) asm.sub(s[j], __qword_ptr[rdx]);
            else asm.sbb(s[j], __qword_ptr[rdx + 8 * j]);
        }
        asm.sbb(rdx, rdx);                                          // −1 when a < b
        for (int j = 0; j < 6; j++) asm.mov(__qword_ptr[rdi + 8 * j], s[j]);
        for (int j = 0; j < 6; j++)
        {
            if (j == 0) asm.add(s[j], __qword_ptr[rcx]);
            else asm.adc(s[j], __qword_ptr[rcx + 8 * j]);
        }
        asm.test(rdx, rdx);
        for (int j = 0; j < 6; j++) asm.cmove(s[j], __qword_ptr[rdi + 8 * j]);
        for (int j = 0; j < 6; j++) asm.mov(__qword_ptr[rdi + 8 * j], s[j]);
        asm.ret();
        return Encode(asm, rip);
    }

    private static byte[] Encode(Assembler asm, ulong rip)
    {
        using var stream = new MemoryStream();
        asm.Assemble(new StreamCodeWriter(stream), rip);
        return stream.ToArray();
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
        return Encode(asm, rip);
    }
}
