using System.Runtime.InteropServices;

namespace Engine.Pairing.Fields;

/// <summary>F_p¹² = F_p⁶[w]/(w² − v): an element C0 + C1·w. Miller loop values and Gt live here.</summary>
/// <remarks>Constant time.</remarks>
[StructLayout(LayoutKind.Sequential)]
public readonly partial struct Fp12 : IEquatable<Fp12>
{
    /// <summary>Coefficients of 1 and w.</summary>
    public readonly Fp6 C0, C1;

    /// <summary>Builds C0 + C1·w.</summary>
    public Fp12(in Fp6 c0, in Fp6 c1) { C0 = c0; C1 = c1; }

    /// <summary>One.</summary>
    public static Fp12 One => new(Fp6.One, Fp6.Zero);

    internal static ulong EqualMask(in Fp12 a, in Fp12 b) => Fp6.EqualMask(a.C0, b.C0) & Fp6.EqualMask(a.C1, b.C1);

    internal static Fp12 Select(in Fp12 a, in Fp12 b, ulong mask) => new(Fp6.Select(a.C0, b.C0, mask), Fp6.Select(a.C1, b.C1, mask));

    /// <summary>Constant-time equality.</summary>
    public bool Equals(Fp12 other) => EqualMask(this, other) != 0;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is Fp12 other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(C0, C1);

    /// <summary>a·b, Karatsuba over F_p⁶: three F_p⁶ products.</summary>
    public static unsafe Fp12 operator *(in Fp12 a, in Fp12 b)
    {
        if (Native.FpKernels.Fp12Multiply != null)
        {
            Fp12 r;
            fixed (Fp12* pa = &a, pb = &b) Native.FpKernels.Fp12Multiply(&r, pa, pb, Native.FpKernels.Constants);
            return r;
        }
        return MultiplyManaged(a, b);
    }

    /// <summary>The managed product: the reference for <see cref="Native.FpKernels.Fp12Multiply"/>.</summary>
    internal static Fp12 MultiplyManaged(in Fp12 a, in Fp12 b)
    {
        Fp6 aa = a.C0 * b.C0, bb = a.C1 * b.C1;
        Fp6 c1 = (a.C0 + a.C1) * (b.C0 + b.C1) - aa - bb;
        return new Fp12(bb.MulByNonresidue() + aa, c1);
    }

    /// <summary>a²: complex squaring, two F_p⁶ products.</summary>
    public unsafe Fp12 Square()
    {
        if (Native.FpKernels.Fp12Square != null)
        {
            Fp12 r;
            fixed (Fp12* a = &this) Native.FpKernels.Fp12Square(&r, a, Native.FpKernels.Constants);
            return r;
        }
        return SquareManaged();
    }

    /// <summary>The managed square: the reference for <see cref="Native.FpKernels.Fp12Square"/>.</summary>
    internal Fp12 SquareManaged()
    {
        Fp6 ab = C0 * C1;
        Fp6 c0 = (C0 + C1) * (C0 + C1.MulByNonresidue()) - ab - ab.MulByNonresidue();
        return new Fp12(c0, ab + ab);
    }

    /// <summary>c0 − c1·w: the p⁶-power Frobenius, and the inverse on the cyclotomic subgroup.</summary>
    public Fp12 Conjugate() => new(C0, -C1);

    /// <summary>The inverse (c0 − c1·w)/(c0² − v·c1²); zero maps to zero.</summary>
    public Fp12 Invert()
    {
        Fp6 s = (C0.Square() - C1.Square().MulByNonresidue()).Invert();
        return new Fp12(C0 * s, -(C1 * s));
    }

    /// <summary>The p^power Frobenius map (power 1…3). Coefficients of C1 sit at w^1, w^3, w^5.</summary>
    public Fp12 FrobeniusMap(int power)
    {
        Fp6 c0 = C0.FrobeniusMap(power);
        Fp6 c1 = new(Fp6.Conjugate(C1.C0, power) * Frobenius.Coefficient(power, 1),
                     Fp6.Conjugate(C1.C1, power) * Frobenius.Coefficient(power, 3),
                     Fp6.Conjugate(C1.C2, power) * Frobenius.Coefficient(power, 5));
        return new Fp12(c0, c1);
    }

    /// <summary>
    /// a·ℓ for a sparse line ℓ = c0 + c1·v + c4·v·w (positions 0, 1 and 4 of the w-basis), as produced by the
    /// Miller loop's line functions (see <c>Pairings/LineFunctions.cs</c>). Karatsuba on the sparse halves.
    /// </summary>
    internal unsafe Fp12 MulBy014(in Fp2 c0, in Fp2 c1, in Fp2 c4)
    {
        if (Native.FpKernels.MulBy014 != null)
        {
            Fp12 r;
            fixed (Fp12* a = &this)
            fixed (Fp2* p0 = &c0, p1 = &c1, p4 = &c4)
                Native.FpKernels.MulBy014(&r, a, p0, p1, p4, Native.FpKernels.Constants);
            return r;
        }
        return MulBy014Managed(c0, c1, c4);
    }

    /// <summary>The managed sparse product: the reference for <see cref="Native.FpKernels.MulBy014"/>.</summary>
    internal Fp12 MulBy014Managed(in Fp2 c0, in Fp2 c1, in Fp2 c4)
    {
        Fp6 aa = C0.MulBy01(c0, c1);
        Fp6 bb = C1.MulBy1(c4);
        Fp6 sum = (C0 + C1).MulBy01(c0, c1 + c4);
        return new Fp12(bb.MulByNonresidue() + aa, sum - aa - bb);
    }
}
