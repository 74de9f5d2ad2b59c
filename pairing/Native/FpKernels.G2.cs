using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Engine.Pairing.Native;

/// <summary>
/// The complete G2 doubling and addition of <see cref="Groups.Projective{F}"/> on F_p² (Renes, Costello and Batina,
/// EUROCRYPT 2016, Algorithms 9 and 7 for a = 0) as generated kernels, step for step the managed formulas: a G2
/// scalar multiplication, the cofactor clearing of hash to G2 (about 130 doublings) and the G2 subgroup check run on
/// them without returning to managed code between F_p² operations. Projective point: (X, Y, Z), 3 × 96 bytes. The
/// result is copied out of the scratch at the end, so it may alias an operand; the scratch is wiped.
/// </summary>
internal static unsafe partial class FpKernels
{
    /// <summary>Doubling (rdi = r, rsi = p, rdx = 3b, rcx = constants).</summary>
    private static void EmitG2Double(Assembler asm, Tower tower)
    {
        const int scratch = 6 * Fp2Size;
        Enter(asm, scratch);
        asm.mov(rbx, rdi);
        asm.mov(rbp, rsi);
        asm.mov(r12, rdx);                                        // 3b
        asm.mov(r13, rcx);
        AssemblerMemoryOperand x = __[rbp], y = __[rbp + Fp2Size], z = __[rbp + 2 * Fp2Size], b3 = __[r12];
        AssemblerMemoryOperand t0 = __[rsp], t1 = __[rsp + 96], t2 = __[rsp + 192], x3 = __[rsp + PointInScratch], y3 = __[rsp + PointInScratch + 96], z3 = __[rsp + PointInScratch + 192];
        tower.Fp2Square(t0, y);
        tower.Fp2Add(z3, t0, t0);
        tower.Fp2Add(z3, z3, z3);
        tower.Fp2Add(z3, z3, z3);                                 // 8Y²
        tower.Fp2Mul(t1, y, z);
        tower.Fp2Square(t2, z);
        tower.Fp2Mul(t2, b3, t2);                                 // 3b·Z²
        tower.Fp2Mul(x3, t2, z3);
        tower.Fp2Add(y3, t0, t2);
        tower.Fp2Mul(z3, t1, z3);
        tower.Fp2Add(t1, t2, t2);
        tower.Fp2Add(t2, t1, t2);
        tower.Fp2Sub(t0, t0, t2);
        tower.Fp2Mul(y3, t0, y3);
        tower.Fp2Add(y3, x3, y3);
        tower.Fp2Mul(t1, x, y);
        tower.Fp2Mul(x3, t0, t1);
        tower.Fp2Add(x3, x3, x3);
        CopyPoint(asm);
        Leave(asm, scratch);
    }

    /// <summary>Addition (rdi = r, rsi = p, rdx = q, rcx = 3b, r8 = constants).</summary>
    private static void EmitG2Add(Assembler asm, Tower tower)
    {
        const int scratch = 8 * Fp2Size;
        Enter(asm, scratch);
        asm.mov(rbx, rdi);
        asm.mov(rbp, rsi);
        asm.mov(r12, rdx);
        asm.mov(r14, rcx);                                        // 3b
        asm.mov(r13, r8);
        AssemblerMemoryOperand px = __[rbp], py = __[rbp + Fp2Size], pz = __[rbp + 2 * Fp2Size];
        AssemblerMemoryOperand qx = __[r12], qy = __[r12 + Fp2Size], qz = __[r12 + 2 * Fp2Size], b3 = __[r14];
        AssemblerMemoryOperand t0 = __[rsp], t1 = __[rsp + 96], t2 = __[rsp + 192], x3 = __[rsp + PointInScratch], y3 = __[rsp + PointInScratch + 96], z3 = __[rsp + PointInScratch + 192];
        AssemblerMemoryOperand t3 = __[rsp + 576], t4 = __[rsp + 672];
        tower.Fp2Mul(t0, px, qx);
        tower.Fp2Mul(t1, py, qy);
        tower.Fp2Mul(t2, pz, qz);
        tower.Fp2Add(t3, px, py);
        tower.Fp2Add(t4, qx, qy);
        tower.Fp2Mul(t3, t3, t4);
        tower.Fp2Add(t4, t0, t1);
        tower.Fp2Sub(t3, t3, t4);                                 // X1Y2 + X2Y1
        tower.Fp2Add(t4, py, pz);
        tower.Fp2Add(x3, qy, qz);
        tower.Fp2Mul(t4, t4, x3);
        tower.Fp2Add(x3, t1, t2);
        tower.Fp2Sub(t4, t4, x3);                                 // Y1Z2 + Y2Z1
        tower.Fp2Add(x3, px, pz);
        tower.Fp2Add(y3, qx, qz);
        tower.Fp2Mul(x3, x3, y3);
        tower.Fp2Add(y3, t0, t2);
        tower.Fp2Sub(y3, x3, y3);                                 // X1Z2 + X2Z1
        tower.Fp2Add(x3, t0, t0);
        tower.Fp2Add(t0, x3, t0);                                 // 3·X1X2
        tower.Fp2Mul(t2, b3, t2);
        tower.Fp2Add(z3, t1, t2);
        tower.Fp2Sub(t1, t1, t2);
        tower.Fp2Mul(y3, b3, y3);
        tower.Fp2Mul(x3, t4, y3);
        tower.Fp2Mul(t2, t3, t1);
        tower.Fp2Sub(x3, t2, x3);
        tower.Fp2Mul(y3, y3, t0);
        tower.Fp2Mul(t1, t1, z3);
        tower.Fp2Add(y3, t1, y3);
        tower.Fp2Mul(t0, t0, t3);
        tower.Fp2Mul(z3, z3, t4);
        tower.Fp2Add(z3, z3, t0);
        CopyPoint(asm);
        Leave(asm, scratch);
    }

    // Where x3, y3, z3 (adjacent) sit in both kernels' scratch.
    private const int PointInScratch = 3 * Fp2Size;

    // r (rbx) = (x3, y3, z3).
    private static void CopyPoint(Assembler asm)
    {
        for (int offset = 0; offset < 3 * Fp2Size; offset += 8)
        {
            asm.mov(rax, __qword_ptr[rsp + PointInScratch + offset]);
            asm.mov(__qword_ptr[rbx + offset], rax);
        }
    }
}
