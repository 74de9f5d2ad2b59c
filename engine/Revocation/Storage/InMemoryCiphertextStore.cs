using System.Collections.Concurrent;

namespace Engine.Revocation.Storage;

/// <summary>A ciphertext store in memory (tests, simulations).</summary>
public sealed class InMemoryCiphertextStore : ICiphertextStore
{
    private readonly ConcurrentDictionary<string, byte[]> _items = new(StringComparer.Ordinal), _meta = new(StringComparer.Ordinal);

    /// <inheritdoc/>
    public IReadOnlyList<string> Resources() => [.. _items.Keys.Order(StringComparer.Ordinal)];

    /// <inheritdoc/>
    public byte[]? Get(string resource) => _items.TryGetValue(resource, out byte[]? v) ? v : null;

    /// <inheritdoc/>
    public void Put(string resource, byte[] ciphertext) => _items[resource] = ciphertext;

    /// <inheritdoc/>
    public byte[]? GetMeta(string name) => _meta.TryGetValue(name, out byte[]? v) ? v : null;

    /// <inheritdoc/>
    public void SetMeta(string name, byte[] value) => _meta[name] = value;
}
