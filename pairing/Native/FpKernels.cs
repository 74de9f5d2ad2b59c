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
internal static unsafe partial class FpKernels
{
    /// <summary>r = a·b·R⁻¹ mod p (Montgomery form in and out, canonical); r may alias a or b. The fourth argument is <see cref="Constants"/>.</summary>
    public static readonly delegate* unmanaged[SuppressGCTransition]<Fp*, Fp*, Fp*, ulong*, void> Multiply;

    /// <summary>r = a + b mod p; r may alias a or b.</summary>
    public static readonly delegate* unmanaged[SuppressGCTransition]<Fp*, Fp*, Fp*, ulong*, void> Add;

    /// <summary>r = a − b mod p; r may alias a or b.</summary>
    public static readonly delegate* unmanaged[SuppressGCTransition]<Fp*, Fp*, Fp*, ulong*, void> Subtract;

    /// <summary>r = a·b in F_p² = F_p[u]/(u² + 1) (Karatsuba: three products), composed of the kernels above without leaving native code.</summary>
    public static readonly delegate* unmanaged[SuppressGCTransition]<Fp2*, Fp2*, Fp2*, ulong*, void> Fp2Multiply;

    /// <summary>r = a² in F_p²: (a0 + a1)(a0 − a1) + 2·a0·a1·u, two products.</summary>
    public static readonly delegate* unmanaged[SuppressGCTransition]<Fp2*, Fp2*, ulong*, void> Fp2Square;

    /// <summary>r = a² for a in the cyclotomic subgroup of F_p¹² (Granger–Scott); r may alias a.</summary>
    public static readonly delegate* unmanaged[SuppressGCTransition]<Fields.Fp12*, Fields.Fp12*, ulong*, void> CyclotomicSquare;

    /// <summary>r = a·b in F_p⁶ (<see cref="FpKernels.EmitFp6Multiply"/>); r may alias a or b.</summary>
    public static readonly delegate* unmanaged[SuppressGCTransition]<Fp6*, Fp6*, Fp6*, ulong*, void> Fp6Multiply;

    /// <summary>r = a·b in F_p¹²; r may alias a or b.</summary>
    public static readonly delegate* unmanaged[SuppressGCTransition]<Fp12*, Fp12*, Fp12*, ulong*, void> Fp12Multiply;

    /// <summary>r = a² in F_p¹²; r may alias a.</summary>
    public static readonly delegate* unmanaged[SuppressGCTransition]<Fp12*, Fp12*, ulong*, void> Fp12Square;

    /// <summary>r = a·(c0 + c1·v + c4·v·w) (r, a, c0, c1, c4, constants); r may alias a.</summary>
    public static readonly delegate* unmanaged[SuppressGCTransition]<Fp12*, Fp12*, Fp2*, Fp2*, Fp2*, ulong*, void> MulBy014;

    /// <summary>r = 2p on G2 (r, p, 3b, constants; projective over F_p²); r may alias p.</summary>
    public static readonly delegate* unmanaged[SuppressGCTransition]<void*, void*, Fp2*, ulong*, void> G2Double;

    /// <summary>r = p + q on G2 (r, p, q, 3b, constants); r may alias p or q.</summary>
    public static readonly delegate* unmanaged[SuppressGCTransition]<void*, void*, void*, Fp2*, ulong*, void> G2Add;

    /// <summary>r = a^e for a fixed exponent's schedule (r, a, schedule, constants, steps); r may alias a.</summary>
    public static readonly delegate* unmanaged[SuppressGCTransition]<Fp*, Fp*, uint*, ulong*, long, void> PowKernel;

    /// <summary>p (six limbs) and −p⁻¹ mod 2^64, in pinned memory the kernels read.</summary>
    public static readonly ulong* Constants;

    /// <summary>What happened, for <c>engine info</c>.</summary>
    public static readonly string Status;

    // Keeps the pinned constants alive.
    private static readonly ulong[] ConstantStorage = GC.AllocateArray<ulong>(14, pinned: true);

    // Where 1 in Montgomery form (R mod p) sits in the constants, after p and −p⁻¹.
    private const int OneOffset = 64;

    static FpKernels()
    {
        ConstantStorage[0] = Fp.P0; ConstantStorage[1] = Fp.P1; ConstantStorage[2] = Fp.P2;
        ConstantStorage[3] = Fp.P3; ConstantStorage[4] = Fp.P4; ConstantStorage[5] = Fp.P5;
        ConstantStorage[6] = Fp.MontInv;
        Fp one = Fp.One;                                             // a constant expression: no other static state
        (ConstantStorage[8], ConstantStorage[9], ConstantStorage[10]) = (one.L0, one.L1, one.L2);
        (ConstantStorage[11], ConstantStorage[12], ConstantStorage[13]) = (one.L3, one.L4, one.L5);
        Constants = (ulong*)Unsafe.AsPointer(ref ConstantStorage[0]);
        Status = TryGenerate(out nint address, out Offsets offsets);
        if (address != 0)
        {
            Multiply = (delegate* unmanaged[SuppressGCTransition]<Fp*, Fp*, Fp*, ulong*, void>)(address + offsets.Multiply);
            Add = (delegate* unmanaged[SuppressGCTransition]<Fp*, Fp*, Fp*, ulong*, void>)(address + offsets.Add);
            Subtract = (delegate* unmanaged[SuppressGCTransition]<Fp*, Fp*, Fp*, ulong*, void>)(address + offsets.Subtract);
            Fp2Multiply = (delegate* unmanaged[SuppressGCTransition]<Fp2*, Fp2*, Fp2*, ulong*, void>)(address + offsets.Fp2Multiply);
            Fp2Square = (delegate* unmanaged[SuppressGCTransition]<Fp2*, Fp2*, ulong*, void>)(address + offsets.Fp2Square);
            CyclotomicSquare = (delegate* unmanaged[SuppressGCTransition]<Fp12*, Fp12*, ulong*, void>)(address + offsets.CyclotomicSquare);
            Fp6Multiply = (delegate* unmanaged[SuppressGCTransition]<Fp6*, Fp6*, Fp6*, ulong*, void>)(address + offsets.Fp6Multiply);
            Fp12Multiply = (delegate* unmanaged[SuppressGCTransition]<Fp12*, Fp12*, Fp12*, ulong*, void>)(address + offsets.Fp12Multiply);
            Fp12Square = (delegate* unmanaged[SuppressGCTransition]<Fp12*, Fp12*, ulong*, void>)(address + offsets.Fp12Square);
            MulBy014 = (delegate* unmanaged[SuppressGCTransition]<Fp12*, Fp12*, Fp2*, Fp2*, Fp2*, ulong*, void>)(address + offsets.MulBy014);
            G2Double = (delegate* unmanaged[SuppressGCTransition]<void*, void*, Fp2*, ulong*, void>)(address + offsets.G2Double);
            G2Add = (delegate* unmanaged[SuppressGCTransition]<void*, void*, void*, Fp2*, ulong*, void>)(address + offsets.G2Add);
            PowKernel = (delegate* unmanaged[SuppressGCTransition]<Fp*, Fp*, uint*, ulong*, long, void>)(address + offsets.Pow);
        }
        NativeKernels.Report($"bls12-381 fp multiply, add, subtract, fp2 multiply, square, fp6 multiply, fp12 multiply, square, cyclotomic square, sparse line product, g2 double, add, fp pow: {Status}");
    }

    /// <summary>Where each kernel starts in the block.</summary>
    internal readonly record struct Offsets(int Multiply, int Add, int Subtract, int Fp2Multiply, int Fp2Square, int CyclotomicSquare,
                                             int Fp6Multiply, int Fp12Multiply, int Fp12Square, int MulBy014, int G2Double, int G2Add, int Pow);

    private static string TryGenerate(out nint address, out Offsets offsets)
    {
        address = 0;
        offsets = default;
        if (!NativeKernels.Allowed) return "managed (ENGINE_NATIVE=0)";
        if (!CpuFeatures.Bmi2 || !CpuFeatures.Adx) return $"managed (the CPU lacks {(CpuFeatures.Bmi2 ? "" : "BMI2 ")}{(CpuFeatures.Adx ? "" : "ADX")})".Replace(" )", ")");
        Offsets placed = default;
        if (!ExecutableMemory.TryInstall(rip => AssembleAll(rip, out placed), placedBlock => SelfTest(placedBlock, placed),
                                         "a generated kernel disagreed with the managed one", out nint block, out int size, out string failure))
            return $"managed ({failure})";
        address = block;
        offsets = placed;
        return $"mulx+adcx/adox, {size} bytes at 0x{block:x}";
    }

    /// <summary>Every kernel in one block (position independent; the Fp² kernels call the F_p ones by label).</summary>
    internal static byte[] AssembleAll(ulong rip, out Offsets offsets)
    {
        var asm = new Assembler(64);
        Label multiply = asm.CreateLabel(), add = asm.CreateLabel(), subtract = asm.CreateLabel(), fp2Multiply = asm.CreateLabel(), fp2Square = asm.CreateLabel();
        Label cyclotomicSquare = asm.CreateLabel(), fp6Multiply = asm.CreateLabel(), fp12Multiply = asm.CreateLabel(), fp12Square = asm.CreateLabel();
        Label mulBy014 = asm.CreateLabel(), g2Double = asm.CreateLabel(), g2Add = asm.CreateLabel(), pow = asm.CreateLabel();
        asm.Label(ref multiply);
        EmitMultiply(asm);
        asm.Label(ref add);
        EmitAdd(asm);
        asm.Label(ref subtract);
        EmitSubtract(asm);
        asm.Label(ref fp2Multiply);
        EmitFp2Multiply(asm, multiply, add, subtract);
        asm.Label(ref fp2Square);
        EmitFp2Square(asm, multiply, add, subtract);
        asm.Label(ref cyclotomicSquare);
        EmitCyclotomicSquare(asm, add, subtract, fp2Square);
        var tower = new Tower(asm, add, subtract, fp2Multiply, fp2Square, fp6Multiply);
        asm.Label(ref fp6Multiply);
        EmitFp6Multiply(asm, tower);
        asm.Label(ref fp12Multiply);
        EmitFp12Multiply(asm, tower);
        asm.Label(ref fp12Square);
        EmitFp12Square(asm, tower);
        asm.Label(ref mulBy014);
        EmitMulBy014(asm, tower);
        asm.Label(ref g2Double);
        EmitG2Double(asm, tower);
        asm.Label(ref g2Add);
        EmitG2Add(asm, tower);
        asm.Label(ref pow);
        EmitPow(asm, multiply);
        using var stream = new MemoryStream();
        AssemblerResult result = asm.Assemble(new StreamCodeWriter(stream), rip, BlockEncoderOptions.ReturnNewInstructionOffsets);
        int At(Label l) => (int)(result.GetLabelRIP(l) - rip);
        offsets = new Offsets(At(multiply), At(add), At(subtract), At(fp2Multiply), At(fp2Square), At(cyclotomicSquare),
                             At(fp6Multiply), At(fp12Multiply), At(fp12Square), At(mulBy014), At(g2Double), At(g2Add), At(pow));
        return stream.ToArray();
    }

    // Callee-saved registers of the Fp² kernels and their scratch: five F_p values on the stack.
    private static readonly AssemblerRegister64[] Saved = [rbx, rbp, r12, r13, r14, r15];
    private const int Scratch = 5 * 48 + 8;                          // + 8 keeps rsp 16-byte aligned at the calls

    private static void Prologue(Assembler asm)
    {
        foreach (AssemblerRegister64 r in Saved) asm.push(r);
        asm.sub(rsp, Scratch);
        asm.mov(rbx, rdi);                                          // r
        asm.mov(rbp, rsi);                                          // a
        asm.mov(r12, rdx);                                          // b (unused by the square)
        asm.mov(r13, rcx);                                          // constants
    }

    private static void Epilogue(Assembler asm)
    {
        asm.add(rsp, Scratch);
        for (int i = Saved.Length - 1; i >= 0; i--) asm.pop(Saved[i]);
        asm.ret();
    }

    // dst = kernel(x, y) with the constants: the F_p kernels keep rbx, rbp, r12–r15 (the product saves them, the
    // sum and difference never touch them).
    private static void Call(Assembler asm, Label kernel, AssemblerMemoryOperand dst, AssemblerMemoryOperand x, AssemblerMemoryOperand y)
    {
        asm.lea(rdi, dst);
        asm.lea(rsi, x);
        asm.lea(rdx, y);
        asm.mov(rcx, r13);
        asm.call(kernel);
    }

    /// <summary>Fp² product (System V: rdi = r, rsi = a, rdx = b, rcx = constants); r may alias a or b (written last).</summary>
    private static void EmitFp2Multiply(Assembler asm, Label multiply, Label add, Label subtract)
    {
        Prologue(asm);
        AssemblerMemoryOperand aa = __[rsp], bb = __[rsp + 48], sa = __[rsp + 96], sb = __[rsp + 144], cross = __[rsp + 192];
        Call(asm, multiply, aa, __[rbp], __[r12]);                  // a0·b0
        Call(asm, multiply, bb, __[rbp + 48], __[r12 + 48]);        // a1·b1
        Call(asm, add, sa, __[rbp], __[rbp + 48]);                  // a0 + a1
        Call(asm, add, sb, __[r12], __[r12 + 48]);                  // b0 + b1
        Call(asm, multiply, cross, sa, sb);
        Call(asm, subtract, __[rbx], aa, bb);                       // c0 = a0·b0 − a1·b1 (u² = −1)
        Call(asm, subtract, cross, cross, aa);
        Call(asm, subtract, __[rbx + 48], cross, bb);               // c1 = (a0 + a1)(b0 + b1) − a0·b0 − a1·b1
        Epilogue(asm);
    }

    /// <summary>Fp² square (rdi = r, rsi = a, rdx = constants); r may alias a.</summary>
    private static void EmitFp2Square(Assembler asm, Label multiply, Label add, Label subtract)
    {
        asm.mov(rcx, rdx);                                          // the constants, where Prologue expects them
        Prologue(asm);
        AssemblerMemoryOperand t = __[rsp], s = __[rsp + 48], d = __[rsp + 96];
        Call(asm, multiply, t, __[rbp], __[rbp + 48]);              // a0·a1
        Call(asm, add, s, __[rbp], __[rbp + 48]);
        Call(asm, subtract, d, __[rbp], __[rbp + 48]);
        Call(asm, multiply, __[rbx], s, d);                         // c0 = (a0 + a1)(a0 − a1)
        Call(asm, add, __[rbx + 48], t, t);                         // c1 = 2·a0·a1
        Epilogue(asm);
    }

    // Products, sums and differences of six values, the extreme ones included, and Fp² products and squares of
    // pairs of them, against the managed code.
    private static bool SelfTest(nint block, Offsets o)
    {
        var multiply = (delegate* unmanaged[SuppressGCTransition]<Fp*, Fp*, Fp*, ulong*, void>)(block + o.Multiply);
        var add = (delegate* unmanaged[SuppressGCTransition]<Fp*, Fp*, Fp*, ulong*, void>)(block + o.Add);
        var subtract = (delegate* unmanaged[SuppressGCTransition]<Fp*, Fp*, Fp*, ulong*, void>)(block + o.Subtract);
        var fp2Multiply = (delegate* unmanaged[SuppressGCTransition]<Fp2*, Fp2*, Fp2*, ulong*, void>)(block + o.Fp2Multiply);
        var fp2Square = (delegate* unmanaged[SuppressGCTransition]<Fp2*, Fp2*, ulong*, void>)(block + o.Fp2Square);
        var cyclotomicSquare = (delegate* unmanaged[SuppressGCTransition]<Fp12*, Fp12*, ulong*, void>)(block + o.CyclotomicSquare);
        var fp6Multiply = (delegate* unmanaged[SuppressGCTransition]<Fp6*, Fp6*, Fp6*, ulong*, void>)(block + o.Fp6Multiply);
        var fp12Multiply = (delegate* unmanaged[SuppressGCTransition]<Fp12*, Fp12*, Fp12*, ulong*, void>)(block + o.Fp12Multiply);
        var fp12Square = (delegate* unmanaged[SuppressGCTransition]<Fp12*, Fp12*, ulong*, void>)(block + o.Fp12Square);
        var mulBy014 = (delegate* unmanaged[SuppressGCTransition]<Fp12*, Fp12*, Fp2*, Fp2*, Fp2*, ulong*, void>)(block + o.MulBy014);
        var g2Double = (delegate* unmanaged[SuppressGCTransition]<void*, void*, Fp2*, ulong*, void>)(block + o.G2Double);
        var g2Add = (delegate* unmanaged[SuppressGCTransition]<void*, void*, void*, Fp2*, ulong*, void>)(block + o.G2Add);
        var pow = (delegate* unmanaged[SuppressGCTransition]<Fp*, Fp*, uint*, ulong*, long, void>)(block + o.Pow);
        // Exponents with leading, trailing and inner runs of zeros, a single bit, and p − 2 (the inverse).
        ulong[][] exponents = [[1], [2], [0x8000_0000_0000_0001, 1], [0, 0x10], [0xffff_ffff_ffff_ffff, 0x1f], [Fp.P0 - 2, Fp.P1, Fp.P2, Fp.P3, Fp.P4, Fp.P5]];
        var schedules = exponents.Select(e => new PowSchedule(e)).ToArray();
        // Raw limbs only: this runs inside the first F_p product, which may come from another type's static
        // constructor (Bls12381's), so nothing here may depend on other static state.
        Fp pMinus1 = new(Fp.P0 - 1, Fp.P1, Fp.P2, Fp.P3, Fp.P4, Fp.P5);
        Fp[] values =
        [
            Fp.Zero, new(1, 0, 0, 0, 0, 0), pMinus1, new(Fp.P0 - 2, Fp.P1, Fp.P2, Fp.P3, Fp.P4, Fp.P5),
            new(ulong.MaxValue, ulong.MaxValue, ulong.MaxValue, ulong.MaxValue, ulong.MaxValue, Fp.P5 - 1),   // carries everywhere
            new(0x0123_4567_89ab_cdef, 0xfedc_ba98_7654_3210, 0x0f0f_0f0f_f0f0_f0f0, 0x5555_aaaa_5555_aaaa, 0x8000_0000_0000_0001, 0x0123_4567_89ab_cdef),
        ];
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
                Fp2 u = new(a, b), v = new(b, values[3]), w;
                fp2Multiply(&w, &u, &v, Constants);
                if (w != Fp2.MultiplyManaged(u, v)) return false;
                fp2Square(&w, &u, Constants);
                if (w != Fp2.MultiplyManaged(u, u)) return false;
            }
        // The cyclotomic square is a fixed polynomial in the coefficients: compare it with the managed composition
        // (which, inside this static constructor, runs on the managed products) on any element, in place and not.
        for (int i = 0; i < values.Length; i++)
        {
            Fp2 Pick(int k) => new(values[(i + k) % values.Length], values[(i + 2 * k + 1) % values.Length]);
            Fp12 x = new(new Fp6(Pick(0), Pick(1), Pick(2)), new Fp6(Pick(3), Pick(4), Pick(5))), y;
            Fp12 expected = x.CyclotomicSquareManaged();
            cyclotomicSquare(&y, &x, Constants);
            cyclotomicSquare(&x, &x, Constants);
            if (!y.Equals(expected) || !x.Equals(expected)) return false;
            // The tower products against the managed formulas, each also in place.
            Fp12 z = new(new Fp6(Pick(5), Pick(3), Pick(1)), new Fp6(Pick(4), Pick(2), Pick(0))), q;
            Fp6 x6 = x.C0, z6 = z.C1, q6;
            Fp2 l0 = Pick(1), l1 = Pick(2), l4 = Pick(4);
            fp6Multiply(&q6, &x6, &z6, Constants);
            if (!q6.Equals(Fp6.MultiplyManaged(x6, z6))) return false;
            fp12Multiply(&q, &x, &z, Constants);
            if (!q.Equals(Fp12.MultiplyManaged(x, z))) return false;
            fp12Square(&q, &x, Constants);
            if (!q.Equals(x.SquareManaged())) return false;
            mulBy014(&q, &x, &l0, &l1, &l4, Constants);
            if (!q.Equals(x.MulBy014Managed(l0, l1, l4))) return false;
            y = x;
            fp12Multiply(&y, &y, &z, Constants);
            z6 = x6;
            fp6Multiply(&z6, &z6, &z6, Constants);
            if (!y.Equals(Fp12.MultiplyManaged(x, z)) || !z6.Equals(Fp6.MultiplyManaged(x6, x6))) return false;
            y = x;
            fp12Square(&y, &y, Constants);
            if (!y.Equals(x.SquareManaged())) return false;
            y = x;
            mulBy014(&y, &y, &l0, &l1, &l4, Constants);
            if (!y.Equals(x.MulBy014Managed(l0, l1, l4))) return false;
            // The point formulas are polynomials too: any coordinates and any 3b check them.
            var p1 = new Groups.Projective<Fp2>(Pick(0), Pick(1), Pick(2));
            var p2 = new Groups.Projective<Fp2>(Pick(3), Pick(4), Pick(5));
            Fp2 b3 = Pick(6);
            Groups.Projective<Fp2> doubled, sum;
            g2Double(&doubled, &p1, &b3, Constants);
            if (!SamePoint(doubled, p1.DoubleManaged(b3))) return false;
            g2Add(&sum, &p1, &p2, &b3, Constants);
            if (!SamePoint(sum, Groups.Projective<Fp2>.AddManaged(p1, p2, b3))) return false;
            for (int k = 0; k < exponents.Length; k++)
            {
                Fp baseValue = values[i], powered, expectedPower = Exponentiation.PowVarTime(baseValue, exponents[k]);
                pow(&powered, &baseValue, schedules[k].Address, Constants, schedules[k].Count);
                if (powered != expectedPower) return false;
                pow(&baseValue, &baseValue, schedules[k].Address, Constants, schedules[k].Count);
                if (baseValue != expectedPower) return false;
            }
        }
        return true;
    }

    // Coordinate-wise equality (the managed EqualMask compares points projectively, which would hide a scaled result).
    private static bool SamePoint(in Groups.Projective<Fp2> a, in Groups.Projective<Fp2> b) => a.X.Equals(b.X) && a.Y.Equals(b.Y) && a.Z.Equals(b.Z);

    /// <summary>
    /// a + b mod p: the sum (no carry out: a + b &lt; 2p &lt; 2^382) is stored, p subtracted in registers, and the stored
    /// sum read back with cmov when that borrowed.
    /// </summary>
    private static void EmitAdd(Assembler asm)
    {
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
    }

    /// <summary>a − b mod p: the difference is stored, p added in registers, and the stored difference kept with cmov when a ≥ b.</summary>
    private static void EmitSubtract(Assembler asm)
    {
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
    }

    /// <summary>The product's code (System V: rdi = r, rsi = a, rdx = b, rcx = constants).</summary>
    private static void EmitMultiply(Assembler asm)
    {
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
    }
}
