using System.Runtime.InteropServices;
using Engine.Pairing.Fields;
using Engine.Pairing.Groups;

namespace Engine.Primitives.Groups;

/// <summary>
/// BLS12-381 G1 as a <see cref="PrimeOrderGroup"/> (SPEC.md §0 [beyond]): "multiply" is point addition, "pow" is
/// scalar multiplication. Elements are <see cref="G1Projective"/> values (18 limbs); the encoding is the 48-byte
/// ZCash compressed form, decoded with full curve and subgroup checks.
/// </summary>
public sealed class Bls12381G1Group : PrimeOrderGroup
{
    /// <summary>Limbs of an element (a <see cref="G1Projective"/>).</summary>
    internal static readonly int Limbs = System.Runtime.CompilerServices.Unsafe.SizeOf<G1Projective>() / sizeof(ulong);

    /// <summary>The group (stateless; use <see cref="PrimeOrderGroups.Bls12381G1"/>).</summary>
    public Bls12381G1Group() : base(Fr.ModulusLimbs) { }

    /// <inheritdoc />
    public override string Name => "BLS12381G1";

    /// <inheritdoc />
    public override int ElementLimbs => Limbs;

    /// <inheritdoc />
    public override int ElementSizeInBytes => G1Affine.CompressedSizeInBytes;

    /// <summary>The point an element buffer holds.</summary>
    internal static ref G1Projective Point(Span<ulong> e) => ref MemoryMarshal.Cast<ulong, G1Projective>(e)[0];

    /// <summary>The point an element buffer holds.</summary>
    internal static ref readonly G1Projective Point(ReadOnlySpan<ulong> e) => ref MemoryMarshal.Cast<ulong, G1Projective>(e)[0];

    private static Fr Scalar(ReadOnlySpan<ulong> s) => Fr.FromCanonicalLimbs(s);

    /// <inheritdoc />
    public override void Identity(Span<ulong> element) => Point(element) = G1Projective.Identity;

    /// <inheritdoc />
    public override void Generator(Span<ulong> element) => Point(element) = G1Projective.Generator;

    /// <inheritdoc />
    public override void Multiply(ReadOnlySpan<ulong> a, ReadOnlySpan<ulong> b, Span<ulong> result) => Point(result) = Point(a) + Point(b);

    /// <inheritdoc />
    public override void Invert(ReadOnlySpan<ulong> a, Span<ulong> result) => Point(result) = Point(a).Negate();

    /// <inheritdoc />
    public override void Pow(ReadOnlySpan<ulong> element, ReadOnlySpan<ulong> scalar, Span<ulong> result)
        => Point(result) = Point(element).Multiply(Scalar(scalar));

    /// <inheritdoc />
    /// <remarks>Straus with the GLV split (one 128-bit NAF chain), faster than the constant-time GLV multiplication.</remarks>
    public override void PowVarTime(ReadOnlySpan<ulong> element, ReadOnlySpan<ulong> scalar, Span<ulong> result)
    {
        Fr k = Scalar(scalar);
        Point(result) = G1Projective.MultiplySumVarTime(new ReadOnlySpan<G1Projective>(in Point(element)), new ReadOnlySpan<Fr>(in k));
    }

    /// <inheritdoc />
    public override void PowGenerator(ReadOnlySpan<ulong> scalar, Span<ulong> result) => Point(result) = G1FixedBase.Generator.Multiply(Scalar(scalar));

    /// <summary>Up to this many terms go through Straus with the GLV split; more through Pippenger.</summary>
    internal const int StrausLimit = 48;

    /// <inheritdoc />
    public override void MultiPowVarTime(ReadOnlySpan<ulong> elements, ReadOnlySpan<ulong> scalars, Span<ulong> result)
    {
        int n = scalars.Length / ScalarLimbs;
        ReadOnlySpan<G1Projective> points = MemoryMarshal.Cast<ulong, G1Projective>(elements)[..n];
        Fr[] fr = System.Buffers.ArrayPool<Fr>.Shared.Rent(n);
        for (int i = 0; i < n; i++) fr[i] = Scalar(scalars.Slice(ScalarLimbs * i, ScalarLimbs));
        if (n <= StrausLimit)
        {
            Point(result) = G1Projective.MultiplySumVarTime(points, fr.AsSpan(0, n));
        }
        else
        {
            G1Affine[] affine = System.Buffers.ArrayPool<G1Affine>.Shared.Rent(n);
            G1Projective.BatchToAffine(points, affine.AsSpan(0, n));
            Point(result) = G1Projective.MsmVarTime(affine.AsSpan(0, n), fr.AsSpan(0, n));
            System.Buffers.ArrayPool<G1Affine>.Shared.Return(affine);
        }
        System.Buffers.ArrayPool<Fr>.Shared.Return(fr);
    }

    /// <inheritdoc />
    public override bool AreEqual(ReadOnlySpan<ulong> a, ReadOnlySpan<ulong> b) => Point(a) == Point(b);

    /// <inheritdoc />
    public override EngineStatus Decode(ReadOnlySpan<byte> encoded, Span<ulong> element)
    {
        if (encoded.Length != G1Affine.CompressedSizeInBytes) return EngineStatus.BadLength;
        EngineStatus status = G1Affine.Decode(encoded, out G1Affine p);
        if (status != EngineStatus.Ok) return status;
        if (p.IsIdentity) return EngineStatus.IdentityElement;
        Point(element) = p.ToProjective();
        return EngineStatus.Ok;
    }

    /// <inheritdoc />
    public override void Encode(ReadOnlySpan<ulong> element, Span<byte> destination) => Point(element).ToAffine().EncodeCompressed(destination);
}
