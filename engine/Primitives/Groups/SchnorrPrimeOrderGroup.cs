using Engine.BigInt;
using Engine.Primitives.Batching;

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

    /// <summary>
    /// With a batcher on this group's modulus, the membership check y^q = 1 and the power y^x go into the batch as
    /// two lanes (both 256-bit exponents, constant time); the cheap checks run first, so a malformed element never
    /// reaches the queue.
    /// </summary>
    public override ValueTask<EngineStatus> DecodeAndPowAsync(ReadOnlySpan<byte> encoded, ReadOnlySpan<ulong> scalar, Memory<ulong> element,
                                                              Memory<ulong> power, ModExpBatcher? batcher = null)
    {
        if (batcher is null || !ReferenceEquals(batcher.Context, Group.P)) return base.DecodeAndPowAsync(encoded, scalar, element, power, batcher);
        int n = ElementLimbs;
        ulong[] work = new ulong[4 * n];                                    // bases y, y; then results y^q, y^x
        EngineStatus status = Group.DecodeCandidate(encoded, work.AsSpan(0, n));
        if (status != EngineStatus.Ok) return ValueTask.FromResult(status);
        work.AsSpan(0, n).CopyTo(work.AsSpan(n, n));
        Span<ulong> exponents = stackalloc ulong[2 * ScalarLimbs];
        Order.CopyTo(exponents);
        scalar.CopyTo(exponents[ScalarLimbs..]);
        ValueTask pending = batcher.PowAsync(work.AsSpan(0, 2 * n), exponents, work.AsMemory(2 * n, 2 * n));
        exponents.Clear();
        return FinishBatchedAsync(pending, work, element, power);
    }

    /// <summary>With a batcher on this group's modulus, the power joins the batch (normal form in and out).</summary>
    public override ValueTask PowAsync(ReadOnlySpan<ulong> element, ReadOnlySpan<ulong> scalar, Memory<ulong> result, ModExpBatcher? batcher = null)
    {
        if (batcher is null || !ReferenceEquals(batcher.Context, Group.P)) return base.PowAsync(element, scalar, result, batcher);
        ulong[] work = new ulong[2 * ElementLimbs];                             // base, then the result
        Group.P.FromMontgomery(element, work.AsSpan(0, ElementLimbs));
        ValueTask pending = batcher.PowAsync(work.AsSpan(0, ElementLimbs), scalar, work.AsMemory(ElementLimbs));
        return FinishPowAsync(pending, work, result);
    }

    private async ValueTask FinishPowAsync(ValueTask pending, ulong[] work, Memory<ulong> result)
    {
        try
        {
            await pending.ConfigureAwait(false);
            Group.P.ToMontgomery(work.AsSpan(ElementLimbs), result.Span);
        }
        finally
        {
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(System.Runtime.InteropServices.MemoryMarshal.AsBytes(work.AsSpan()));
        }
    }

    private async ValueTask<EngineStatus> FinishBatchedAsync(ValueTask pending, ulong[] work, Memory<ulong> element, Memory<ulong> power)
    {
        int n = ElementLimbs;
        try
        {
            await pending.ConfigureAwait(false);
            work[2 * n] ^= 1;                                                // y^q − 1 is zero exactly when y is in the group
            if (!Limbs.IsZeroVarTime(work.AsSpan(2 * n, n))) return EngineStatus.NotInSubgroup;
            Group.P.ToMontgomery(work.AsSpan(0, n), element.Span);
            Group.P.ToMontgomery(work.AsSpan(3 * n, n), power.Span);
            return EngineStatus.Ok;
        }
        finally
        {
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(System.Runtime.InteropServices.MemoryMarshal.AsBytes(work.AsSpan()));
        }
    }

    /// <inheritdoc />
    public override void Encode(ReadOnlySpan<ulong> element, Span<byte> destination)
    {
        Span<ulong> normal = stackalloc ulong[ElementLimbs];
        Group.P.FromMontgomery(element, normal);
        BigEndian.TryFromLimbs(normal, destination);
    }
}
