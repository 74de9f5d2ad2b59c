namespace Engine.Primitives.Groups;

/// <summary>
/// A <see cref="PrimeOrderGroup"/> that forwards to another and counts the expensive operations, for profiling a
/// protocol against a paper's efficiency table (how many fixed-base and variable-base exponentiations a role
/// does per step). Results are identical to the inner group's; batched paths run unbatched through it.
/// </summary>
/// <remarks>Thread-safe counters. Keys and ciphertexts made with it are interchangeable with the inner group's (same name).</remarks>
public sealed class CountingPrimeOrderGroup : PrimeOrderGroup
{
    private readonly PrimeOrderGroup _inner;
    private long _fixedBase, _variableBase, _multiExponentiations, _decodes;

    /// <summary>Counts the operations of <paramref name="inner"/>.</summary>
    public CountingPrimeOrderGroup(PrimeOrderGroup inner) : base(inner.Order) => _inner = inner;

    /// <summary>Powers of the generator (<see cref="PowGenerator"/>: fixed-base tables).</summary>
    public long FixedBase => Interlocked.Read(ref _fixedBase);

    /// <summary>Powers of other elements (<see cref="Pow"/> and <see cref="PowVarTime"/>).</summary>
    public long VariableBase => Interlocked.Read(ref _variableBase);

    /// <summary>Multi-exponentiations (<see cref="MultiPowVarTime"/>).</summary>
    public long MultiExponentiations => Interlocked.Read(ref _multiExponentiations);

    /// <summary>Elements decoded from the wire: each costs a membership check (y^q = 1 in a Schnorr group; a curve and subgroup check in G1).</summary>
    public long Decodes => Interlocked.Read(ref _decodes);

    /// <summary>Sets every counter to zero.</summary>
    public void Reset()
    {
        Interlocked.Exchange(ref _fixedBase, 0);
        Interlocked.Exchange(ref _variableBase, 0);
        Interlocked.Exchange(ref _multiExponentiations, 0);
        Interlocked.Exchange(ref _decodes, 0);
    }

    /// <inheritdoc/>
    public override string Name => _inner.Name;
    /// <inheritdoc/>
    public override int ElementLimbs => _inner.ElementLimbs;
    /// <inheritdoc/>
    public override int ElementSizeInBytes => _inner.ElementSizeInBytes;
    /// <inheritdoc/>
    public override void Identity(Span<ulong> element) => _inner.Identity(element);
    /// <inheritdoc/>
    public override void Generator(Span<ulong> element) => _inner.Generator(element);
    /// <inheritdoc/>
    public override void Multiply(ReadOnlySpan<ulong> a, ReadOnlySpan<ulong> b, Span<ulong> result) => _inner.Multiply(a, b, result);
    /// <inheritdoc/>
    public override void Invert(ReadOnlySpan<ulong> a, Span<ulong> result) => _inner.Invert(a, result);
    /// <inheritdoc/>
    public override bool AreEqual(ReadOnlySpan<ulong> a, ReadOnlySpan<ulong> b) => _inner.AreEqual(a, b);
    /// <inheritdoc/>
    public override void Encode(ReadOnlySpan<ulong> element, Span<byte> destination) => _inner.Encode(element, destination);

    /// <inheritdoc/>
    public override void Pow(ReadOnlySpan<ulong> element, ReadOnlySpan<ulong> scalar, Span<ulong> result)
    {
        Interlocked.Increment(ref _variableBase);
        _inner.Pow(element, scalar, result);
    }

    /// <inheritdoc/>
    public override void PowVarTime(ReadOnlySpan<ulong> element, ReadOnlySpan<ulong> scalar, Span<ulong> result)
    {
        Interlocked.Increment(ref _variableBase);
        _inner.PowVarTime(element, scalar, result);
    }

    /// <inheritdoc/>
    public override void PowGenerator(ReadOnlySpan<ulong> scalar, Span<ulong> result)
    {
        Interlocked.Increment(ref _fixedBase);
        _inner.PowGenerator(scalar, result);
    }

    /// <inheritdoc/>
    public override void MultiPowVarTime(ReadOnlySpan<ulong> elements, ReadOnlySpan<ulong> scalars, Span<ulong> result)
    {
        Interlocked.Increment(ref _multiExponentiations);
        _inner.MultiPowVarTime(elements, scalars, result);
    }

    /// <inheritdoc/>
    public override EngineStatus Decode(ReadOnlySpan<byte> encoded, Span<ulong> element)
    {
        Interlocked.Increment(ref _decodes);
        return _inner.Decode(encoded, element);
    }
}
