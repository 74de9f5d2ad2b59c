using Engine.Revocation.Policies;

namespace Engine.Revocation.Signatures;

/// <summary>Ring policies Υ: any policy over ring attributes, and the paper's "k of the ring" through the default set Ω.</summary>
public static class RingPolicy
{
    /// <summary>
    /// "k of (<paramref name="attributes"/>)" in the paper's form (SPEC §4.1): d of (the attributes ∪ the first d − k
    /// defaults of Ω), d = |Ω| + 1, so a signer needs k real attributes and uses d − k defaults every member holds.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">k is not in 1 … min(d, |attributes|).</exception>
    public static Policy KOf(int k, IReadOnlyList<string> attributes, RingPublicKey key)
    {
        int d = key.DefaultCount + 1;
        if (k < 1 || k > d || k > attributes.Count) throw new ArgumentOutOfRangeException(nameof(k), $"k must be 1 to {Math.Min(d, attributes.Count)}.");
        var items = attributes.Select(Quote).Concat(Enumerable.Range(1, d - k).Select(i => Quote(key.DefaultAttribute(i))));
        return Policy.Parse($"{d} of ({string.Join(", ", items)})");
    }

    private static string Quote(string attribute)
    {
        int at = attribute.LastIndexOf('@');
        string name = attribute[..at];
        return "\"" + name.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"" + attribute[at..];
    }
}
