using System.Security.Cryptography;
using Engine.Pairing.Fields;
using Engine.Pairing.Groups;
using Engine.Pairing.Pairings;
using Engine.Primitives.Wire;
using Engine.Revocation.Wire;

namespace Engine.Revocation.Abe;

/// <summary>
/// An encryption authority of RW15 multi-authority CP-ABE (SPEC §4.1, 4.3, 4.6): the secret (α, y), per-attribute
/// versions α_{u,v} = α + δα_{u,v}, y_{u,v} = y + δy_{u,v}, the register of who holds which attribute, key generation
/// and revocation. Thread-safe; <see cref="Dispose"/> wipes the secrets.
/// </summary>
public sealed class AttributeAuthority : IDisposable
{
    /// <summary>Most attributes one authority versions or registers holders for.</summary>
    public const int MaxAttributes = AuthorityPublicKey.MaxVersionedAttributes;

    private readonly object _gate = new();
    private readonly Fr[] _secret = GC.AllocateArray<Fr>(2, pinned: true);            // α, y
    // Per attribute: the cumulative (δα, δy) of every version so far, index = version (entry 0 is (0, 0)).
    private readonly Dictionary<string, List<(Fr Alpha, Fr Y)>> _versions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SortedSet<string>> _holders = new(StringComparer.Ordinal);
    private AuthorityPublicKey? _publicKey;

    private AttributeAuthority(string name, in Fr alpha, in Fr y)
    {
        if (name.Length == 0 || name.Any(c => !Policies.PolicyLexerNames.IsBareChar(c)))
            throw new ArgumentException("Authority names use letters, digits and _ - . : / +.", nameof(name));
        Name = name;
        _secret[0] = alpha;
        _secret[1] = y;
    }

    /// <summary>The authority's name: its attributes are <c>name@</c><see cref="Name"/>.</summary>
    public string Name { get; }

    /// <summary>A new authority with fresh α, y ← Z_r.</summary>
    public static AttributeAuthority Create(string name) => new(name, Fr.RandomNonZero(), Fr.RandomNonZero());

    /// <summary>The current public key (rebuilt after each revocation).</summary>
    public AuthorityPublicKey PublicKey
    {
        get
        {
            lock (_gate) return _publicKey ??= BuildPublicKey();
        }
    }

    /// <summary>The current version of <paramref name="attribute"/>.</summary>
    public uint VersionOf(string attribute)
    {
        lock (_gate) return _versions.TryGetValue(attribute, out var list) ? (uint)(list.Count - 1) : 0;
    }

    /// <summary>The GIDs holding a key for <paramref name="attribute"/> (at its current version).</summary>
    public IReadOnlyCollection<string> HoldersOf(string attribute)
    {
        lock (_gate) return _holders.TryGetValue(attribute, out var set) ? [.. set] : [];
    }

    /// <summary>
    /// KeyGen for (GID, u): t ← Z_r, K = g2^α_u · H(GID)^y_u · F(u)^t, KP = g1^t, at u's current version; the GID is
    /// registered as a holder so revocations update it.
    /// </summary>
    /// <exception cref="ArgumentException">The attribute is not this authority's, or the GID is malformed.</exception>
    public DecryptionKey IssueKey(string gid, string attribute)
    {
        RevocationParameters.CheckGid(gid);
        CheckOwn(attribute);
        G2Affine hGid = RevocationParameters.HashGid(gid), fU = RevocationParameters.HashAttribute(attribute);
        lock (_gate)
        {
            if (!_holders.TryGetValue(attribute, out var holders))
            {
                if (_holders.Count >= MaxAttributes) throw new EngineException(EngineStatus.CapacityExceeded, $"Authority {Name} already registers {MaxAttributes} attributes.");
                _holders[attribute] = holders = new SortedSet<string>(StringComparer.Ordinal);
            }
            (Fr alpha, Fr y, uint version) = Current(attribute);
            Fr t = Fr.RandomNonZero();
            G2Projective k = G2FixedBase.Generator.Multiply(alpha) + hGid.ToProjective().Multiply(y) + fU.ToProjective().Multiply(t);
            G1Affine kp = G1FixedBase.Generator.Multiply(t).ToAffine();
            holders.Add(gid);
            return new DecryptionKey(gid, attribute, version, k.ToAffine(), kp);
        }
    }

    /// <summary>
    /// Revokes <paramref name="attribute"/> from <paramref name="revokedGid"/> (SPEC §4.6): the attribute moves to a new
    /// version (fresh Δα, Δy), every remaining holder gets a <see cref="KeyUpdate"/>, the CSPs get the
    /// <see cref="CiphertextUpdateKey"/>, and the public key changes.
    /// </summary>
    /// <exception cref="EngineException"><see cref="EngineStatus.NotFound"/>: the GID holds no key for the attribute.</exception>
    public AttributeRevocation Revoke(string attribute, string revokedGid)
    {
        CheckOwn(attribute);
        lock (_gate)
        {
            if (!_holders.TryGetValue(attribute, out var holders) || !holders.Contains(revokedGid))
                throw new EngineException(EngineStatus.NotFound, $"{revokedGid} holds no key for {attribute}.");
            if (!_versions.TryGetValue(attribute, out var list))
            {
                if (_versions.Count >= MaxAttributes) throw new EngineException(EngineStatus.CapacityExceeded, $"Authority {Name} already versions {MaxAttributes} attributes.");
                _versions[attribute] = list = [(Fr.Zero, Fr.Zero)];
            }
            Fr deltaAlpha = Fr.RandomNonZero(), deltaY = Fr.RandomNonZero();
            uint from = (uint)(list.Count - 1);
            (Fr a, Fr y) = list[^1];
            list.Add((a + deltaAlpha, y + deltaY));
            holders.Remove(revokedGid);

            G2Projective u = G2FixedBase.Generator.Multiply(deltaAlpha);
            var updates = new List<KeyUpdate>(holders.Count);
            foreach (string gid in holders)
                updates.Add(new KeyUpdate(gid, attribute, from, from + 1, u + RevocationParameters.HashGid(gid).ToProjective().Multiply(deltaY)));
            _publicKey = null;
            return new AttributeRevocation(attribute, revokedGid, new CiphertextUpdateKey(attribute, from, u.ToAffine(), deltaY), updates);
        }
    }

    /// <summary>The ciphertext update key from <paramref name="fromVersion"/> to the next (for a CSP catching up).</summary>
    /// <exception cref="EngineException"><see cref="EngineStatus.NotFound"/>: no such version step.</exception>
    public CiphertextUpdateKey UpdateKey(string attribute, uint fromVersion)
    {
        lock (_gate)
        {
            if (!_versions.TryGetValue(attribute, out var list) || fromVersion + 1 >= (uint)list.Count)
                throw new EngineException(EngineStatus.NotFound, $"{attribute} has no version {fromVersion + 1}.");
            Fr deltaAlpha = list[(int)fromVersion + 1].Alpha - list[(int)fromVersion].Alpha;
            Fr deltaY = list[(int)fromVersion + 1].Y - list[(int)fromVersion].Y;
            return new CiphertextUpdateKey(attribute, fromVersion, G2FixedBase.Generator.Multiply(deltaAlpha).ToAffine(), deltaY);
        }
    }

    /// <summary>The secret state for a key file: α, y, every attribute's versions and the holder register.</summary>
    public byte[] ExportSecret()
    {
        lock (_gate)
        {
            var w = new WireWriter(RevocationParameters.Version).Name(Name);
            PointCodec.Write(w, _secret[0]);
            PointCodec.Write(w, _secret[1]);
            w.UInt16((ushort)_versions.Count);
            foreach ((string attribute, var list) in _versions)
            {
                w.Name(attribute).UInt32((uint)(list.Count - 1));
                for (int v = 1; v < list.Count; v++) { PointCodec.Write(w, list[v].Alpha); PointCodec.Write(w, list[v].Y); }
            }
            w.UInt16((ushort)_holders.Count);
            foreach ((string attribute, var set) in _holders)
            {
                w.Name(attribute).Int32(set.Count);
                foreach (string gid in set) w.Name(gid);
            }
            return w.ToArrayAndWipe();
        }
    }

    /// <summary>Restores an authority from <see cref="ExportSecret"/>.</summary>
    public static EngineStatus Import(ReadOnlySpan<byte> secret, out AttributeAuthority? authority)
    {
        authority = null;
        var r = new WireReader(secret, RevocationParameters.Version);
        if (r.VersionMismatch) return EngineStatus.UnsupportedVersion;
        EngineStatus status = EngineStatus.Ok;
        string name = r.Name();
        Fr alpha = PointCodec.ReadScalar(ref r, ref status), y = PointCodec.ReadScalar(ref r, ref status);
        if (!r.Ok || status != EngineStatus.Ok) return status == EngineStatus.Ok ? EngineStatus.Malformed : status;
        AttributeAuthority result;
        try { result = new AttributeAuthority(name, alpha, y); }
        catch (ArgumentException) { return EngineStatus.Malformed; }
        int attributes = r.UInt16();
        for (int i = 0; i < attributes && r.Ok; i++)
        {
            string attribute = r.Name();
            uint versions = r.UInt32();
            if (versions > 1_000_000) return EngineStatus.Malformed;
            var list = new List<(Fr, Fr)> { (Fr.Zero, Fr.Zero) };
            for (uint v = 0; v < versions && r.Ok; v++) list.Add((PointCodec.ReadScalar(ref r, ref status), PointCodec.ReadScalar(ref r, ref status)));
            result._versions[attribute] = list;
        }
        int holderLists = r.UInt16();
        for (int i = 0; i < holderLists && r.Ok; i++)
        {
            string attribute = r.Name();
            int count = r.Int32();
            if (count < 0 || count > 10_000_000) return EngineStatus.Malformed;
            var set = new SortedSet<string>(StringComparer.Ordinal);
            for (int g = 0; g < count && r.Ok; g++) set.Add(r.Name());
            result._holders[attribute] = set;
        }
        if (status != EngineStatus.Ok) return status;
        if (!r.AtEndOk) return EngineStatus.Malformed;
        authority = result;
        return EngineStatus.Ok;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        lock (_gate)
        {
            CryptographicOperations.ZeroMemory(System.Runtime.InteropServices.MemoryMarshal.AsBytes(_secret.AsSpan()));
            foreach (var list in _versions.Values)
                CryptographicOperations.ZeroMemory(System.Runtime.InteropServices.MemoryMarshal.AsBytes(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(list)));
            _versions.Clear();
        }
    }

    private (Fr Alpha, Fr Y, uint Version) Current(string attribute)
    {
        if (!_versions.TryGetValue(attribute, out var list)) return (_secret[0], _secret[1], 0);
        return (_secret[0] + list[^1].Alpha, _secret[1] + list[^1].Y, (uint)(list.Count - 1));
    }

    private void CheckOwn(string attribute)
    {
        ArgumentNullException.ThrowIfNull(attribute);
        if (RevocationParameters.AuthorityOf(attribute) != Name)
            throw new ArgumentException($"{attribute} is not an attribute of authority {Name}.", nameof(attribute));
    }

    private AuthorityPublicKey BuildPublicKey()
    {
        var versioned = new Dictionary<string, AttributePublicKey>(StringComparer.Ordinal);
        foreach ((string attribute, var list) in _versions)
        {
            if (list.Count == 1) continue;
            (Fr alpha, Fr y, uint version) = Current(attribute);
            versioned[attribute] = new AttributePublicKey(version, GtFixedBase.Generator.Pow(alpha), G1FixedBase.Generator.Multiply(y).ToAffine());
        }
        return new AuthorityPublicKey(Name, GtFixedBase.Generator.Pow(_secret[0]), G1FixedBase.Generator.Multiply(_secret[1]).ToAffine(), versioned);
    }
}

/// <summary>The outcome of one <see cref="AttributeAuthority.Revoke"/>: the CSPs' update key and the holders' key updates.</summary>
/// <param name="Attribute">The attribute.</param>
/// <param name="RevokedGid">Whose key no longer works on updated ciphertexts.</param>
/// <param name="CiphertextUpdate">For the accepting CSPs.</param>
/// <param name="KeyUpdates">One per remaining holder.</param>
public sealed record AttributeRevocation(string Attribute, string RevokedGid, CiphertextUpdateKey CiphertextUpdate, IReadOnlyList<KeyUpdate> KeyUpdates);
