using Engine.Pairing.Fields;

namespace Engine.Pairing.HashToCurve;

/// <summary>
/// A rational map (x', y') ↦ (x_num(x')/x_den(x'), y'·y_num(x')/y_den(x')) from the SWU curve E'' to E
/// (RFC 9380 §6.6.3, Appendix E). Coefficients are stored constant term first, as the RFC lists them.
/// </summary>
internal sealed class IsogenyMap<F> where F : unmanaged, IField<F>
{
    private readonly F[] _xNum, _xDen, _yNum, _yDen;

    public IsogenyMap(F[] xNum, F[] xDen, F[] yNum, F[] yDen)
    {
        _xNum = xNum; _xDen = xDen; _yNum = yNum; _yDen = yDen;
    }

    /// <summary>
    /// Maps (x', y') to projective (X : Y : Z) = (x_num·y_den : y'·y_num·x_den : x_den·y_den), so no inversion is
    /// needed. A zero denominator (the isogeny's kernel) gives the identity (0 : 1 : 0), as RFC 9380 §6.6.3
    /// requires, selected by mask.
    /// </summary>
    public Groups.Projective<F> Map(in F xPrime, in F yPrime)
    {
        F xn = Horner(_xNum, xPrime), xd = Horner(_xDen, xPrime);
        F yn = Horner(_yNum, xPrime), yd = Horner(_yDen, xPrime);
        var image = new Groups.Projective<F>(xn * yd, yPrime * yn * xd, xd * yd);
        return Groups.Projective<F>.Select(Groups.Projective<F>.Identity, image, image.Z.IsZeroMask);
    }

    private static F Horner(F[] coefficients, in F x)
    {
        F acc = coefficients[^1];
        for (int i = coefficients.Length - 2; i >= 0; i--) acc = acc * x + coefficients[i];
        return acc;
    }
}
