using System.Security.Cryptography;
using Engine.Primitives.Groups;

namespace Engine.Primitives.Sigma;

/// <summary>
/// A product Π elementᵢ^scalarᵢ that must equal the identity, gathered term by term and checked with one
/// multi-exponentiation: the core of every verification by random linear combination (Σ-proof batches, the
/// Protocol 3 tag equation, later the Protocol 4 signature equations). Bases shared by every term of a batch (a
/// generator) have slots whose exponents are summed, so they cost one term however many proofs use them.
/// </summary>
/// <remarks>
/// Exponents are public (responses, challenges, random weights): the check is variable time, and secret exponents
/// must be applied beforehand in constant time. Buffers grow to the largest batch seen and are reused, so a
/// long-lived instance allocates nothing in steady state. Not thread-safe: one per worker.
/// </remarks>
public sealed class MultiExpCheck
{
    private const int L = PrimeOrderGroup.ScalarLimbs;
    private readonly PrimeOrderGroup _group;
    private readonly int _sharedSlots;
    private readonly int _n;
    private ulong[] _elements;
    private ulong[] _scalars;
    private int _count;

    /// <summary>A check in <paramref name="group"/> with <paramref name="sharedSlots"/> shared bases (set them with <see cref="SetSharedBase"/>).</summary>
    public MultiExpCheck(PrimeOrderGroup group, int sharedSlots = 0, int initialTerms = 16)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(sharedSlots);
        _group = group;
        _n = group.ElementLimbs;
        _sharedSlots = sharedSlots;
        int capacity = Math.Max(initialTerms, sharedSlots + 1);
        _elements = new ulong[capacity * _n];
        _scalars = new ulong[capacity * L];
        _count = sharedSlots;
        for (int i = 0; i < sharedSlots; i++) group.Identity(_elements.AsSpan(i * _n, _n));
    }

    /// <summary>The group.</summary>
    public PrimeOrderGroup Group => _group;

    /// <summary>Terms gathered so far, shared slots included.</summary>
    public int Count => _count;

    /// <summary>Sets the base of shared slot <paramref name="slot"/> (kept across <see cref="Reset"/>).</summary>
    public void SetSharedBase(int slot, ReadOnlySpan<ulong> element)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)slot, (uint)_sharedSlots, nameof(slot));
        element.CopyTo(_elements.AsSpan(slot * _n, _n));
    }

    /// <summary>Adds <paramref name="scalar"/> to the exponent of shared slot <paramref name="slot"/>.</summary>
    public void AddToShared(int slot, ReadOnlySpan<ulong> scalar)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)slot, (uint)_sharedSlots, nameof(slot));
        Span<ulong> s = _scalars.AsSpan(slot * L, L);
        _group.ScalarAdd(s, scalar, s);
    }

    /// <summary>Appends the term element^scalar.</summary>
    public void Add(ReadOnlySpan<ulong> element, ReadOnlySpan<ulong> scalar)
    {
        EnsureCapacity(_count + 1);
        element.CopyTo(_elements.AsSpan(_count * _n, _n));
        scalar.CopyTo(_scalars.AsSpan(_count * L, L));
        _count++;
    }

    /// <summary>Appends the term element^(−scalar).</summary>
    public void AddNegated(ReadOnlySpan<ulong> element, ReadOnlySpan<ulong> scalar)
    {
        EnsureCapacity(_count + 1);
        element.CopyTo(_elements.AsSpan(_count * _n, _n));
        Span<ulong> s = _scalars.AsSpan(_count * L, L);
        s.Clear();
        _group.ScalarSubtract(s, scalar, s);
        _count++;
    }

    /// <summary>Computes the product with one multi-exponentiation: true when it is the identity.</summary>
    public bool IsIdentity()
    {
        Span<ulong> product = stackalloc ulong[_n], identity = stackalloc ulong[_n];
        _group.MultiPowVarTime(_elements.AsSpan(0, _count * _n), _scalars.AsSpan(0, _count * L), product);
        _group.Identity(identity);
        return _group.AreEqual(product, identity);
    }

    /// <summary>Writes the product itself (for a caller that combines it further, e.g. raises it to a secret in constant time).</summary>
    public void Compute(Span<ulong> product)
        => _group.MultiPowVarTime(_elements.AsSpan(0, _count * _n), _scalars.AsSpan(0, _count * L), product);

    /// <summary>Forgets the terms (shared bases stay, their exponents return to zero).</summary>
    public void Reset()
    {
        _scalars.AsSpan(0, _count * L).Clear();
        _count = _sharedSlots;
    }

    /// <summary>
    /// A fresh random weight for one equation of a batch: 128 uniform bits, odd so never zero. A false equation
    /// survives the combination with probability about 2^−128.
    /// </summary>
    public static void RandomWeight(Span<ulong> weight)
    {
        weight[..L].Clear();
        Span<byte> bytes = stackalloc byte[16];
        RandomNumberGenerator.Fill(bytes);
        weight[0] = BitConverter.ToUInt64(bytes) | 1;
        weight[1] = BitConverter.ToUInt64(bytes[8..]);
    }

    private void EnsureCapacity(int terms)
    {
        if (terms * L <= _scalars.Length) return;
        int capacity = Math.Max(terms, 2 * _scalars.Length / L);
        Array.Resize(ref _elements, capacity * _n);
        Array.Resize(ref _scalars, capacity * L);
    }
}
