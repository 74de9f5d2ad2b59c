using Engine.BigInt;

namespace Engine.Primitives.Groups;

/// <summary>
/// The order-q subgroup of Z_p* of a <see cref="SchnorrGroup"/> (SPEC.md §0) as a <see cref="PrimeOrderGroup"/>.
/// Elements are held in Montgomery form modulo p; the encoding is the big-endian value, |p|/8 bytes.
/// </summary>
public sealed class SchnorrPrimeOrderGroup : PrimeOrderGroup
{
    private readonly ulong[] _orderMinusOne;

    /// <summary>Wraps a Schnorr group.</summary>
    public SchnorrPrimeOrderGroup(SchnorrGroup group) : base(group.Order)
    {
        Group = group;
        _orderMinusOne = group.Order.ToArray();
        Limbs.SubWord(_orderMinusOne, 1);
    }

    /// <summary>The underlying parameters.</summary>
    public SchnorrGroup Group { get; }

    /// <inheritdoc />
    public override string Name => Group.Name;

    /// <inheritdoc />
    public override int ElementLimbs => Group.P.LimbCount;

    /// <inheritdoc />
    public override int ElementSizeInBytes => Group.ElementSizeInBytes;

    /// <inheritdoc />
    public override void Identity(Span<ulong> element) => Group.P.One.CopyTo(element);

    /// <inheritdoc />
    public override void Generator(Span<ulong> element) => Group.GeneratorMont.CopyTo(element);

    /// <inheritdoc />
    public override void Multiply(ReadOnlySpan<ulong> a, ReadOnlySpan<ulong> b, Span<ulong> result) => Group.P.Multiply(a, b, result);

    /// <summary>a⁻¹ = a^(q−1), since every element has order q; q − 1 is public, so this is constant time in a.</summary>
    public override void Invert(ReadOnlySpan<ulong> a, Span<ulong> result) => Group.P.Pow(a, _orderMinusOne, Group.Q.BitLength, result);

    /// <inheritdoc />
    public override void Pow(ReadOnlySpan<ulong> element, ReadOnlySpan<ulong> scalar, Span<ulong> result)
        => Group.P.Pow(element, scalar, Group.Q.BitLength, result);

    /// <inheritdoc />
    public override void PowVarTime(ReadOnlySpan<ulong> element, ReadOnlySpan<ulong> scalar, Span<ulong> result)
        => Group.P.PowVarTime(element, scalar, result);

    /// <inheritdoc />
    public override void PowGenerator(ReadOnlySpan<ulong> scalar, Span<ulong> result) => Group.PowGenerator(scalar, result);

    /// <inheritdoc />
    public override void MultiPowVarTime(ReadOnlySpan<ulong> elements, ReadOnlySpan<ulong> scalars, Span<ulong> result)
        => MultiExp.PowVarTime(Group.P, elements, scalars, ScalarLimbs, result);

    /// <inheritdoc />
    public override bool AreEqual(ReadOnlySpan<ulong> a, ReadOnlySpan<ulong> b) => Ct.EqualMask(a, b) != 0;

    /// <inheritdoc />
    public override EngineStatus Decode(ReadOnlySpan<byte> encoded, Span<ulong> element) => Group.DecodeElement(encoded, element);

    /// <inheritdoc />
    public override void Encode(ReadOnlySpan<ulong> element, Span<byte> destination)
    {
        Span<ulong> normal = stackalloc ulong[ElementLimbs];
        Group.P.FromMontgomery(element, normal);
        BigEndian.TryFromLimbs(normal, destination);
    }
}
