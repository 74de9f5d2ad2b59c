using Engine.Pairing.Fields;

namespace Engine.Pairing.Pairings;

/// <summary>
/// f ↦ f^((p¹² − 1)/r) = f^((p⁶ − 1)(p² + 1)) ^ ((p⁴ − p² + 1)/r).
/// </summary>
/// <remarks>
/// The easy part costs one inversion and Frobenius maps and lands in the cyclotomic subgroup, where squaring is
/// cheap (<see cref="Fp12.CyclotomicSquare"/>) and inversion is conjugation. The hard part follows Hayashida,
/// Hayasaka and Teruya, "Efficient final exponentiation via cyclotomic structure for pairings over families of
/// elliptic curves" (eprint 2020/875), §4 for BLS12: five exponentiations by x and Frobenius maps. It computes the
/// same power as the textbook hard part (the RELIC vector and bilinearity tests check it).
/// </remarks>
internal static class FinalExponentiation
{
    public static Fp12 Run(in Fp12 f)
    {
        // Easy part: f^(p⁶ − 1) = conj(f)/f, then ^(p² + 1).
        Fp12 t0 = f.Conjugate() * f.Invert();
        Fp12 t1 = t0.FrobeniusMap(2) * t0;

        // Hard part.
        Fp12 t2 = t1.CyclotomicPowByX();
        Fp12 t3 = t1.CyclotomicSquare().Conjugate() * t2;
        Fp12 t4 = t3.CyclotomicPowByX();
        Fp12 t5 = t4.CyclotomicPowByX();
        Fp12 t6 = t5.CyclotomicPowByX() * t2.CyclotomicSquare();
        Fp12 t7 = t6.CyclotomicPowByX();
        Fp12 result = (t2 * t5).FrobeniusMap(2);
        result *= (t4 * t1).FrobeniusMap(3);
        result *= (t6 * t1.Conjugate()).FrobeniusMap(1);
        result *= t7 * t3.Conjugate() * t1;
        return result;
    }
}
