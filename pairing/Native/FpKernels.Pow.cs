using System.Runtime.InteropServices;
using Engine.Pairing.Fields;
using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Engine.Pairing.Native;

/// <summary>
/// F_p exponentiation by a fixed public exponent (inversion, square roots, Legendre symbols) as one generated loop
/// over a window schedule made once per exponent: the same left-to-right sliding windows of up to 5 bits as
/// <see cref="Exponentiation"/>, but the 380 squarings and about 65 products of a 381-bit exponent run without
/// returning to managed code. The schedule depends on the exponent only, so the sequence of products (and every
/// address: the table slot is the exponent's digit) is the same for every base: constant time in the base.
/// </summary>
internal static unsafe partial class FpKernels
{
    private const int PowTableEntries = 17;                         // a^1, a^3, …, a^31, and 1 (for trailing squarings)

    /// <summary>
    /// One exponent's schedule: steps of (squarings, table slot) packed as squarings · 256 + slot, in pinned memory
    /// the kernel reads. Slot 16 is 1, which ends the exponent's trailing zero bits.
    /// </summary>
    internal sealed class PowSchedule
    {
        private readonly uint[] _steps;

        public PowSchedule(ReadOnlySpan<ulong> exponent)
        {
            var steps = new List<uint>();
            int bit = exponent.Length * 64 - 1;
            while (bit >= 0 && Bit(exponent, bit) == 0) bit--;
            int pendingSquares = 0;
            while (bit >= 0)
            {
                if (Bit(exponent, bit) == 0)
                {
                    pendingSquares++;
                    bit--;
                    continue;
                }
                int low = Math.Max(bit - 4, 0);
                while (Bit(exponent, low) == 0) low++;
                int digit = 0;
                for (int i = bit; i >= low; i--) digit = (digit << 1) | (int)Bit(exponent, i);
                // The first window starts from 1: its squarings are wasted but harmless (1² = 1); keep them out.
                int squares = steps.Count == 0 ? 0 : pendingSquares + (bit - low + 1);
                steps.Add((uint)(squares << 8) | (uint)(digit >> 1));
                pendingSquares = 0;
                bit = low - 1;
            }
            if (pendingSquares > 0) steps.Add((uint)(pendingSquares << 8) | (PowTableEntries - 1));
            _steps = GC.AllocateArray<uint>(steps.Count, pinned: true);
            steps.CopyTo(_steps);
        }

        public int Count => _steps.Length;

        public uint* Address => (uint*)Marshal.UnsafeAddrOfPinnedArrayElement(_steps, 0);

        private static ulong Bit(ReadOnlySpan<ulong> e, int i) => (e[i >> 6] >> (i & 63)) & 1;
    }

    /// <summary>
    /// r = a^e (rdi = r, rsi = a, rdx = the schedule, rcx = constants, r8 = its step count ≥ 1); r may alias a.
    /// </summary>
    private static void EmitPow(Assembler asm, Label multiply)
    {
        const int acc = PowTableEntries * 48, scratch = acc + 48;
        Enter(asm, scratch);
        asm.mov(rbx, rdi);
        asm.mov(rbp, rsi);
        asm.mov(r12, rdx);
        asm.mov(r13, rcx);
        asm.mov(r14, r8);
        AssemblerMemoryOperand Slot(int k) => __[rsp + 48 * k];

        for (int j = 0; j < 6; j++)                                  // slot 0 = a
        {
            asm.mov(rax, __qword_ptr[rbp + 8 * j]);
            asm.mov(__qword_ptr[rsp + 8 * j], rax);
        }
        Call(asm, multiply, __[rsp + acc], Slot(0), Slot(0));        // a²
        for (int k = 1; k < PowTableEntries - 1; k++) Call(asm, multiply, Slot(k), Slot(k - 1), __[rsp + acc]);
        for (int j = 0; j < 6; j++)                                  // slot 16 = 1 (R mod p) and the accumulator = 1
        {
            asm.mov(rax, __qword_ptr[r13 + OneOffset + 8 * j]);
            asm.mov(__qword_ptr[rsp + 48 * (PowTableEntries - 1) + 8 * j], rax);
            asm.mov(__qword_ptr[rsp + acc + 8 * j], rax);
        }

        Label step = asm.CreateLabel(), square = asm.CreateLabel(), product = asm.CreateLabel();
        asm.Label(ref step);
        asm.mov(r15d, __dword_ptr[r12]);
        asm.shr(r15d, 8);                                            // squarings of this step (public)
        asm.jz(product);
        asm.Label(ref square);
        Call(asm, multiply, __[rsp + acc], __[rsp + acc], __[rsp + acc]);
        asm.dec(r15d);
        asm.jnz(square);
        asm.Label(ref product);
        asm.movzx(eax, __byte_ptr[r12]);                             // the window's slot (public: a digit of e)
        asm.imul(eax, eax, 48);
        asm.lea(rdx, __[rsp + rax]);
        asm.lea(rdi, __[rsp + acc]);
        asm.lea(rsi, __[rsp + acc]);
        asm.mov(rcx, r13);
        asm.call(multiply);
        asm.add(r12, 4);
        asm.dec(r14);
        asm.jnz(step);

        for (int j = 0; j < 6; j++)
        {
            asm.mov(rax, __qword_ptr[rsp + acc + 8 * j]);
            asm.mov(__qword_ptr[rbx + 8 * j], rax);
        }
        Leave(asm, scratch);
    }

    /// <summary>a^e through the generated loop; null kernel: the caller keeps <see cref="Exponentiation"/>.</summary>
    internal static Fp Pow(in Fp a, PowSchedule schedule)
    {
        Fp r;
        fixed (Fp* pa = &a) PowKernel(&r, pa, schedule.Address, Constants, schedule.Count);
        return r;
    }
}
