using Engine.Pairing.Fields;

namespace Engine.Pairing.HashToCurve;

/// <summary>
/// map_to_curve_simple_swu of RFC 9380 §6.6.2 onto the isogenous curve E'': y² = x³ + A·x + B (A·B ≠ 0), written
/// once for F_p (G1) and F_p² (G2). Constant time: the square candidate is selected by mask and both branches cost the same.
/// </summary>
internal sealed class SimplifiedSwu<F> where F : unmanaged, ISwuField<F>
{
    private readonly F _a, _b, _z, _minusBOverA, _bOverZA;

    public SimplifiedSwu(in F a, in F b, in F z)
    {
        _a = a; _b = b; _z = z;
        _minusBOverA = -(b * a.Invert());
        _bOverZA = b * (z * a).Invert();
    }

    /// <summary>(x, y) on E'' for u.</summary>
    public void Map(in F u, out F x, out F y)
    {
        F zu2 = _z * u.Square();
        F den = zu2.Square() + zu2;                            // Z²u⁴ + Zu²
        F tv1 = den.Invert();                                  // inv0: 0 ↦ 0
        F x1 = F.Select(_bOverZA, _minusBOverA * (F.One + tv1), tv1.IsZeroMask);
        F gx1 = (x1.Square() + _a) * x1 + _b;
        F x2 = zu2 * x1;
        F gx2 = (x2.Square() + _a) * x2 + _b;
        // One Legendre symbol and one square root: the root of whichever of gx1, gx2 is square (one always is).
        ulong gx1IsSquare = gx1.IsSquareMask;
        x = F.Select(x1, x2, gx1IsSquare);
        F yy = F.Select(gx1, gx2, gx1IsSquare).Sqrt(out _);
        // Make sgn0(y) equal sgn0(u).
        y = F.Select(-yy, yy, u.Sgn0Mask ^ yy.Sgn0Mask);
    }
}
