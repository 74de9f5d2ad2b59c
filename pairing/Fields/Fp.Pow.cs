using Engine.BigInt;

namespace Engine.Pairing.Fields;

public readonly partial struct Fp
{
    // Public exponents derived from p (little-endian limbs). Each is fixed, so raising any base to it runs the
    // same squarings and multiplications whatever the base: constant time in the base (STYLE.md B3).
    private static readonly ulong[] PMinus2 = [P0 - 2, P1, P2, P3, P4, P5];
    private static readonly ulong[] PPlus1Over4 = ShiftedModulus(add: 1, shift: 2);
    private static readonly ulong[] PMinus1Over2 = ShiftedModulus(add: unchecked((ulong)-1), shift: 1);

    // Their window schedules for the generated exponentiation (null where there is no kernel).
    private static readonly Native.FpKernels.PowSchedule? PMinus2Schedule = Schedule(PMinus2);
    private static readonly Native.FpKernels.PowSchedule? PPlus1Over4Schedule = Schedule(PPlus1Over4);
    private static readonly Native.FpKernels.PowSchedule? PMinus1Over2Schedule = Schedule(PMinus1Over2);

    private static unsafe Native.FpKernels.PowSchedule? Schedule(ulong[] exponent)
        => Native.FpKernels.PowKernel != null ? new Native.FpKernels.PowSchedule(exponent) : null;

    // this^exponent through the generated loop where there is one, else the managed windows: the same steps.
    private Fp PowFixed(ulong[] exponent, Native.FpKernels.PowSchedule? schedule)
        => schedule is not null ? Native.FpKernels.Pow(this, schedule) : PowVarTime(exponent);

    private static ulong[] ShiftedModulus(ulong add, int shift)
    {
        ulong[] e = [P0, P1, P2, P3, P4, P5];
        // p's low limb is ...aaab, so adding or subtracting a small value never carries out of limb 0.
        e[0] += add;
        Limbs.ShiftRight(e, shift);
        return e;
    }

    /// <summary>
    /// this^exponent for a public exponent (little-endian limbs) by sliding windows (<see cref="Exponentiation"/>).
    /// Its timing depends on the exponent's bits only.
    /// </summary>
    internal Fp PowVarTime(ReadOnlySpan<ulong> exponent) => Exponentiation.PowVarTime(this, exponent);

    /// <summary>
    /// The inverse, a^(p−2) by Fermat; zero maps to zero. Constant time: the exponent p − 2 is public, so
    /// <see cref="PowVarTime"/> runs the same steps for every input (zkcrypto's <c>invert</c> says the same).
    /// </summary>
    public Fp Invert() => PowFixed(PMinus2, PMinus2Schedule);

    /// <summary>
    /// A square root candidate a^((p+1)/4) (p ≡ 3 mod 4) and ~0 in <paramref name="isSquare"/> when it squares
    /// back to a. Constant time.
    /// </summary>
    internal Fp Sqrt(out ulong isSquare)
    {
        Fp root = PowFixed(PPlus1Over4, PPlus1Over4Schedule);
        isSquare = EqualMask(root.Square(), this);
        return root;
    }

    /// <summary>~0 if a is a square (including 0): Euler's criterion a^((p−1)/2) ∈ {0, 1}. Constant time.</summary>
    internal ulong IsSquareMask
    {
        get
        {
            Fp legendre = PowFixed(PMinus1Over2, PMinus1Over2Schedule);
            return legendre.IsZeroMask | EqualMask(legendre, One);
        }
    }
}
