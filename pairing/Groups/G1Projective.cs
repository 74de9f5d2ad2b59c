using System.Runtime.InteropServices;
using Engine.Pairing.Fields;

namespace Engine.Pairing.Groups;

/// <summary>A point of E(F_p) in homogeneous projective coordinates; the working form for G1 arithmetic.</summary>
/// <remarks>Constant time unless a name ends in <c>VarTime</c>.</remarks>
public readonly partial struct G1Projective : IEquatable<G1Projective>
{
    internal readonly Projective<Fp> P;

    internal G1Projective(in Projective<Fp> p) { P = p; }

    /// <summary>The identity.</summary>
    public static G1Projective Identity => new(Projective<Fp>.Identity);

    /// <summary>The generator of G1.</summary>
    public static G1Projective Generator { get; } = G1Affine.Generator.ToProjective();

    /// <summary>True for the identity.</summary>
    public bool IsIdentity => P.IsIdentityMask != 0;

    /// <summary>True if on the curve.</summary>
    public bool IsOnCurve => P.IsOnCurveMask(Bls12381.B) != 0;

    /// <summary>P + Q (complete formula).</summary>
    public static G1Projective operator +(in G1Projective a, in G1Projective b) => new(Projective<Fp>.Add(a.P, b.P, Bls12381.B3G1));

    /// <summary>P + Q for an affine Q.</summary>
    public static G1Projective operator +(in G1Projective a, in G1Affine b)
        => new(Projective<Fp>.AddAffine(a.P, b.X, b.Y, b.InfinityMask, Bls12381.B3G1));

    /// <summary>P − Q.</summary>
    public static G1Projective operator -(in G1Projective a, in G1Projective b) => a + b.Negate();

    /// <summary>−P.</summary>
    public static G1Projective operator -(in G1Projective a) => a.Negate();

    /// <summary>−P.</summary>
    public G1Projective Negate() => new(P.Negate());

    /// <summary>2P.</summary>
    public G1Projective Double() => new(P.Double(Bls12381.B3G1));

    /// <summary>[k]P for a secret scalar: constant time (GLV split, fixed windows, masked table reads).</summary>
    public G1Projective Multiply(in Fr scalar) => new(Glv.MultiplyG1(P, scalar));

    /// <summary>[k]P for a public scalar (width-5 NAF). Timing depends on k.</summary>
    public G1Projective MultiplyVarTime(in Fr scalar)
    {
        Span<ulong> k = stackalloc ulong[4];
        scalar.ToCanonicalLimbs(k);
        return new(ScalarMultiplication.MultiplyVarTime(P, k, Bls12381.B3G1));
    }

    /// <summary>[k]P for a secret scalar without the GLV split (reference path for tests and benchmarks).</summary>
    internal G1Projective MultiplyPlain(in Fr scalar)
    {
        Span<ulong> k = stackalloc ulong[4];
        scalar.ToCanonicalLimbs(k);
        var r = new G1Projective(ScalarMultiplication.Multiply(P, k, 256, Bls12381.B3G1));
        k.Clear();
        return r;
    }

    /// <summary>Affine form (one inversion).</summary>
    public G1Affine ToAffine()
    {
        P.ToAffine(out Fp x, out Fp y, out ulong inf);
        return new G1Affine(x, y, inf);
    }

    /// <summary>
    /// Affine forms of many points with one inversion (Montgomery's trick). The spans must have equal lengths.
    /// Constant time per element; identities are mapped to the identity.
    /// </summary>
    /// <exception cref="ArgumentException">Lengths differ.</exception>
    public static void BatchToAffine(ReadOnlySpan<G1Projective> points, Span<G1Affine> destination)
    {
        if (points.Length != destination.Length) throw new ArgumentException("Lengths differ.", nameof(destination));
        BatchNormalize.Run(MemoryMarshal.Cast<G1Projective, Projective<Fp>>(points),
                           MemoryMarshal.Cast<G1Affine, Affine<Fp>>(destination));
    }

    /// <summary>Equality (constant time).</summary>
    public bool Equals(G1Projective other) => Projective<Fp>.EqualMask(P, other.P) != 0;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is G1Projective other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => ToAffine().GetHashCode();

    /// <summary>Equality (constant time).</summary>
    public static bool operator ==(in G1Projective a, in G1Projective b) => a.Equals(b);

    /// <summary>Inequality.</summary>
    public static bool operator !=(in G1Projective a, in G1Projective b) => !a.Equals(b);

    /// <inheritdoc />
    public override string ToString() => ToAffine().ToString();
}
