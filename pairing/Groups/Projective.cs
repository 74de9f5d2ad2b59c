using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Engine.Pairing.Fields;

namespace Engine.Pairing.Groups;

/// <summary>
/// A point (X : Y : Z) in homogeneous projective coordinates on y² = x³ + b over F (x = X/Z, y = Y/Z); the
/// identity is (0 : 1 : 0). Shared by G1 (F = F_p) and G2 (F = F_p²).
/// </summary>
/// <remarks>
/// Addition and doubling are the complete formulas of Renes, Costello and Batina, "Complete addition formulas for
/// prime order elliptic curves" (EUROCRYPT 2016), Algorithms 7, 8 and 9 for a = 0: no exceptional cases, so no
/// branch on the points, and every operation is constant time. They take 3b as <c>b3</c>.
/// </remarks>
[StructLayout(LayoutKind.Sequential)]
internal readonly struct Projective<F> where F : unmanaged, IField<F>
{
    public readonly F X, Y, Z;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Projective(in F x, in F y, in F z) { X = x; Y = y; Z = z; }

    public static Projective<F> Identity => new(F.Zero, F.One, F.Zero);

    public ulong IsIdentityMask => Z.IsZeroMask;

    public static Projective<F> FromAffine(in F x, in F y, ulong infinityMask)
        => new(Select(F.Zero, x, infinityMask), Select(F.One, y, infinityMask), Select(F.Zero, F.One, infinityMask));

    private static F Select(in F a, in F b, ulong mask) => F.Select(a, b, mask);

    public static Projective<F> Select(in Projective<F> a, in Projective<F> b, ulong mask)
        => new(F.Select(a.X, b.X, mask), F.Select(a.Y, b.Y, mask), F.Select(a.Z, b.Z, mask));

    public Projective<F> Negate() => new(X, -Y, Z);

    /// <summary>~0 if both represent the same point: cross-multiplied coordinates agree, or both are the identity.</summary>
    public static ulong EqualMask(in Projective<F> a, in Projective<F> b)
    {
        ulong sameX = F.EqualMask(a.X * b.Z, b.X * a.Z);
        ulong sameY = F.EqualMask(a.Y * b.Z, b.Y * a.Z);
        ulong aInf = a.IsIdentityMask, bInf = b.IsIdentityMask;
        return (aInf & bInf) | (~aInf & ~bInf & sameX & sameY);
    }

    /// <summary>RCB Algorithm 7: complete addition (on G2, the generated kernel where there is one).</summary>
    public static unsafe Projective<F> Add(in Projective<F> p, in Projective<F> q, in F b3)
    {
        // typeof(F) is a constant in each instantiation: the JIT keeps one branch.
        if (typeof(F) == typeof(Fp2) && Native.FpKernels.G2Add != null)
        {
            Projective<F> r;
            fixed (Projective<F>* pp = &p, pq = &q)
            fixed (F* pb = &b3)
                Native.FpKernels.G2Add(&r, pp, pq, (Fp2*)pb, Native.FpKernels.Constants);
            return r;
        }
        return AddManaged(p, q, b3);
    }

    /// <summary>The managed complete addition: the reference for <see cref="Native.FpKernels.G2Add"/>.</summary>
    internal static Projective<F> AddManaged(in Projective<F> p, in Projective<F> q, in F b3)
    {
        F t0 = p.X * q.X, t1 = p.Y * q.Y, t2 = p.Z * q.Z;
        F t3 = (p.X + p.Y) * (q.X + q.Y);
        F t4 = t0 + t1;
        t3 -= t4;                                   // X1Y2 + X2Y1
        t4 = (p.Y + p.Z) * (q.Y + q.Z);
        F x3 = t1 + t2;
        t4 -= x3;                                   // Y1Z2 + Y2Z1
        x3 = (p.X + p.Z) * (q.X + q.Z);
        F y3 = t0 + t2;
        y3 = x3 - y3;                               // X1Z2 + X2Z1
        x3 = t0 + t0;
        t0 = x3 + t0;                               // 3·X1X2
        t2 = b3 * t2;
        F z3 = t1 + t2;
        t1 -= t2;
        y3 = b3 * y3;
        x3 = t4 * y3;
        t2 = t3 * t1;
        x3 = t2 - x3;
        y3 = y3 * t0;
        t1 = t1 * z3;
        y3 = t1 + y3;
        t0 = t0 * t3;
        z3 = z3 * t4;
        z3 = z3 + t0;
        return new Projective<F>(x3, y3, z3);
    }

    /// <summary>RCB Algorithm 8: mixed addition with an affine q (not the identity; callers select around it).</summary>
    public static Projective<F> AddAffine(in Projective<F> p, in F qx, in F qy, in F b3)
    {
        F t0 = p.X * qx, t1 = p.Y * qy;
        F t3 = (qx + qy) * (p.X + p.Y);
        F t4 = t0 + t1;
        t3 -= t4;
        t4 = qy * p.Z + p.Y;
        F y3 = qx * p.Z + p.X;
        F x3 = t0 + t0;
        t0 = x3 + t0;
        F t2 = b3 * p.Z;
        F z3 = t1 + t2;
        t1 -= t2;
        y3 = b3 * y3;
        x3 = t4 * y3;
        t2 = t3 * t1;
        x3 = t2 - x3;
        y3 = y3 * t0;
        t1 = t1 * z3;
        y3 = t1 + y3;
        t0 = t0 * t3;
        z3 = z3 * t4;
        z3 = z3 + t0;
        return new Projective<F>(x3, y3, z3);
    }

    /// <summary>Mixed addition that also accepts an affine identity (selected by mask, no branch).</summary>
    public static Projective<F> AddAffine(in Projective<F> p, in F qx, in F qy, ulong qInfinityMask, in F b3)
        => Select(p, AddAffine(p, qx, qy, b3), qInfinityMask);

    /// <summary>RCB Algorithm 9: doubling (on G2, the generated kernel where there is one).</summary>
    public unsafe Projective<F> Double(in F b3)
    {
        if (typeof(F) == typeof(Fp2) && Native.FpKernels.G2Double != null)
        {
            Projective<F> r;
            fixed (Projective<F>* pp = &this)
            fixed (F* pb = &b3)
                Native.FpKernels.G2Double(&r, pp, (Fp2*)pb, Native.FpKernels.Constants);
            return r;
        }
        return DoubleManaged(b3);
    }

    /// <summary>The managed doubling: the reference for <see cref="Native.FpKernels.G2Double"/>.</summary>
    internal Projective<F> DoubleManaged(in F b3)
    {
        F t0 = Y.Square();
        F z3 = t0.Double().Double().Double();       // 8Y²
        F t1 = Y * Z;
        F t2 = b3 * Z.Square();
        F x3 = t2 * z3;
        F y3 = t0 + t2;
        z3 = t1 * z3;
        t1 = t2 + t2;
        t2 = t1 + t2;
        t0 -= t2;
        y3 = t0 * y3;
        y3 = x3 + y3;
        t1 = X * Y;
        x3 = t0 * t1;
        x3 = x3.Double();
        return new Projective<F>(x3, y3, z3);
    }

    /// <summary>Affine coordinates and an identity mask; one field inversion (of zero for the identity).</summary>
    public void ToAffine(out F x, out F y, out ulong infinityMask)
    {
        F zInv = Z.Invert();
        infinityMask = IsIdentityMask;
        x = X * zInv;
        y = Y * zInv;                               // zInv = 0 for the identity, so (0, 0)
    }

    /// <summary>~0 if (X : Y : Z) satisfies Y²Z = X³ + bZ³ (the identity does).</summary>
    public ulong IsOnCurveMask(in F b)
    {
        F lhs = Y.Square() * Z;
        F rhs = X.Square() * X + b * Z.Square() * Z;
        return F.EqualMask(lhs, rhs);
    }
}
