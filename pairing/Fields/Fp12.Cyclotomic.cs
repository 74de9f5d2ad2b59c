namespace Engine.Pairing.Fields;

public readonly partial struct Fp12
{
    /// <summary>
    /// Squaring for elements of the cyclotomic subgroup (norm 1 over F_p⁶ and over F_p⁴, as every value after the
    /// easy part of the final exponentiation is): Granger and Scott, "Faster squaring in the cyclotomic subgroup of
    /// sixth degree extensions" (PKC 2010), §3.2. Three F_p⁴ squarings instead of a full F_p¹² squaring.
    /// Wrong for elements outside the subgroup; tests compare it with <see cref="Square"/> on such elements.
    /// One generated kernel where the CPU allows (<see cref="Native.FpKernels.CyclotomicSquare"/>), else the managed
    /// composition below; both are constant time.
    /// </summary>
    internal unsafe Fp12 CyclotomicSquare()
    {
        if (Native.FpKernels.CyclotomicSquare != null)
        {
            Fp12 r;
            fixed (Fp12* a = &this) Native.FpKernels.CyclotomicSquare(&r, a, Native.FpKernels.Constants);
            return r;
        }
        return CyclotomicSquareManaged();
    }

    /// <summary>The managed composition of <see cref="CyclotomicSquare"/>: the reference its kernel is tested against.</summary>
    internal Fp12 CyclotomicSquareManaged()
    {
        // View the six F_p² coefficients as three F_p⁴ elements (z0 + z1·s), (z2 + z3·s), (z4 + z5·s) with s² = ξ.
        Fp2 z0 = C0.C0, z4 = C0.C1, z3 = C0.C2, z2 = C1.C0, z1 = C1.C1, z5 = C1.C2;

        (Fp2 a0, Fp2 a1) = SquareFp4(z0, z1);
        (Fp2 b0, Fp2 b1) = SquareFp4(z2, z3);
        (Fp2 c0, Fp2 c1) = SquareFp4(z4, z5);

        // Each new coefficient is 3·square ∓ 2·old, from the norm-1 identities of the paper.
        z0 = ThreeMinusTwo(a0, z0);
        z1 = ThreePlusTwo(a1, z1);
        z4 = ThreeMinusTwo(b0, z4);
        z5 = ThreePlusTwo(b1, z5);
        z2 = ThreePlusTwo(c1.MulByNonresidue(), z2);
        z3 = ThreeMinusTwo(c0, z3);

        return new Fp12(new Fp6(z0, z4, z3), new Fp6(z2, z1, z5));
    }

    // (a + b·s)² with s² = ξ: (a² + ξ·b², 2ab) computed as ((a + b)² − a² − b²).
    private static (Fp2, Fp2) SquareFp4(in Fp2 a, in Fp2 b)
    {
        Fp2 a2 = a.Square(), b2 = b.Square();
        return (b2.MulByNonresidue() + a2, (a + b).Square() - a2 - b2);
    }

    private static Fp2 ThreeMinusTwo(in Fp2 square, in Fp2 old) { Fp2 t = square - old; return t.Double() + square; }

    private static Fp2 ThreePlusTwo(in Fp2 square, in Fp2 old) { Fp2 t = square + old; return t.Double() + square; }

    /// <summary>
    /// this^|x| for the BLS parameter |x| = 0xd201000000010000, by cyclotomic squarings; the caller conjugates for
    /// the sign of x. x is public, so the sequence of operations is fixed.
    /// </summary>
    internal Fp12 CyclotomicPowByAbsX()
    {
        Fp12 result = One;
        bool started = false;
        for (int i = 63; i >= 0; i--)
        {
            if (started) result = result.CyclotomicSquare();
            if (((Bls12381.AbsX >> i) & 1) != 0)
            {
                result = started ? result * this : this;
                started = true;
            }
        }
        return result;
    }

    /// <summary>this^x with x = −0xd201000000010000 (negative): conjugate of this^|x| in the cyclotomic subgroup.</summary>
    internal Fp12 CyclotomicPowByX() => CyclotomicPowByAbsX().Conjugate();
}
