using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Engine.Pairing.Native;

internal static unsafe partial class FpKernels
{
    // Stack scratch of the cyclotomic square: nine F_p² values (the six F_p⁴ square halves and three temporaries).
    private const int CyclotomicScratch = 9 * 96 + 8;               // + 8 keeps rsp 16-byte aligned at the calls

    /// <summary>
    /// The F_p¹² cyclotomic square of <see cref="Fields.Fp12.CyclotomicSquare"/> (Granger–Scott, PKC 2010, §3.2) in one
    /// kernel (rdi = r, rsi = a, rdx = constants; r may alias a): the nine F_p² squares and the F_p additions call the
    /// kernels of this block by label, so the 315 squarings of a final exponentiation never return to managed code
    /// between them (the managed composition spent as long shuffling F_p² values as the products took).
    /// Layout: F_p (48 bytes), F_p² = (c0, c1) (96), F_p⁶ = (c0, c1, c2) (288), F_p¹² = (c0, c1) (576).
    /// </summary>
    private static void EmitCyclotomicSquare(Assembler asm, Label add, Label subtract, Label fp2Square)
    {
        foreach (AssemblerRegister64 reg in Saved) asm.push(reg);
        asm.sub(rsp, CyclotomicScratch);
        asm.mov(rbx, rdi);                                          // r
        asm.mov(rbp, rsi);                                          // a
        asm.mov(r13, rdx);                                          // constants

        // The six F_p² coefficients as three F_p⁴ elements (z0 + z1·s), (z2 + z3·s), (z4 + z5·s), s² = ξ.
        AssemblerMemoryOperand Z(int index) => index switch
        {
            0 => __[rbp], 4 => __[rbp + 96], 3 => __[rbp + 192], 2 => __[rbp + 288], 1 => __[rbp + 384], _ => __[rbp + 480],
        };
        AssemblerMemoryOperand R(int index) => index switch
        {
            0 => __[rbx], 4 => __[rbx + 96], 3 => __[rbx + 192], 2 => __[rbx + 288], 1 => __[rbx + 384], _ => __[rbx + 480],
        };
        AssemblerMemoryOperand S(int slot) => __[rsp + 96 * slot];
        AssemblerMemoryOperand a0 = S(0), a1 = S(1), b0 = S(2), b1 = S(3), c0 = S(4), c1 = S(5), t = S(6), u = S(7), w = S(8);

        void Fp2(Label kernel, AssemblerMemoryOperand dst, AssemblerMemoryOperand x, AssemblerMemoryOperand y)
        {
            Call(asm, kernel, dst, x, y);
            Call(asm, kernel, dst + 48, x + 48, y + 48);
        }
        void Square(AssemblerMemoryOperand dst, AssemblerMemoryOperand x)
        {
            asm.lea(rdi, dst);
            asm.lea(rsi, x);
            asm.mov(rdx, r13);
            asm.call(fp2Square);
        }
        // dst = ξ·x = (x0 − x1) + (x0 + x1)·u (dst must not alias x).
        void MulByNonresidue(AssemblerMemoryOperand dst, AssemblerMemoryOperand x)
        {
            Call(asm, subtract, dst, x, x + 48);
            Call(asm, add, dst + 48, x, x + 48);
        }
        // (x + y·s)² = (x² + ξ·y², 2xy) with 2xy = (x + y)² − x² − y².
        void SquareFp4(AssemblerMemoryOperand out0, AssemblerMemoryOperand out1, AssemblerMemoryOperand x, AssemblerMemoryOperand y)
        {
            Square(t, x);                                           // t = x²
            Square(u, y);                                           // u = y²
            Fp2(add, w, x, y);
            Square(out1, w);
            Fp2(subtract, out1, out1, t);
            Fp2(subtract, out1, out1, u);                           // 2xy
            MulByNonresidue(w, u);
            Fp2(add, out0, w, t);                                   // x² + ξ·y²
        }
        // dst = 3·square ± 2·old = 2·(square ± old) + square.
        void ThreeTimes(Label sign, AssemblerMemoryOperand dst, AssemblerMemoryOperand square, AssemblerMemoryOperand old)
        {
            Fp2(sign, t, square, old);
            Fp2(add, t, t, t);
            Fp2(add, dst, t, square);
        }

        SquareFp4(a0, a1, Z(0), Z(1));
        SquareFp4(b0, b1, Z(2), Z(3));
        SquareFp4(c0, c1, Z(4), Z(5));
        // Every square is taken before any output is written, and each output reads only its own old coefficient,
        // so r may alias a.
        ThreeTimes(subtract, R(0), a0, Z(0));
        ThreeTimes(add, R(1), a1, Z(1));
        ThreeTimes(subtract, R(4), b0, Z(4));
        ThreeTimes(add, R(5), b1, Z(5));
        MulByNonresidue(u, c1);
        ThreeTimes(add, R(2), u, Z(2));
        ThreeTimes(subtract, R(3), c0, Z(3));

        // The scratch held squares of possibly secret values: wipe it.
        asm.xor(eax, eax);
        for (int offset = 0; offset < CyclotomicScratch - 8; offset += 8) asm.mov(__qword_ptr[rsp + offset], rax);
        asm.add(rsp, CyclotomicScratch);
        for (int i = Saved.Length - 1; i >= 0; i--) asm.pop(Saved[i]);
        asm.ret();
    }
}
