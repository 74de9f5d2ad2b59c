using System.Numerics;
using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Engine.BigInt.Native;

/// <summary>
/// Montgomery squares r = a²·R⁻¹ mod m by SOS (separated operand scanning), one kernel per limb count like the
/// products: the n(n − 1)/2 cross products a_i·a_j (i &lt; j) once, doubled with the n diagonal squares added in one
/// pass, then n reduction rounds over the 2n-word square: n² + n(n + 1)/2 word products against the product kernel's
/// 2n². Exponentiations are mostly squarings, and OpenSSL's <c>bn_sqrx8x_internal</c> squares this way too.
/// Constant time like the product kernel: the loops run a fixed count for each n.
/// </summary>
internal static unsafe partial class MontgomeryKernels
{

    private static readonly KernelCache Squares = new(limbs => $"montgomery square, {limbs} limbs", limbs =>
        ExecutableMemory.TryInstall(rip => AssembleSquare(limbs, rip), block => SquareSelfTest(limbs, block), "the generated kernel disagreed with BigInteger",
                                    out nint address, out int size, out string failure)
            ? (address, $"mulx+adcx/adox, {size} bytes")
            : (0, $"the product kernel ({failure})"));

    /// <summary>(r, a, unused, [−m⁻¹, m]) → r = a²·R⁻¹ mod m, the product kernel's signature; r may alias a. Null: square with the product.</summary>
    public static delegate* unmanaged[SuppressGCTransition]<ulong*, ulong*, ulong*, ulong*, void> SquareFor(int limbs)
        => limbs < MinLimbs || limbs > MaxLimbs || !NativeKernels.Allowed || !CpuFeatures.Bmi2 || !CpuFeatures.Adx
            ? null
            : (delegate* unmanaged[SuppressGCTransition]<ulong*, ulong*, ulong*, ulong*, void>)Squares.Get(limbs);

    private const int Chunk = 4;                                     // words per step of the cross-product loop

    /// <summary>The square kernel for n limbs (System V: rdi = r, rsi = a, rdx unused, rcx = [−m⁻¹, m]).</summary>
    internal static byte[] AssembleSquare(int n, ulong rip)
    {
        var asm = new Assembler(64);
        // The square T_0 … T_(2n−1) and room for the padded rows' last carries, then a copy of a with zeros after it.
        int windowWords = 2 * n + 6, padded = windowWords * 8, window = padded + 8 * (n + Chunk);
        AssemblerRegister64[] saved = [rbx, rbp, r12, r13, r14, r15];
        foreach (AssemblerRegister64 r in saved) asm.push(r);
        asm.sub(rsp, window + 8);
        asm.mov(r13, rcx);
        asm.mov(rbx, rsp);
        asm.xor(eax, eax);
        for (int k = 0; k < window / 8; k++) asm.mov(__qword_ptr[rsp + 8 * k], rax);
        for (int j = 0; j < n; j++)
        {
            asm.mov(rax, __qword_ptr[rsi + 8 * j]);
            asm.mov(__qword_ptr[rbx + padded + 8 * j], rax);
        }

        // The cross products: row i adds a_i·(a_(i+1) … a_(n−1)) at T_(2i+1) …, in whole chunks of the zero-padded
        // copy (a zero product adds nothing; its carries only move up through words that are still zero). Rows are a
        // loop and each row a loop over chunks: unrolled, the rows overflowed the instruction cache (23.7 KiB for
        // 32 limbs, 6 % faster than a product; see bench/RESULTS.md). lea and loop leave CF and OF alone, so the two
        // carry chains run through the whole row.
        asm.lea(rsi, __[rbx + padded]);                              // &a_i
        asm.lea(rbp, __[rbx + padded + 8]);                          // &a_(i+1): the row's first factor
        asm.lea(r12, __[rbx + 8]);                                   // &T_(2i+1): the row's first word
        asm.mov(r15, n - 1);                                         // the row's length n − 1 − i
        Label row = asm.CreateLabel(), chunk = asm.CreateLabel();
        asm.Label(ref row);
        asm.mov(rdx, __qword_ptr[rsi]);
        asm.mov(r14, rbp);
        asm.mov(r11, r12);
        asm.lea(rcx, __[r15 + Chunk - 1]);
        asm.shr(rcx, 2);                                             // whole chunks (Chunk = 4)
        asm.xor(eax, eax);                                           // rax = 0, CF = OF = 0
        asm.xor(r10d, r10d);
        asm.Label(ref chunk);
        for (int k = 0; k < Chunk; k++)                              // an even count: the high half ends in r10 again
        {
            asm.mulx(HighHalf(k), r8, __qword_ptr[r14 + 8 * k]);
            asm.adcx(r8, __qword_ptr[r11 + 8 * k]);
            asm.adox(r8, HighHalf(k - 1));
            asm.mov(__qword_ptr[r11 + 8 * k], r8);
        }
        asm.lea(r14, __[r14 + 8 * Chunk]);
        asm.lea(r11, __[r11 + 8 * Chunk]);
        asm.loop(chunk);
        asm.mov(r8, __qword_ptr[r11]);
        asm.adcx(r8, rax);
        asm.adox(r8, r10);
        asm.mov(__qword_ptr[r11], r8);
        asm.mov(r8, rax);
        asm.adcx(r8, rax);
        asm.adox(r8, rax);
        asm.add(__qword_ptr[r11 + 8], r8);
        asm.add(rsi, 8);
        asm.add(rbp, 8);
        asm.add(r12, 16);
        asm.dec(r15);
        asm.jnz(row);
        asm.lea(rsi, __[rbx + padded]);                              // a again, for the diagonal

        // T = 2·T + Σ a_i²·2^(128i): the doubling on the CF chain (adcx x, x), the diagonal on the OF chain. Both
        // chains end with no carry: the sum is a² < 2^(128n).
        asm.xor(eax, eax);
        for (int i = 0; i < n; i++)
        {
            asm.mov(rdx, __qword_ptr[rsi + 8 * i]);
            asm.mulx(r9, r8, rdx);
            asm.mov(r10, __qword_ptr[rbx + 16 * i]);
            asm.mov(r11, __qword_ptr[rbx + 16 * i + 8]);
            asm.adcx(r10, r10);
            asm.adcx(r11, r11);
            asm.adox(r10, r8);
            asm.adox(r11, r9);
            asm.mov(__qword_ptr[rbx + 16 * i], r10);
            asm.mov(__qword_ptr[rbx + 16 * i + 8], r11);
        }

        // n reduction rounds: u = T_i·(−m⁻¹), T += u·m·2^(64i), which zeroes T_i; the window moves up one word. The
        // carry out of a round's top word T_(i+n) belongs to T_(i+n+1), which holds the square's data: it is kept in
        // r12 and added at the next round's top word instead of rippling (0, 1 or 2). Everything from T_(2n) up is zero
        // after the squaring (a² < 2^(128n)), which the last store below relies on.
        asm.xor(r12d, r12d);
        asm.mov(r14, n);
        Label round = asm.CreateLabel();
        asm.Label(ref round);
        asm.mov(rdx, __qword_ptr[rbx]);
        asm.imul(rdx, __qword_ptr[r13]);
        asm.xor(eax, eax);
        asm.xor(r10d, r10d);
        for (int j = 0; j < n; j++)
        {
            asm.mulx(HighHalf(j), r8, __qword_ptr[r13 + 8 + 8 * j]);
            asm.adcx(r8, __qword_ptr[rbx + 8 * j]);
            asm.adox(r8, HighHalf(j - 1));
            asm.mov(__qword_ptr[rbx + 8 * j], r8);
        }
        asm.mov(r8, __qword_ptr[rbx + 8 * n]);
        asm.adcx(r8, rax);
        asm.adox(r8, HighHalf(n - 1));
        asm.mov(r9, rax);                                            // mov leaves the flags alone
        asm.adcx(r9, rax);
        asm.adox(r9, rax);                                           // the two carries out of the top word
        asm.add(r8, r12);
        asm.adc(r9, 0);                                              // and the previous round's
        asm.mov(__qword_ptr[rbx + 8 * n], r8);
        asm.mov(r12, r9);
        asm.add(rbx, 8);
        asm.dec(r14);
        asm.jnz(round);
        // (T + U·m)/R < 2m: n words at rbx and the last carry as the top word, where the window still holds zero.
        asm.mov(__qword_ptr[rbx + 8 * n], r12);

        FinishAndReturn(asm, n, window, saved);
        using var stream = new MemoryStream();
        asm.Assemble(new StreamCodeWriter(stream), rip);
        return stream.ToArray();
    }

    /// <summary>Random moduli and operands (the extremes included) against r·R ≡ a² (mod m), r &lt; m, in BigInteger, in place too.</summary>
    private static bool SquareSelfTest(int n, nint kernel)
    {
        var square = (delegate* unmanaged[SuppressGCTransition]<ulong*, ulong*, ulong*, ulong*, void>)kernel;
        ulong[] context = new ulong[n + 1], a = new ulong[n], r = new ulong[n];
        for (int trial = 0; trial < 24; trial++)
        {
            BigInteger m = RandomContext(context, n, trial);
            BigInteger av = trial switch { 0 => m - 1, 1 => 0, 2 => 1, _ => RandomBelow(m, n) };
            FromBig(av, a);
            fixed (ulong* pr = r, pa = a, pc = context)
            {
                square(pr, pa, pa, pc);
                BigInteger rv = ToBig(r), rr = BigInteger.One << (64 * n);
                if (rv >= m || (rv * rr - av * av) % m != 0) return false;
                square(pa, pa, pa, pc);                                  // in place
                if (!a.AsSpan().SequenceEqual(r)) return false;
            }
        }
        return true;
    }
}
