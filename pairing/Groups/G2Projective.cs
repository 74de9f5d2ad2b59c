using System.Runtime.InteropServices;
using Engine.Pairing.Fields;

namespace Engine.Pairing.Groups;

/// <summary>A point of E'(F_p²) in homogeneous projective coordinates; the working form for G2 arithmetic.</summary>
/// <remarks>Constant time unless a name ends in <c>VarTime</c>.</remarks>
public readonly partial struct G2Projective : IEquatable<G2Projective>
{
    internal readonly Projective<Fp2> P;

    internal G2Projective(in Projective<Fp2> p) { P = p; }

    /// <summary>The identity.</summary>
    public static G2Projective Identity => new(Projective<Fp2>.Identity);

    /// <summary>The generator of G2.</summary>
    public static G2Projective Generator { get; } = G2Affine.Generator.ToProjective();

    /// <summary>True for the identity.</summary>
    public bool IsIdentity => P.IsIdentityMask != 0;

    /// <summary>True if on the curve.</summary>
    public bool IsOnCurve => P.IsOnCurveMask(Bls12381.BG2) != 0;

    /// <summary>P + Q (complete formula).</summary>
    public static G2Projective operator +(in G2Projective a, in G2Projective b) => new(Projective<Fp2>.Add(a.P, b.P, Bls12381.B3G2));

    /// <summary>P + Q for an affine Q.</summary>
    public static G2Projective operator +(in G2Projective a, in G2Affine b)
        => new(Projective<Fp2>.AddAffine(a.P, b.X, b.Y, b.InfinityMask, Bls12381.B3G2));

    /// <summary>P − Q.</summary>
    public static G2Projective operator -(in G2Projective a, in G2Projective b) => a + b.Negate();

    /// <summary>−P.</summary>
    public static G2Projective operator -(in G2Projective a) => a.Negate();

    /// <summary>−P.</summary>
    public G2Projective Negate() => new(P.Negate());

    /// <summary>2P.</summary>
    public G2Projective Double() => new(P.Double(Bls12381.B3G2));

    /// <summary>[k]P for a secret scalar: constant time (ψ split into four 64-bit digits, fixed windows, masked table reads).</summary>
    public G2Projective Multiply(in Fr scalar) => new(Glv.MultiplyG2(P, scalar));

    /// <summary>[k]P for a public scalar (width-5 NAF). Timing depends on k.</summary>
    public G2Projective MultiplyVarTime(in Fr scalar)
    {
        Span<ulong> k = stackalloc ulong[4];
        scalar.ToCanonicalLimbs(k);
        return new(ScalarMultiplication.MultiplyVarTime(P, k, Bls12381.B3G2));
    }

    /// <summary>[k]P for a secret scalar without the ψ split (reference path for tests and benchmarks).</summary>
    internal G2Projective MultiplyPlain(in Fr scalar)
    {
        Span<ulong> k = stackalloc ulong[4];
        scalar.ToCanonicalLimbs(k);
        var r = new G2Projective(ScalarMultiplication.Multiply(P, k, 256, Bls12381.B3G2));
        k.Clear();
        return r;
    }

    /// <summary>Affine form (one inversion).</summary>
    public G2Affine ToAffine()
    {
        P.ToAffine(out Fp2 x, out Fp2 y, out ulong inf);
        return new G2Affine(x, y, inf);
    }

    /// <summary>
    /// Affine forms of many points with one inversion (Montgomery's trick). The spans must have equal lengths.
    /// Constant time per element; identities are mapped to the identity.
    /// </summary>
    /// <exception cref="ArgumentException">Lengths differ.</exception>
    public static void BatchToAffine(ReadOnlySpan<G2Projective> points, Span<G2Affine> destination)
    {
        if (points.Length != destination.Length) throw new ArgumentException("Lengths differ.", nameof(destination));
        BatchNormalize.Run(MemoryMarshal.Cast<G2Projective, Projective<Fp2>>(points),
                           MemoryMarshal.Cast<G2Affine, Affine<Fp2>>(destination));
    }

    /// <summary>Equality (constant time).</summary>
    public bool Equals(G2Projective other) => Projective<Fp2>.EqualMask(P, other.P) != 0;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is G2Projective other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => ToAffine().GetHashCode();

    /// <summary>Equality (constant time).</summary>
    public static bool operator ==(in G2Projective a, in G2Projective b) => a.Equals(b);

    /// <summary>Inequality.</summary>
    public static bool operator !=(in G2Projective a, in G2Projective b) => !a.Equals(b);

    /// <inheritdoc />
    public override string ToString() => ToAffine().ToString();
}
