using Engine.Pairing.Groups;

namespace Engine.Revocation.Abe;

/// <summary>
/// One user's decryption keys, all for one GID, with H(GID) computed once. Keys of another GID are refused: RW15's
/// collusion resistance rests on every key of a decryption sharing H(GID). Not thread-safe for writers.
/// </summary>
public sealed class UserDecryptionKeys
{
    private readonly Dictionary<string, DecryptionKey> _keys = new(StringComparer.Ordinal);

    /// <summary>Keys for <paramref name="gid"/>.</summary>
    public UserDecryptionKeys(string gid)
    {
        RevocationParameters.CheckGid(gid);
        Gid = gid;
        HashedGid = RevocationParameters.HashGid(gid);
        PreparedGid = new Pairing.Pairings.G2Prepared(HashedGid);
    }

    /// <summary>H(GID)'s Miller-loop lines.</summary>
    internal Pairing.Pairings.G2Prepared PreparedGid { get; }

    /// <summary>The global identifier.</summary>
    public string Gid { get; }

    /// <summary>H(GID) ∈ G2.</summary>
    public G2Affine HashedGid { get; }

    /// <summary>The keys, by attribute.</summary>
    public IReadOnlyDictionary<string, DecryptionKey> Keys => _keys;

    /// <summary>Adds or replaces the key for its attribute.</summary>
    /// <exception cref="ArgumentException">The key belongs to another GID.</exception>
    public void Add(DecryptionKey key)
    {
        if (key.Gid != Gid) throw new ArgumentException($"The key is for GID {key.Gid}, not {Gid}.", nameof(key));
        _keys[key.Attribute] = key;
    }

    /// <summary>Applies a key update to the matching key.</summary>
    public EngineStatus Apply(KeyUpdate update)
        => update.Gid == Gid && _keys.TryGetValue(update.Attribute, out DecryptionKey? key) ? key.Apply(update) : EngineStatus.NotFound;
}
