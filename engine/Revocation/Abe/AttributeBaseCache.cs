using System.Collections.Concurrent;
using Engine.Pairing.Fields;
using Engine.Pairing.Groups;

namespace Engine.Revocation.Abe;

/// <summary>
/// F(u) for the attributes an encryptor keeps using: the hash to G2 (≈ 0.6 ms) is computed once, and from an
/// attribute's second use on its fixed-base table replaces the variable-base F(u)^t. Bounded: at most
/// <see cref="MaxHashes"/> hashes and <see cref="MaxTables"/> tables (192 KiB each); beyond that attributes are
/// hashed and multiplied afresh. Public values only; thread-safe.
/// </summary>
public sealed class AttributeBaseCache
{
    /// <summary>Most cached hashes.</summary>
    public const int MaxHashes = 4096;

    /// <summary>Most cached fixed-base tables.</summary>
    public const int MaxTables = 64;

    private sealed class Entry(G2Affine point)
    {
        public readonly G2Affine Point = point;
        public int Uses;
        public G2FixedBase? Table;
    }

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private int _tables;

    /// <summary>The process-wide cache the encryptor uses.</summary>
    public static AttributeBaseCache Shared { get; } = new();

    /// <summary>Cached tables so far.</summary>
    public int TableCount => Volatile.Read(ref _tables);

    /// <summary>Makes sure every attribute in <paramref name="attributes"/> has its hash, hashing the missing ones as one batch.</summary>
    public void Prepare(IReadOnlyList<string> attributes)
    {
        var missing = new List<string>();
        for (int i = 0; i < attributes.Count; i++) if (!_entries.ContainsKey(attributes[i])) missing.Add(attributes[i]);
        if (missing.Count == 0) return;
        G2Affine[] hashed = RevocationParameters.HashAttributes(missing);
        for (int i = 0; i < missing.Count && _entries.Count < MaxHashes; i++) _entries.TryAdd(missing[i], new Entry(hashed[i]));
    }

    /// <summary>F(u)^t, constant time in t.</summary>
    public G2Projective Multiply(string attribute, in Fr t)
    {
        if (!_entries.TryGetValue(attribute, out Entry? entry)) return RevocationParameters.HashAttribute(attribute).ToProjective().Multiply(t);
        if (entry.Table is { } table) return table.Multiply(t);
        if (Interlocked.Increment(ref entry.Uses) >= 2 && Interlocked.Increment(ref _tables) <= MaxTables)
        {
            entry.Table = new G2FixedBase(entry.Point);
            return entry.Table.Multiply(t);
        }
        return entry.Point.ToProjective().Multiply(t);
    }
}
