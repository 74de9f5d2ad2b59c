using Engine.Pairing.Fields;

namespace Engine.Pairing.Groups;

public readonly partial struct G1Projective
{
    /// <summary>
    /// True if the point is in the order-r subgroup G1. Bowe, "Faster subgroup checks for BLS12-381"
    /// (eprint 2019/814), with Scott's simplification: P ∈ G1 ⇔ φ(P) = [−x²]P. Two 64-bit multiplications by |x|
    /// instead of one 255-bit multiplication by r. Runs the same steps for every point.
    /// </summary>
    public bool IsTorsionFree
    {
        get
        {
            Projective<Fp> xx = ScalarMultiplication.MultiplyByAbsX(ScalarMultiplication.MultiplyByAbsX(P, Bls12381.B3G1), Bls12381.B3G1);
            return Projective<Fp>.EqualMask(Endomorphisms.Phi(P), xx.Negate()) != 0;
        }
    }

    /// <summary>
    /// Clears the cofactor: [h_eff]P with h_eff = 1 − x = 0xd201000000010001 (RFC 9380 §8.8.1), mapping any curve
    /// point into G1.
    /// </summary>
    public G1Projective ClearCofactor()
        => new(Projective<Fp>.Add(ScalarMultiplication.MultiplyByAbsX(P, Bls12381.B3G1), P, Bls12381.B3G1));
}

public readonly partial struct G1Affine
{
    /// <summary>True if the point is in G1 (see <see cref="G1Projective.IsTorsionFree"/>).</summary>
    public bool IsTorsionFree => ToProjective().IsTorsionFree;
}
