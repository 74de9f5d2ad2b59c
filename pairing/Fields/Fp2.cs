using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Engine.Pairing.Fields;

/// <summary>
/// F_p² = F_p[u]/(u² + 1): an element C0 + C1·u. The field of G2's coordinates.
/// </summary>
/// <remarks>Constant time unless a name ends in <c>VarTime</c>.</remarks>
[StructLayout(LayoutKind.Sequential)]
public readonly struct Fp2 : IEquatable<Fp2>, ISwuField<Fp2>
{
    /// <summary>Real part.</summary>
    public readonly Fp C0;

    /// <summary>Coefficient of u.</summary>
    public readonly Fp C1;

    /// <summary>Builds C0 + C1·u.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Fp2(in Fp c0, in Fp c1) { C0 = c0; C1 = c1; }

    /// <summary>Zero.</summary>
    public static Fp2 Zero => default;

    /// <summary>One.</summary>
    public static Fp2 One => new(Fp.One, Fp.Zero);

    internal ulong IsZeroMask => C0.IsZeroMask & C1.IsZeroMask;

    /// <summary>True if zero.</summary>
    public bool IsZero => IsZeroMask != 0;

    internal static ulong EqualMask(in Fp2 a, in Fp2 b) => Fp.EqualMask(a.C0, b.C0) & Fp.EqualMask(a.C1, b.C1);

    internal static Fp2 Select(in Fp2 a, in Fp2 b, ulong mask) => new(Fp.Select(a.C0, b.C0, mask), Fp.Select(a.C1, b.C1, mask));

    // Explicit implementations keep the mask helpers internal (STYLE.md B3: masks stay inside the engine).
    static ulong IField<Fp2>.EqualMask(in Fp2 a, in Fp2 b) => EqualMask(a, b);
    static Fp2 IField<Fp2>.Select(in Fp2 a, in Fp2 b, ulong mask) => Select(a, b, mask);
    ulong IField<Fp2>.IsZeroMask => IsZeroMask;
    Fp2 ISwuField<Fp2>.Sqrt(out ulong isSquare) => Sqrt(out isSquare);
    ulong ISwuField<Fp2>.Sgn0Mask => Sgn0Mask;
    ulong ISwuField<Fp2>.IsSquareMask => IsSquareMask;

    /// <summary>Constant-time equality.</summary>
    public bool Equals(Fp2 other) => EqualMask(this, other) != 0;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is Fp2 other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(C0, C1);

    /// <summary>Constant-time equality.</summary>
    public static bool operator ==(in Fp2 a, in Fp2 b) => EqualMask(a, b) != 0;

    /// <summary>Constant-time inequality.</summary>
    public static bool operator !=(in Fp2 a, in Fp2 b) => EqualMask(a, b) == 0;

    /// <inheritdoc />
    public override string ToString() => $"({C0}, {C1})";

    /// <summary>a + b.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Fp2 operator +(in Fp2 a, in Fp2 b) => new(a.C0 + b.C0, a.C1 + b.C1);

    /// <summary>a − b.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Fp2 operator -(in Fp2 a, in Fp2 b) => new(a.C0 - b.C0, a.C1 - b.C1);

    /// <summary>−a.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Fp2 operator -(in Fp2 a) => new(-a.C0, -a.C1);

    /// <summary>a·b with Karatsuba: three F_p products.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe Fp2 operator *(in Fp2 a, in Fp2 b)
    {
        if (Native.FpKernels.Fp2Multiply != null)
        {
            Unsafe.SkipInit(out Fp2 r);
            fixed (Fp2* pa = &a, pb = &b) Native.FpKernels.Fp2Multiply(&r, pa, pb, Native.FpKernels.Constants);
            return r;
        }
        return MultiplyManaged(a, b);
    }

    /// <summary>a·b by Karatsuba, from the F_p operations (the fallback, and the reference the kernel is tested against).</summary>
    internal static Fp2 MultiplyManaged(in Fp2 a, in Fp2 b)
    {
        Fp aa = a.C0 * b.C0, bb = a.C1 * b.C1;
        Fp cross = (a.C0 + a.C1) * (b.C0 + b.C1);
        return new Fp2(aa - bb, cross - aa - bb);
    }

    /// <summary>a·s for s in F_p.</summary>
    public static Fp2 operator *(in Fp2 a, in Fp s) => new(a.C0 * s, a.C1 * s);

    /// <summary>a²: (c0 + c1)(c0 − c1) + 2·c0·c1·u, two F_p products.</summary>
    public unsafe Fp2 Square()
    {
        if (Native.FpKernels.Fp2Square != null)
        {
            Unsafe.SkipInit(out Fp2 r);
            fixed (Fp2* pa = &this) Native.FpKernels.Fp2Square(&r, pa, Native.FpKernels.Constants);
            return r;
        }
        Fp t = C0 * C1;
        return new Fp2((C0 + C1) * (C0 - C1), t + t);
    }

    /// <summary>2a.</summary>
    public Fp2 Double() => new(C0.Double(), C1.Double());

    /// <summary>c0 − c1·u: the p-power Frobenius of F_p².</summary>
    public Fp2 Conjugate() => new(C0, -C1);

    /// <summary>a·ξ with ξ = 1 + u, the non-residue that builds F_p⁶: (c0 − c1) + (c0 + c1)·u.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Fp2 MulByNonresidue() => new(C0 - C1, C0 + C1);

    /// <summary>The inverse (c0 − c1·u)/(c0² + c1²); zero maps to zero.</summary>
    public Fp2 Invert()
    {
        Fp normInverse = (C0.Square() + C1.Square()).Invert();
        return new Fp2(C0 * normInverse, -(C1 * normInverse));
    }

    /// <summary>this^exponent for a public exponent (little-endian limbs), by sliding windows.</summary>
    internal Fp2 PowVarTime(ReadOnlySpan<ulong> exponent) => Exponentiation.PowVarTime(this, exponent);

    /// <summary>~0 if a is a square in F_p²: exactly when its norm c0² + c1² is a square in F_p. Constant time.</summary>
    internal ulong IsSquareMask => (C0.Square() + C1.Square()).IsSquareMask;

    /// <summary>
    /// A square root, constant time, with ~0 in <paramref name="isSquare"/> when it squares back to a.
    /// The "complex method" (Scott, "Implementing cryptographic pairings", §5.4; Adj–Rodríguez-Henríquez,
    /// eprint 2012/685, Algorithm 8): with γ = √(a0² + a1²) and δ = (a0 + γ)/2, the root is (√δ, a1/(2√δ)).
    /// Three F_p exponentiations instead of two F_p² ones. Both cases are computed and one is selected:
    /// <list type="bullet">
    /// <item>c = δ^((p+1)/4) is √δ when δ is a square; otherwise c² = −δ (−1 is not a square since p ≡ 3 mod 4),
    /// the other candidate δ' = (a0 − γ)/2 = −a1²/(4δ) is the square one, √δ' = (a1/2)·c/δ, and the root is
    /// ((a1/2)·c/δ, δ/c). One inversion of c·δ serves both cases.</item>
    /// <item>δ = 0 happens only for a1 = 0 with a0 not a square; the root is then u·√(−a0), so c is taken of −a0.</item>
    /// </list>
    /// </summary>
    internal Fp2 Sqrt(out ulong isSquare)
    {
        Fp gamma = (C0.Square() + C1.Square()).Sqrt(out _);
        Fp delta = (C0 + gamma) * Fp.InverseOfTwo;
        ulong deltaIsZero = delta.IsZeroMask;
        Fp c = Fp.Select(-C0, delta, deltaIsZero).Sqrt(out ulong deltaIsSquare);
        Fp t = (c * delta).Invert();                          // 1/(c·δ); zero when c·δ = 0
        Fp inverseOfC = delta * t, inverseOfDelta = c * t;
        Fp halfA1 = C1 * Fp.InverseOfTwo;
        Fp2 whenSquare = new(c, halfA1 * inverseOfC);
        Fp2 whenNotSquare = new(halfA1 * c * inverseOfDelta, delta * inverseOfC);
        Fp2 root = Select(whenSquare, whenNotSquare, deltaIsSquare);
        root = Select(new Fp2(Fp.Zero, c), root, deltaIsZero);
        isSquare = EqualMask(root.Square(), this);
        return root;
    }

    /// <summary>sgn0 of RFC 9380 §4.1 for m = 2: sign of c0, or of c1 when c0 is zero. Returns ~0 for "negative".</summary>
    internal ulong Sgn0Mask => C0.Sgn0Mask | (C0.IsZeroMask & C1.Sgn0Mask);

    /// <summary>ZCash sign flag for F_p²: compare c1, or c0 when c1 is zero.</summary>
    internal ulong LexicographicallyLargestMask
        => C1.LexicographicallyLargestMask | (C1.IsZeroMask & C0.LexicographicallyLargestMask);
}
