using Engine.Pairing.Fields;

namespace Engine.Pairing.Groups;

public readonly partial struct G2Projective
{
    /// <summary>
    /// True if the point is in G2: ψ(P) = [x]P (Scott, "A note on group membership tests for G1, G2 and GT on BLS
    /// pairing-friendly curves", eprint 2021/1130, §4). One 64-bit multiplication by |x|. Same steps for every point.
    /// </summary>
    public bool IsTorsionFree
    {
        get
        {
            Projective<Fp2> xP = ScalarMultiplication.MultiplyByAbsX(P, Bls12381.B3G2).Negate();   // x < 0
            return Projective<Fp2>.EqualMask(Endomorphisms.Psi(P), xP) != 0;
        }
    }

    /// <summary>ψ(P), the untwist–Frobenius–twist endomorphism.</summary>
    internal G2Projective Psi() => new(Endomorphisms.Psi(P));

    /// <summary>
    /// Clears the cofactor with h_eff of RFC 9380 §8.8.2 (Budroni–Pintore, eprint 2017/419):
    /// [x² − x − 1]P + [x − 1]ψ(P) + ψ²(2P), computed as in RFC 9380 Appendix G.3.
    /// </summary>
    public G2Projective ClearCofactor()
    {
        G2Projective t1 = MulByX(this);                 // [x]P
        G2Projective t2 = Psi();                        // ψ(P)
        G2Projective t3 = Double().Psi().Psi();         // ψ²(2P)
        t3 -= t2;
        t2 = t1 + t2;
        t2 = MulByX(t2);
        t3 += t2;
        t3 -= t1;
        return t3 - this;
    }

    private static G2Projective MulByX(in G2Projective p) => new(ScalarMultiplication.MultiplyByAbsX(p.P, Bls12381.B3G2).Negate());
}

public readonly partial struct G2Affine
{
    /// <summary>True if the point is in G2 (see <see cref="G2Projective.IsTorsionFree"/>).</summary>
    public bool IsTorsionFree => ToProjective().IsTorsionFree;
}
