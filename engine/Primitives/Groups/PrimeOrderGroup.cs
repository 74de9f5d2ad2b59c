using Engine.BigInt;
using Engine.Pairing.HashToCurve;

namespace Engine.Primitives.Groups;

/// <summary>
/// A group of prime order q written multiplicatively (SPEC.md §0 "group abstraction"): the protocols are written
/// against this, so that BLS12-381 G1 can stand in for a Schnorr group. Elements live in caller-owned
/// <c>Span&lt;ulong&gt;</c> buffers of <see cref="ElementLimbs"/> limbs in the group's working form; scalars are
/// four little-endian limbs holding a canonical value below q.
/// </summary>
/// <remarks>
/// Constant time unless a name ends in <c>VarTime</c>; decoding works on public wire data. Implementations are
/// immutable and thread-safe.
/// </remarks>
public abstract class PrimeOrderGroup
{
    /// <summary>Limbs of a scalar.</summary>
    public const int ScalarLimbs = 4;

    /// <summary>Bytes of an encoded scalar (big-endian).</summary>
    public const int ScalarSizeInBytes = 32;

    private readonly MontgomeryContext _scalarField;

    /// <summary>Sets up scalar arithmetic modulo the order q (4 limbs, odd).</summary>
    protected PrimeOrderGroup(ReadOnlySpan<ulong> order) { _scalarField = new MontgomeryContext(order); }

    /// <summary>A stable name, used in domain separation tags and logs.</summary>
    public abstract string Name { get; }

    /// <summary>Limbs of an element in working form.</summary>
    public abstract int ElementLimbs { get; }

    /// <summary>Bytes of an encoded element.</summary>
    public abstract int ElementSizeInBytes { get; }

    /// <summary>q, the order, as four limbs.</summary>
    public ReadOnlySpan<ulong> Order => _scalarField.Modulus;

    /// <summary>Writes the identity.</summary>
    public abstract void Identity(Span<ulong> element);

    /// <summary>Writes the generator g.</summary>
    public abstract void Generator(Span<ulong> element);

    /// <summary>result = a·b (the group operation). result may alias a or b.</summary>
    public abstract void Multiply(ReadOnlySpan<ulong> a, ReadOnlySpan<ulong> b, Span<ulong> result);

    /// <summary>result = a⁻¹.</summary>
    public abstract void Invert(ReadOnlySpan<ulong> a, Span<ulong> result);

    /// <summary>result = element^scalar for a secret scalar. Constant time.</summary>
    public abstract void Pow(ReadOnlySpan<ulong> element, ReadOnlySpan<ulong> scalar, Span<ulong> result);

    /// <summary>result = element^scalar for a public scalar.</summary>
    public abstract void PowVarTime(ReadOnlySpan<ulong> element, ReadOnlySpan<ulong> scalar, Span<ulong> result);

    /// <summary>result = g^scalar from a fixed-base table. Constant time.</summary>
    public abstract void PowGenerator(ReadOnlySpan<ulong> scalar, Span<ulong> result);

    /// <summary>result = Π elementsᵢ^scalarsᵢ for public scalars (n elements, n × 4 scalar limbs).</summary>
    public abstract void MultiPowVarTime(ReadOnlySpan<ulong> elements, ReadOnlySpan<ulong> scalars, Span<ulong> result);

    /// <summary>True if a and b are the same element. Constant time.</summary>
    public abstract bool AreEqual(ReadOnlySpan<ulong> a, ReadOnlySpan<ulong> b);

    /// <summary>
    /// Decodes and validates a received element: <see cref="EngineStatus.BadLength"/>,
    /// <see cref="EngineStatus.NotCanonical"/>, <see cref="EngineStatus.NotOnCurve"/>,
    /// <see cref="EngineStatus.NotInSubgroup"/>, <see cref="EngineStatus.IdentityElement"/> (the identity is never
    /// a valid received element) or Ok.
    /// </summary>
    public abstract EngineStatus Decode(ReadOnlySpan<byte> encoded, Span<ulong> element);

    /// <summary>
    /// Decodes and validates a received element and raises it to a secret scalar: element = decode(encoded),
    /// power = element^scalar, with the statuses of <see cref="Decode"/>. Computed at once here; a group whose
    /// exponentiations can join a <see cref="Batching.ModExpBatcher"/> queues the validation and the power there
    /// instead, with identical results. The outputs are written before the task completes.
    /// </summary>
    public virtual ValueTask<EngineStatus> DecodeAndPowAsync(ReadOnlySpan<byte> encoded, ReadOnlySpan<ulong> scalar, Memory<ulong> element,
                                                             Memory<ulong> power, Batching.ModExpBatcher? batcher = null)
    {
        EngineStatus status = Decode(encoded, element.Span);
        if (status == EngineStatus.Ok) Pow(element.Span, scalar, power.Span);
        return ValueTask.FromResult(status);
    }

    /// <summary>
    /// result = element^scalar for a secret scalar, as <see cref="Pow"/>; a group that can batch queues it on
    /// <paramref name="batcher"/>. The result is written before the task completes.
    /// </summary>
    public virtual ValueTask PowAsync(ReadOnlySpan<ulong> element, ReadOnlySpan<ulong> scalar, Memory<ulong> result, Batching.ModExpBatcher? batcher = null)
    {
        Pow(element, scalar, result.Span);
        return ValueTask.CompletedTask;
    }

    /// <summary>Writes the canonical encoding of an element (<see cref="ElementSizeInBytes"/> bytes).</summary>
    public abstract void Encode(ReadOnlySpan<ulong> element, Span<byte> destination);

    /// <summary>A uniform secret scalar in [1, q − 1] (rejection sampling from the OS CSPRNG).</summary>
    public void RandomScalar(Span<ulong> scalar) => BigInt.RandomScalar.NonZeroBelow(Order, scalar);

    /// <summary>
    /// hash_to_scalar of SPEC.md §0: expand_message_xmd (SHA-256) to 48 bytes, reduced mod q. Constant time in the
    /// message.
    /// </summary>
    public void HashToScalar(ReadOnlySpan<byte> message, ReadOnlySpan<byte> dst, Span<ulong> scalar)
    {
        Span<byte> uniform = stackalloc byte[48];
        Span<ulong> wide = stackalloc ulong[6];
        ExpandMessageXmd.Expand(message, dst, uniform);
        BigEndian.TryToLimbs(uniform, wide);
        _scalarField.Reduce(wide, scalar);
        uniform.Clear();
        wide.Clear();
    }

    /// <summary>Reads a 32-byte big-endian scalar: <see cref="EngineStatus.BadLength"/>, <see cref="EngineStatus.ScalarOutOfRange"/> (≥ q) or Ok.</summary>
    public EngineStatus DecodeScalar(ReadOnlySpan<byte> encoded, Span<ulong> scalar)
    {
        if (encoded.Length != ScalarSizeInBytes) return EngineStatus.BadLength;
        BigEndian.TryToLimbs(encoded, scalar);
        if (Limbs.LessThanMask(scalar, Order) == 0)
        {
            scalar.Clear();
            return EngineStatus.ScalarOutOfRange;
        }
        return EngineStatus.Ok;
    }

    /// <summary>
    /// Reads a 32-byte secret scalar that must be in [1, q − 1] (a private key): the statuses of
    /// <see cref="DecodeScalar"/>, and <see cref="EngineStatus.ScalarOutOfRange"/> for zero, tested with a mask (the
    /// value is secret). The scalar is cleared on failure.
    /// </summary>
    public EngineStatus DecodeNonZeroScalar(ReadOnlySpan<byte> encoded, Span<ulong> scalar)
    {
        EngineStatus status = DecodeScalar(encoded, scalar);
        if (status == EngineStatus.Ok && Ct.IsZeroMask(scalar) != 0) status = EngineStatus.ScalarOutOfRange;
        if (status != EngineStatus.Ok) scalar.Clear();
        return status;
    }

    /// <summary>Writes a scalar as 32 big-endian bytes.</summary>
    public static void EncodeScalar(ReadOnlySpan<ulong> scalar, Span<byte> destination) => BigEndian.TryFromLimbs(scalar, destination);

    /// <summary>result = a + b mod q.</summary>
    public void ScalarAdd(ReadOnlySpan<ulong> a, ReadOnlySpan<ulong> b, Span<ulong> result) => _scalarField.Add(a, b, result);

    /// <summary>result = a − b mod q.</summary>
    public void ScalarSubtract(ReadOnlySpan<ulong> a, ReadOnlySpan<ulong> b, Span<ulong> result) => _scalarField.Subtract(a, b, result);

    /// <summary>result = a·b mod q (canonical in, canonical out: a·R · b · R⁻¹).</summary>
    public void ScalarMultiply(ReadOnlySpan<ulong> a, ReadOnlySpan<ulong> b, Span<ulong> result)
    {
        Span<ulong> aMont = stackalloc ulong[ScalarLimbs];
        _scalarField.ToMontgomery(a, aMont);
        _scalarField.Multiply(aMont, b, result);
        aMont.Clear();
    }

    /// <inheritdoc />
    public override string ToString() => Name;
}
