using System.Runtime.InteropServices;
using Engine.Pairing.Fields;

namespace Engine.Pairing.Groups;

/// <summary>
/// A point of E'(F_p²): y² = x³ + 4(1 + u) in affine coordinates, or the identity. Values produced by the engine's decoders
/// and group operations are in G2 (the order-r subgroup); <see cref="IsTorsionFree"/> checks any other.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public readonly partial struct G2Affine : IEquatable<G2Affine>
{
    /// <summary>x = x0 + x1·u (zero for the identity).</summary>
    public readonly Fp2 X;

    /// <summary>y (zero for the identity).</summary>
    public readonly Fp2 Y;

    internal readonly ulong InfinityMask;

    internal G2Affine(in Fp2 x, in Fp2 y, ulong infinityMask) { X = x; Y = y; InfinityMask = infinityMask; }

    /// <summary>The identity (point at infinity).</summary>
    public static G2Affine Identity => new(Fp2.Zero, Fp2.Zero, ~0UL);

    /// <summary>The standard generator of G2.</summary>
    public static G2Affine Generator { get; } = new(
        new Fp2(Bls12381.FpFromHex(Bls12381.G2X0Hex), Bls12381.FpFromHex(Bls12381.G2X1Hex)),
        new Fp2(Bls12381.FpFromHex(Bls12381.G2Y0Hex), Bls12381.FpFromHex(Bls12381.G2Y1Hex)), 0);

    /// <summary>True for the identity.</summary>
    public bool IsIdentity => InfinityMask != 0;

    /// <summary>True if the point satisfies the curve equation (the identity does).</summary>
    public bool IsOnCurve => (InfinityMask | Fp2.EqualMask(Y.Square(), X.Square() * X + Bls12381.BG2)) != 0;

    /// <summary>−P.</summary>
    public G2Affine Negate() => new(X, Fp2.Select(Y, -Y, InfinityMask), InfinityMask);

    /// <summary>Projective form.</summary>
    public G2Projective ToProjective() => new(Projective<Fp2>.FromAffine(X, Y, InfinityMask));

    /// <summary>
    /// Builds a point from coordinates received from outside, checking the curve equation then the subgroup:
    /// <see cref="EngineStatus.NotOnCurve"/>, <see cref="EngineStatus.NotInSubgroup"/> or Ok.
    /// </summary>
    public static EngineStatus FromCoordinates(in Fp2 x, in Fp2 y, out G2Affine point)
    {
        point = default;
        var candidate = new G2Affine(x, y, 0);
        if (!candidate.IsOnCurve) return EngineStatus.NotOnCurve;
        if (!candidate.IsTorsionFree) return EngineStatus.NotInSubgroup;
        point = candidate;
        return EngineStatus.Ok;
    }

    /// <summary>Coordinates with only the curve check (EIP-2537 addition semantics); internal on purpose.</summary>
    internal static G2Affine FromCoordinatesUnchecked(in Fp2 x, in Fp2 y) => new(x, y, 0);

    /// <summary>Equality (constant time).</summary>
    public bool Equals(G2Affine other)
        => ((InfinityMask & other.InfinityMask)
            | (~InfinityMask & ~other.InfinityMask & Fp2.EqualMask(X, other.X) & Fp2.EqualMask(Y, other.Y))) != 0;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is G2Affine other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(X, Y, InfinityMask);

    /// <summary>Equality (constant time).</summary>
    public static bool operator ==(in G2Affine a, in G2Affine b) => a.Equals(b);

    /// <summary>Inequality.</summary>
    public static bool operator !=(in G2Affine a, in G2Affine b) => !a.Equals(b);

    /// <summary>Compressed hex (points are public).</summary>
    public override string ToString()
    {
        Span<byte> bytes = stackalloc byte[CompressedSizeInBytes];
        EncodeCompressed(bytes);
        return Convert.ToHexStringLower(bytes);
    }
}
