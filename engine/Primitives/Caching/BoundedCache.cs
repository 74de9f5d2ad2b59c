using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace Engine.Primitives.Caching;

/// <summary>
/// A thread-safe cache of values that never change once known (active users' keys, sessions), holding at most
/// <c>capacity</c> entries: when full it is emptied and refills from its source. That is cheaper than tracking use,
/// and a miss only costs a lookup in the store that has them all; it keeps a flood of distinct keys from growing memory.
/// </summary>
public sealed class BoundedCache<TKey, TValue>(int capacity, IEqualityComparer<TKey>? comparer = null) where TKey : notnull
{
    private readonly ConcurrentDictionary<TKey, TValue> _entries = new(comparer);

    /// <summary>The cached value of <paramref name="key"/>, if any.</summary>
    public bool TryGet(TKey key, [MaybeNullWhen(false)] out TValue value) => _entries.TryGetValue(key, out value);

    /// <summary>Caches <paramref name="value"/> (emptying the cache first when it is full).</summary>
    public void Set(TKey key, TValue value)
    {
        if (_entries.Count >= capacity) _entries.Clear();
        _entries[key] = value;
    }

    /// <summary>Forgets <paramref name="key"/>.</summary>
    public void Remove(TKey key) => _entries.TryRemove(key, out _);
}
