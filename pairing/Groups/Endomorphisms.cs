using System.Numerics;
using Engine.Pairing.Fields;

namespace Engine.Pairing.Groups;

/// <summary>
/// The two endomorphisms that make G1 and G2 fast: φ(x, y) = (β·x, y) on E, with β a primitive cube root of unity in
/// F_p, which acts on G1 as multiplication by −x²; and ψ = untwist∘Frobenius∘twist on E', which acts on G2 as
/// multiplication by x. Their constants are derived at type initialisation from their definitions, and the choice
/// of β is fixed by testing the generator (see <see cref="Build"/>).
/// </summary>
internal static class Endomorphisms
{
    /// <summary>β with φ(P) = [−x²]P on G1.</summary>
    public static readonly Fp Beta;

    /// <summary>ψ(x, y) = (conj(x)·PsiX, conj(y)·PsiY): PsiX = ξ^−((p−1)/3), PsiY = ξ^−((p−1)/2) (RFC 9380 §G.3).</summary>
    public static readonly Fp2 PsiX, PsiY;

    static Endomorphisms()
    {
        PsiX = Frobenius.Coefficient(1, 2).Invert();
        PsiY = Frobenius.Coefficient(1, 3).Invert();
        Beta = Build();
    }

    /// <summary>
    /// β = g^((p−1)/3) for the first small g that is not a cube. β and β² are the two primitive cube roots; φ acts on
    /// G1 as one of the two roots of λ² + λ + 1 mod r, namely −x² or x² − 1. Keep the β for which φ(G) = [−x²]G.
    /// </summary>
    private static Fp Build()
    {
        BigInteger p = BigInteger.Parse("0" + Bls12381.ModulusHex, System.Globalization.NumberStyles.HexNumber);
        ulong[] e = Frobenius.ToLimbs((p - 1) / 3);
        Fp beta = Fp.One;
        for (ulong g = 2; Fp.EqualMask(beta, Fp.One) != 0; g++) beta = Fp.FromUInt64(g).PowVarTime(e);

        Projective<Fp> gen = G1Affine.Generator.ToProjective().P;
        Projective<Fp> target = ScalarMultiplication.MultiplyByAbsX(ScalarMultiplication.MultiplyByAbsX(gen, Bls12381.B3G1), Bls12381.B3G1).Negate();
        Projective<Fp> image = new(gen.X * beta, gen.Y, gen.Z);
        return Projective<Fp>.EqualMask(image, target) != 0 ? beta : beta.Square();
    }

    /// <summary>φ(P) = (β·X : Y : Z).</summary>
    public static Projective<Fp> Phi(in Projective<Fp> p) => new(p.X * Beta, p.Y, p.Z);

    /// <summary>ψ(P) on projective coordinates: (conj(X)·PsiX : conj(Y)·PsiY : conj(Z)).</summary>
    public static Projective<Fp2> Psi(in Projective<Fp2> p) => new(p.X.Conjugate() * PsiX, p.Y.Conjugate() * PsiY, p.Z.Conjugate());
}
