using System.Runtime.InteropServices;
using Engine.Pairing.Fields;
using Engine.Pairing.Groups;

namespace Engine.Pairing.Pairings;

/// <summary>The coefficients of one Miller-loop line, before evaluation at P: ℓ(P) = C0 + (C1·x_P)·v + (C4·y_P)·v·w.</summary>
[StructLayout(LayoutKind.Sequential)]
internal readonly struct LineCoefficients(Fp2 c0, Fp2 c1, Fp2 c4)
{
    public readonly Fp2 C0 = c0, C1 = c1, C4 = c4;
}

/// <summary>
/// Doubling and addition steps of the optimal ate Miller loop on the M-twist E': y² = x³ + 4ξ, in homogeneous
/// projective coordinates, following Costello, Lange and Naehrig, "Faster pairing computations on curves with
/// high-degree twists" (PKC 2010), §5 (the formulas as restated in Aranha et al., eprint 2010/354, §4).
/// </summary>
/// <remarks>
/// Untwisting (x', y') ↦ (x'/w², y'/w³), the line through T with slope λ' evaluated at P = (x_P, y_P) and scaled by
/// w³ (which the final exponentiation removes, w³ lying in F_p⁴) is (λ'x_T − y_T) − λ'·x_P·v + y_P·v·w: positions
/// 0, 1 and 4 of the w-basis, hence <see cref="Fp12.MulBy014"/>. Each step scales the line by a factor in F_p²,
/// which the final exponentiation also removes.
/// </remarks>
internal static class LineFunctions
{
    /// <summary>T ← 2T; returns the tangent line at T. Scaled by 4 so no halving is needed.</summary>
    public static LineCoefficients Double(ref Projective<Fp2> t)
    {
        Fp2 b = t.Y.Square(), c = t.Z.Square();
        Fp2 e = Bls12381.B3G2 * c;                  // 3b'Z²
        Fp2 f = e + e + e;
        Fp2 h = (t.Y + t.Z).Square() - b - c;      // 2YZ
        Fp2 xx = t.X.Square();
        var line = new LineCoefficients(e - b, xx + xx + xx, -h);

        Fp2 x3 = (t.X * t.Y).Double() * (b - f);
        Fp2 bf = b + f, e2 = e.Square();
        Fp2 y3 = bf.Square() - (e2.Double() + e2).Double().Double();  // (B + F)² − 12E²
        Fp2 z3 = (b * h).Double().Double();
        t = new Projective<Fp2>(x3, y3, z3);
        return line;
    }

    /// <summary>T ← T + Q for affine Q; returns the chord through T and Q.</summary>
    public static LineCoefficients Add(ref Projective<Fp2> t, in Fp2 qx, in Fp2 qy)
    {
        Fp2 theta = t.Y - qy * t.Z;
        Fp2 lambda = t.X - qx * t.Z;
        var line = new LineCoefficients(theta * qx - lambda * qy, -theta, lambda);

        Fp2 c = theta.Square(), d = lambda.Square();
        Fp2 e = lambda * d, f = t.Z * c, g = t.X * d;
        Fp2 h = e + f - g.Double();
        t = new Projective<Fp2>(lambda * h, theta * (g - h) - e * t.Y, t.Z * e);
        return line;
    }

    /// <summary>f·ℓ(P).</summary>
    public static Fp12 Evaluate(in Fp12 f, in LineCoefficients line, in G1Affine p)
        => f.MulBy014(line.C0, line.C1 * p.X, line.C4 * p.Y);
}
