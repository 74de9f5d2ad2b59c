using System.Runtime.InteropServices;

namespace Engine.Pairing.Fields;

/// <summary>F_p⁶ = F_p²[v]/(v³ − ξ), ξ = 1 + u: an element C0 + C1·v + C2·v².</summary>
/// <remarks>Constant time.</remarks>
[StructLayout(LayoutKind.Sequential)]
public readonly struct Fp6 : IEquatable<Fp6>
{
    /// <summary>Coefficients of 1, v, v².</summary>
    public readonly Fp2 C0, C1, C2;

    /// <summary>Builds C0 + C1·v + C2·v².</summary>
    public Fp6(in Fp2 c0, in Fp2 c1, in Fp2 c2) { C0 = c0; C1 = c1; C2 = c2; }

    /// <summary>Zero.</summary>
    public static Fp6 Zero => default;

    /// <summary>One.</summary>
    public static Fp6 One => new(Fp2.One, Fp2.Zero, Fp2.Zero);

    internal ulong IsZeroMask => C0.IsZeroMask & C1.IsZeroMask & C2.IsZeroMask;

    internal static ulong EqualMask(in Fp6 a, in Fp6 b) => Fp2.EqualMask(a.C0, b.C0) & Fp2.EqualMask(a.C1, b.C1) & Fp2.EqualMask(a.C2, b.C2);

    internal static Fp6 Select(in Fp6 a, in Fp6 b, ulong mask)
        => new(Fp2.Select(a.C0, b.C0, mask), Fp2.Select(a.C1, b.C1, mask), Fp2.Select(a.C2, b.C2, mask));

    /// <summary>Constant-time equality.</summary>
    public bool Equals(Fp6 other) => EqualMask(this, other) != 0;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is Fp6 other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(C0, C1, C2);

    /// <summary>a + b.</summary>
    public static Fp6 operator +(in Fp6 a, in Fp6 b) => new(a.C0 + b.C0, a.C1 + b.C1, a.C2 + b.C2);

    /// <summary>a − b.</summary>
    public static Fp6 operator -(in Fp6 a, in Fp6 b) => new(a.C0 - b.C0, a.C1 - b.C1, a.C2 - b.C2);

    /// <summary>−a.</summary>
    public static Fp6 operator -(in Fp6 a) => new(-a.C0, -a.C1, -a.C2);

    /// <summary>a·b, Karatsuba over the three coefficients: six F_p² products.</summary>
    public static unsafe Fp6 operator *(in Fp6 a, in Fp6 b)
    {
        if (Native.FpKernels.Fp6Multiply != null)
        {
            Fp6 r;
            fixed (Fp6* pa = &a, pb = &b) Native.FpKernels.Fp6Multiply(&r, pa, pb, Native.FpKernels.Constants);
            return r;
        }
        return MultiplyManaged(a, b);
    }

    /// <summary>The managed product: the reference for <see cref="Native.FpKernels.Fp6Multiply"/>.</summary>
    internal static Fp6 MultiplyManaged(in Fp6 a, in Fp6 b)
    {
        Fp2 aa = a.C0 * b.C0, bb = a.C1 * b.C1, cc = a.C2 * b.C2;
        Fp2 c0 = ((a.C1 + a.C2) * (b.C1 + b.C2) - bb - cc).MulByNonresidue() + aa;
        Fp2 c1 = (a.C0 + a.C1) * (b.C0 + b.C1) - aa - bb + cc.MulByNonresidue();
        Fp2 c2 = (a.C0 + a.C2) * (b.C0 + b.C2) - aa + bb - cc;
        return new Fp6(c0, c1, c2);
    }

    /// <summary>
    /// a²: Chung–Hasan SQR2 ("Asymmetric squaring formulae", 2007), two squarings and three products in F_p².
    /// </summary>
    public Fp6 Square()
    {
        Fp2 s0 = C0.Square();
        Fp2 ab = C0 * C1;
        Fp2 s1 = ab.Double();
        Fp2 s2 = (C0 - C1 + C2).Square();
        Fp2 bc = C1 * C2;
        Fp2 s3 = bc.Double();
        Fp2 s4 = C2.Square();
        return new Fp6(s3.MulByNonresidue() + s0, s4.MulByNonresidue() + s1, s1 + s2 + s3 - s0 - s4);
    }

    /// <summary>a·v: (ξ·c2, c0, c1).</summary>
    public Fp6 MulByNonresidue() => new(C2.MulByNonresidue(), C0, C1);

    /// <summary>a·(b1·v): used by the sparse line multiplication.</summary>
    internal Fp6 MulBy1(in Fp2 b1) => new((C2 * b1).MulByNonresidue(), C0 * b1, C1 * b1);

    /// <summary>a·(b0 + b1·v): used by the sparse line multiplication.</summary>
    internal Fp6 MulBy01(in Fp2 b0, in Fp2 b1)
    {
        Fp2 aa = C0 * b0, bb = C1 * b1;
        Fp2 c0 = ((C1 + C2) * b1 - bb).MulByNonresidue() + aa;
        Fp2 c1 = (C0 + C1) * (b0 + b1) - aa - bb;
        Fp2 c2 = (C0 + C2) * b0 - aa + bb;
        return new Fp6(c0, c1, c2);
    }

    /// <summary>The inverse (zero maps to zero): adjugate over the norm, one F_p² inversion.</summary>
    public Fp6 Invert()
    {
        Fp2 t0 = C0.Square() - (C1 * C2).MulByNonresidue();
        Fp2 t1 = C2.Square().MulByNonresidue() - C0 * C1;
        Fp2 t2 = C1.Square() - C0 * C2;
        Fp2 norm = C0 * t0 + (C2 * t1 + C1 * t2).MulByNonresidue();
        Fp2 s = norm.Invert();
        return new Fp6(t0 * s, t1 * s, t2 * s);
    }

    /// <summary>The p^power Frobenius map (power 1…3): v^k sits at w^(2k).</summary>
    public Fp6 FrobeniusMap(int power)
    {
        Fp2 c0 = Conjugate(C0, power), c1 = Conjugate(C1, power), c2 = Conjugate(C2, power);
        return new Fp6(c0, c1 * Frobenius.Coefficient(power, 2), c2 * Frobenius.Coefficient(power, 4));
    }

    internal static Fp2 Conjugate(in Fp2 c, int power) => (power & 1) == 1 ? c.Conjugate() : c;
}
