using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Engine.Pairing.Native;

/// <summary>
/// The F_p⁶ and F_p¹² products of the Miller loop and the final exponentiation as generated kernels: the same formulas
/// as <see cref="Fields.Fp6"/> and <see cref="Fields.Fp12"/>, composed of the F_p² product and square and the F_p
/// sum and difference by label, so that a whole tower product runs without returning to managed code (profiled on
/// Zen 5: the managed composition spent about as long copying F_p² values between calls as the products took).
/// Every kernel keeps rbx, rbp and r12–r15, writes its result only after its last read of the operands (so the result
/// may alias them), and wipes its stack scratch. Layout: F_p 48 bytes, F_p² (c0, c1) 96, F_p⁶ (c0, c1, c2) 288,
/// F_p¹² (c0, c1) 576.
/// </summary>
internal static unsafe partial class FpKernels
{
    private const int Fp2Size = 96, Fp6Size = 288;

    /// <summary>The labels a composite kernel calls and the operations it builds from them.</summary>
    private sealed class Tower(Assembler asm, Label add, Label subtract, Label fp2Multiply, Label fp2Square, Label fp6Multiply)
    {
        public void Fp2Add(AssemblerMemoryOperand dst, AssemblerMemoryOperand x, AssemblerMemoryOperand y) => Twice(add, dst, x, y);

        public void Fp2Sub(AssemblerMemoryOperand dst, AssemblerMemoryOperand x, AssemblerMemoryOperand y) => Twice(subtract, dst, x, y);

        public void Fp2Mul(AssemblerMemoryOperand dst, AssemblerMemoryOperand x, AssemblerMemoryOperand y) => Call(asm, fp2Multiply, dst, x, y);

        public void Fp2Square(AssemblerMemoryOperand dst, AssemblerMemoryOperand x)
        {
            asm.lea(rdi, dst);
            asm.lea(rsi, x);
            asm.mov(rdx, r13);
            asm.call(fp2Square);
        }

        /// <summary>dst = ξ·x = (x0 − x1) + (x0 + x1)·u; dst must not alias x.</summary>
        public void Fp2MulByNonresidue(AssemblerMemoryOperand dst, AssemblerMemoryOperand x)
        {
            Call(asm, subtract, dst, x, x + 48);
            Call(asm, add, dst + 48, x, x + 48);
        }

        public void Fp6Add(AssemblerMemoryOperand dst, AssemblerMemoryOperand x, AssemblerMemoryOperand y)
        {
            for (int k = 0; k < 3; k++) Fp2Add(dst + Fp2Size * k, x + Fp2Size * k, y + Fp2Size * k);
        }

        public void Fp6Sub(AssemblerMemoryOperand dst, AssemblerMemoryOperand x, AssemblerMemoryOperand y)
        {
            for (int k = 0; k < 3; k++) Fp2Sub(dst + Fp2Size * k, x + Fp2Size * k, y + Fp2Size * k);
        }

        public void Fp6Mul(AssemblerMemoryOperand dst, AssemblerMemoryOperand x, AssemblerMemoryOperand y) => Call(asm, fp6Multiply, dst, x, y);

        /// <summary>dst = v·x + y (v·(x0, x1, x2) = (ξ·x2, x0, x1)); <paramref name="temp"/> is one F_p² of scratch; dst may alias y only.</summary>
        public void Fp6MulByNonresidueAdd(AssemblerMemoryOperand dst, AssemblerMemoryOperand x, AssemblerMemoryOperand y, AssemblerMemoryOperand temp)
        {
            Fp2MulByNonresidue(temp, x + 2 * Fp2Size);
            Fp2Add(dst, temp, y);
            Fp2Add(dst + Fp2Size, x, y + Fp2Size);
            Fp2Add(dst + 2 * Fp2Size, x + Fp2Size, y + 2 * Fp2Size);
        }

        private void Twice(Label kernel, AssemblerMemoryOperand dst, AssemblerMemoryOperand x, AssemblerMemoryOperand y)
        {
            Call(asm, kernel, dst, x, y);
            Call(asm, kernel, dst + 48, x + 48, y + 48);
        }
    }

    // Prologue of a composite kernel: callee-saved registers, `scratch` bytes of stack (16-byte aligned at the calls).
    private static void Enter(Assembler asm, int scratch)
    {
        foreach (AssemblerRegister64 reg in Saved) asm.push(reg);
        asm.sub(rsp, scratch + 8);
    }

    // Wipes the scratch (it held products of possibly secret values) and returns.
    private static void Leave(Assembler asm, int scratch)
    {
        asm.xor(eax, eax);
        for (int offset = 0; offset < scratch; offset += 8) asm.mov(__qword_ptr[rsp + offset], rax);
        asm.add(rsp, scratch + 8);
        for (int i = Saved.Length - 1; i >= 0; i--) asm.pop(Saved[i]);
        asm.ret();
    }

    /// <summary>
    /// F_p⁶ product (rdi = r, rsi = a, rdx = b, rcx = constants), Karatsuba as <see cref="Fields.Fp6"/>'s operator *:
    /// six F_p² products.
    /// </summary>
    private static void EmitFp6Multiply(Assembler asm, Tower tower)
    {
        const int scratch = 9 * Fp2Size;
        Enter(asm, scratch);
        asm.mov(rbx, rdi);
        asm.mov(rbp, rsi);
        asm.mov(r12, rdx);
        asm.mov(r13, rcx);
        AssemblerMemoryOperand A(int k) => __[rbp + Fp2Size * k];
        AssemblerMemoryOperand B(int k) => __[r12 + Fp2Size * k];
        AssemblerMemoryOperand R(int k) => __[rbx + Fp2Size * k];
        AssemblerMemoryOperand aa = __[rsp], bb = __[rsp + 96], cc = __[rsp + 192], t0 = __[rsp + 288], t1 = __[rsp + 384], t2 = __[rsp + 480];
        AssemblerMemoryOperand x = __[rsp + 576], y = __[rsp + 672], w = __[rsp + 768];

        tower.Fp2Mul(aa, A(0), B(0));
        tower.Fp2Mul(bb, A(1), B(1));
        tower.Fp2Mul(cc, A(2), B(2));
        tower.Fp2Add(x, A(1), A(2));
        tower.Fp2Add(y, B(1), B(2));
        tower.Fp2Mul(t0, x, y);                                   // (a1 + a2)(b1 + b2)
        tower.Fp2Add(x, A(0), A(1));
        tower.Fp2Add(y, B(0), B(1));
        tower.Fp2Mul(t1, x, y);                                   // (a0 + a1)(b0 + b1)
        tower.Fp2Add(x, A(0), A(2));
        tower.Fp2Add(y, B(0), B(2));
        tower.Fp2Mul(t2, x, y);                                   // (a0 + a2)(b0 + b2)
        // The operands are read; now the result.
        tower.Fp2Sub(t0, t0, bb);
        tower.Fp2Sub(t0, t0, cc);
        tower.Fp2MulByNonresidue(w, t0);
        tower.Fp2Add(R(0), w, aa);                                // c0 = ξ·(t0 − bb − cc) + aa
        tower.Fp2Sub(t1, t1, aa);
        tower.Fp2Sub(t1, t1, bb);
        tower.Fp2MulByNonresidue(w, cc);
        tower.Fp2Add(R(1), t1, w);                                // c1 = t1 − aa − bb + ξ·cc
        tower.Fp2Sub(t2, t2, aa);
        tower.Fp2Add(t2, t2, bb);
        tower.Fp2Sub(R(2), t2, cc);                               // c2 = t2 − aa + bb − cc
        Leave(asm, scratch);
    }

    /// <summary>F_p¹² product (rdi = r, rsi = a, rdx = b, rcx = constants), Karatsuba over F_p⁶: three F_p⁶ products.</summary>
    private static void EmitFp12Multiply(Assembler asm, Tower tower)
    {
        const int scratch = 4 * Fp6Size + Fp2Size;
        Enter(asm, scratch);
        asm.mov(rbx, rdi);
        asm.mov(rbp, rsi);
        asm.mov(r12, rdx);
        asm.mov(r13, rcx);
        AssemblerMemoryOperand aa = __[rsp], bb = __[rsp + Fp6Size], s = __[rsp + 2 * Fp6Size], t = __[rsp + 3 * Fp6Size], temp = __[rsp + 4 * Fp6Size];
        tower.Fp6Mul(aa, __[rbp], __[r12]);
        tower.Fp6Mul(bb, __[rbp + Fp6Size], __[r12 + Fp6Size]);
        tower.Fp6Add(s, __[rbp], __[rbp + Fp6Size]);
        tower.Fp6Add(t, __[r12], __[r12 + Fp6Size]);
        tower.Fp6Mul(s, s, t);                                    // (a0 + a1)(b0 + b1)
        tower.Fp6Sub(s, s, aa);
        tower.Fp6Sub(__[rbx + Fp6Size], s, bb);                   // c1 = (a0 + a1)(b0 + b1) − aa − bb
        tower.Fp6MulByNonresidueAdd(__[rbx], bb, aa, temp);       // c0 = v·bb + aa
        Leave(asm, scratch);
    }

    /// <summary>F_p¹² square (rdi = r, rsi = a, rdx = constants), complex squaring as <see cref="Fields.Fp12.Square"/>: two F_p⁶ products.</summary>
    private static void EmitFp12Square(Assembler asm, Tower tower)
    {
        const int scratch = 3 * Fp6Size + Fp2Size;
        Enter(asm, scratch);
        asm.mov(rbx, rdi);
        asm.mov(rbp, rsi);
        asm.mov(r13, rdx);
        AssemblerMemoryOperand ab = __[rsp], s = __[rsp + Fp6Size], t = __[rsp + 2 * Fp6Size], temp = __[rsp + 3 * Fp6Size];
        AssemblerMemoryOperand c0 = __[rbp], c1 = __[rbp + Fp6Size];
        tower.Fp6Mul(ab, c0, c1);
        tower.Fp6Add(s, c0, c1);
        tower.Fp6MulByNonresidueAdd(t, c1, c0, temp);             // c0 + v·c1
        tower.Fp6Mul(s, s, t);                                    // (c0 + c1)(c0 + v·c1)
        tower.Fp6Sub(s, s, ab);
        // c0 = s − v·ab, coefficient by coefficient: v·ab = (ξ·ab2, ab0, ab1).
        tower.Fp2MulByNonresidue(temp, ab + 2 * Fp2Size);
        tower.Fp2Sub(__[rbx], s, temp);
        tower.Fp2Sub(__[rbx + Fp2Size], s + Fp2Size, ab);
        tower.Fp2Sub(__[rbx + 2 * Fp2Size], s + 2 * Fp2Size, ab + Fp2Size);
        tower.Fp6Add(__[rbx + Fp6Size], ab, ab);                  // c1 = 2·ab
        Leave(asm, scratch);
    }

    /// <summary>
    /// a·ℓ for a sparse line ℓ = c0 + c1·v + c4·v·w (rdi = r, rsi = a, rdx = c0, rcx = c1, r8 = c4, r9 = constants), as
    /// <see cref="Fields.Fp12.MulBy014"/>: aa = a0·(c0 + c1·v), bb = a1·(c4·v), (a0 + a1)·(c0 + (c1 + c4)·v).
    /// </summary>
    private static void EmitMulBy014(Assembler asm, Tower tower)
    {
        const int scratch = 4 * Fp6Size + 5 * Fp2Size;
        Enter(asm, scratch);
        asm.mov(rbx, rdi);
        asm.mov(rbp, rsi);
        asm.mov(r12, rdx);                                        // c0
        asm.mov(r14, rcx);                                        // c1
        asm.mov(r15, r8);                                         // c4
        asm.mov(r13, r9);
        AssemblerMemoryOperand aa = __[rsp], bb = __[rsp + Fp6Size], sum = __[rsp + 2 * Fp6Size], product = __[rsp + 3 * Fp6Size];
        AssemblerMemoryOperand c14 = __[rsp + 4 * Fp6Size], t = c14 + Fp2Size, u = c14 + 2 * Fp2Size, w = c14 + 3 * Fp2Size, temp = c14 + 4 * Fp2Size;

        // dst = x·(b0 + b1·v) for x in F_p⁶ (Fp6.MulBy01): five F_p² products; dst must not alias x.
        void MulBy01(AssemblerMemoryOperand dst, AssemblerMemoryOperand x, AssemblerMemoryOperand b0, AssemblerMemoryOperand b1)
        {
            AssemblerMemoryOperand x0 = x, x1 = x + Fp2Size, x2 = x + 2 * Fp2Size;
            tower.Fp2Mul(t, x0, b0);                              // aa
            tower.Fp2Mul(u, x1, b1);                              // bb
            tower.Fp2Add(w, x1, x2);
            tower.Fp2Mul(w, w, b1);
            tower.Fp2Sub(w, w, u);
            tower.Fp2MulByNonresidue(temp, w);
            tower.Fp2Add(dst, temp, t);                           // c0 = ξ·((x1 + x2)·b1 − bb) + aa
            tower.Fp2Add(w, x0, x2);
            tower.Fp2Mul(w, w, b0);
            tower.Fp2Sub(w, w, t);
            tower.Fp2Add(dst + 2 * Fp2Size, w, u);                // c2 = (x0 + x2)·b0 − aa + bb
            tower.Fp2Add(w, x0, x1);
            tower.Fp2Add(temp, b0, b1);
            tower.Fp2Mul(w, w, temp);
            tower.Fp2Sub(w, w, t);
            tower.Fp2Sub(dst + Fp2Size, w, u);                    // c1 = (x0 + x1)(b0 + b1) − aa − bb
        }

        AssemblerMemoryOperand a0 = __[rbp], a1 = __[rbp + Fp6Size];
        MulBy01(aa, a0, __[r12], __[r14]);
        // bb = a1·(c4·v) = (ξ·a12·c4, a10·c4, a11·c4) (Fp6.MulBy1)
        tower.Fp2Mul(t, a1 + 2 * Fp2Size, __[r15]);
        tower.Fp2MulByNonresidue(bb, t);
        tower.Fp2Mul(bb + Fp2Size, a1, __[r15]);
        tower.Fp2Mul(bb + 2 * Fp2Size, a1 + Fp2Size, __[r15]);
        tower.Fp6Add(sum, a0, a1);
        tower.Fp2Add(c14, __[r14], __[r15]);
        MulBy01(product, sum, __[r12], c14);
        // The operands are read; now the result: c1 = (a0 + a1)·(c0 + (c1 + c4)·v) − aa − bb, c0 = v·bb + aa.
        tower.Fp6Sub(product, product, aa);
        tower.Fp6Sub(__[rbx + Fp6Size], product, bb);
        tower.Fp6MulByNonresidueAdd(__[rbx], bb, aa, temp);
        Leave(asm, scratch);
    }
}
