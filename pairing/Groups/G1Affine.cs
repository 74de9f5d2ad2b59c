using System.Runtime.InteropServices;
using Engine.Pairing.Fields;

namespace Engine.Pairing.Groups;

/// <summary>
/// A point of E(F_p): y² = x³ + 4 in affine coordinates, or the identity. Values produced by the engine's decoders
/// and group operations are in G1 (the order-r subgroup); <see cref="IsTorsionFree"/> checks any other.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public readonly partial struct G1Affine : IEquatable<G1Affine>
{
    /// <summary>x (zero for the identity).</summary>
    public readonly Fp X;

    /// <summary>y (zero for the identity).</summary>
    public readonly Fp Y;

    internal readonly ulong InfinityMask;

    internal G1Affine(in Fp x, in Fp y, ulong infinityMask) { X = x; Y = y; InfinityMask = infinityMask; }

    /// <summary>The identity (point at infinity).</summary>
    public static G1Affine Identity => new(Fp.Zero, Fp.Zero, ~0UL);

    /// <summary>The standard generator of G1.</summary>
    public static G1Affine Generator { get; } = new(Bls12381.FpFromHex(Bls12381.G1XHex), Bls12381.FpFromHex(Bls12381.G1YHex), 0);

    /// <summary>True for the identity.</summary>
    public bool IsIdentity => InfinityMask != 0;

    /// <summary>True if the point satisfies the curve equation (the identity does).</summary>
    public bool IsOnCurve => (InfinityMask | Fp.EqualMask(Y.Square(), X.Square() * X + Bls12381.B)) != 0;

    /// <summary>−P.</summary>
    public G1Affine Negate() => new(X, Fp.Select(Y, -Y, InfinityMask), InfinityMask);

    /// <summary>Projective form.</summary>
    public G1Projective ToProjective() => new(Projective<Fp>.FromAffine(X, Y, InfinityMask));

    /// <summary>
    /// Builds a point from coordinates received from outside, checking the curve equation then the subgroup:
    /// <see cref="EngineStatus.NotOnCurve"/>, <see cref="EngineStatus.NotInSubgroup"/> or Ok.
    /// </summary>
    public static EngineStatus FromCoordinates(in Fp x, in Fp y, out G1Affine point)
    {
        point = default;
        var candidate = new G1Affine(x, y, 0);
        if (!candidate.IsOnCurve) return EngineStatus.NotOnCurve;
        if (!candidate.IsTorsionFree) return EngineStatus.NotInSubgroup;
        point = candidate;
        return EngineStatus.Ok;
    }

    /// <summary>Coordinates with only the curve check (EIP-2537 addition semantics); internal on purpose.</summary>
    internal static G1Affine FromCoordinatesUnchecked(in Fp x, in Fp y) => new(x, y, 0);

    /// <summary>Equality (constant time).</summary>
    public bool Equals(G1Affine other)
        => ((InfinityMask & other.InfinityMask)
            | (~InfinityMask & ~other.InfinityMask & Fp.EqualMask(X, other.X) & Fp.EqualMask(Y, other.Y))) != 0;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is G1Affine other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(X, Y, InfinityMask);

    /// <summary>Equality (constant time).</summary>
    public static bool operator ==(in G1Affine a, in G1Affine b) => a.Equals(b);

    /// <summary>Inequality.</summary>
    public static bool operator !=(in G1Affine a, in G1Affine b) => !a.Equals(b);

    /// <summary>Compressed hex (points are public).</summary>
    public override string ToString()
    {
        Span<byte> bytes = stackalloc byte[CompressedSizeInBytes];
        EncodeCompressed(bytes);
        return Convert.ToHexStringLower(bytes);
    }
}
