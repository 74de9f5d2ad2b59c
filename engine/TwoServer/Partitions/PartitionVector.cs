namespace Engine.TwoServer.Partitions;

/// <summary>
/// One server's partition of a group of n users as an n-bit vector (paper §4.3: "the partitions can also be
/// represented as a bit vector"): bit i = 0 puts user i in G_1, bit i = 1 in G_2. On the wire it is ⌈n/8⌉ bytes,
/// user 0 in the high bit of byte 0 (the paper's left-to-right strings), unused low bits of the last byte zero.
/// </summary>
public sealed class PartitionVector : IEquatable<PartitionVector>
{
    private readonly ulong[] _bits;

    /// <summary>An all-G_1 vector for <paramref name="count"/> users.</summary>
    public PartitionVector(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        Count = count;
        _bits = new ulong[(count + 63) / 64];
    }

    /// <summary>Users in the group.</summary>
    public int Count { get; }

    /// <summary>Bytes of the wire form.</summary>
    public int EncodedSize => (Count + 7) / 8;

    /// <summary>The partition (0 for G_1, 1 for G_2) of user <paramref name="user"/>.</summary>
    public int this[int user]
    {
        get => (int)((_bits[user >> 6] >> (user & 63)) & 1);
        set
        {
            ulong mask = 1UL << (user & 63);
            _bits[user >> 6] = value == 0 ? _bits[user >> 6] & ~mask : _bits[user >> 6] | mask;
        }
    }

    /// <summary>Users in G_2.</summary>
    public int CountInSecond()
    {
        int total = 0;
        foreach (ulong word in _bits) total += System.Numerics.BitOperations.PopCount(word);
        return total;
    }

    /// <summary>Writes the wire form into exactly <see cref="EncodedSize"/> bytes.</summary>
    public void Encode(Span<byte> destination)
    {
        if (destination.Length != EncodedSize) throw new ArgumentException($"A partition of {Count} users has {EncodedSize} bytes.", nameof(destination));
        destination.Clear();
        for (int i = 0; i < Count; i++) destination[i >> 3] |= (byte)(this[i] << (7 - (i & 7)));
    }

    /// <summary>The wire form as a new array.</summary>
    public byte[] Encode()
    {
        byte[] bytes = new byte[EncodedSize];
        Encode(bytes);
        return bytes;
    }

    /// <summary>
    /// Parses a partition of <paramref name="count"/> users: <see cref="EngineStatus.BadLength"/> for the wrong size,
    /// <see cref="EngineStatus.NotCanonical"/> when padding bits are set, else Ok.
    /// </summary>
    public static EngineStatus Decode(ReadOnlySpan<byte> source, int count, out PartitionVector? vector)
    {
        vector = null;
        if (count < 1 || source.Length != (count + 7) / 8) return EngineStatus.BadLength;
        int spare = 8 * source.Length - count;
        if (spare > 0 && (source[^1] & ((1 << spare) - 1)) != 0) return EngineStatus.NotCanonical;
        var v = new PartitionVector(count);
        for (int i = 0; i < count; i++) v[i] = (source[i >> 3] >> (7 - (i & 7))) & 1;
        vector = v;
        return EngineStatus.Ok;
    }

    /// <summary>Users on different sides in the two vectors (the recipients and, in subgroup mode, G_τ̂).</summary>
    public IEnumerable<int> Differences(PartitionVector other)
    {
        if (other.Count != Count) throw new ArgumentException("Partitions of different groups.", nameof(other));
        for (int i = 0; i < Count; i++) if (this[i] != other[i]) yield return i;
    }

    /// <inheritdoc/>
    public bool Equals(PartitionVector? other) => other is not null && other.Count == Count && other._bits.AsSpan().SequenceEqual(_bits);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as PartitionVector);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Count, _bits.Length > 0 ? _bits[0] : 0);

    /// <summary>The paper's bit string for G_2 ("10010"), for small groups in logs and tests.</summary>
    public override string ToString() => string.Concat(Enumerable.Range(0, Count).Select(i => this[i] == 1 ? '1' : '0'));
}
