using Engine.Pairing.Groups;
using Engine.Pairing.Pairings;
using Engine.Primitives.Wire;
using Engine.Revocation.Wire;

namespace Engine.Revocation.Abe;

/// <summary>
/// An encryption authority's public key (RW15): PK = (e(g1, g2)^α, g1^y), plus the public key of every attribute whose
/// version is above 0 (SPEC §4.1: δ = 0 at version 0, so unversioned attributes need no entry and the universe stays
/// large). Immutable; a revocation publishes a new one.
/// </summary>
public sealed class AuthorityPublicKey
{
    /// <summary>Most versioned attributes one key may list (bounds what a decoder accepts).</summary>
    public const int MaxVersionedAttributes = 4096;

    private readonly Dictionary<string, AttributePublicKey> _versioned;

    internal AuthorityPublicKey(string name, in Gt eggAlpha, in G1Affine g1Y, Dictionary<string, AttributePublicKey> versioned)
    {
        Name = name;
        Base = new AttributePublicKey(0, eggAlpha, g1Y);
        _versioned = versioned;
    }

    /// <summary>The authority's name, the part after <c>@</c> in its attributes.</summary>
    public string Name { get; }

    /// <summary>Version 0: (e(g1, g2)^α, g1^y).</summary>
    public AttributePublicKey Base { get; }

    /// <summary>Attributes above version 0 and their current keys.</summary>
    public IReadOnlyDictionary<string, AttributePublicKey> Versioned => _versioned;

    /// <summary>The key to encrypt to <paramref name="attribute"/> with now.</summary>
    public AttributePublicKey For(string attribute) => _versioned.TryGetValue(attribute, out AttributePublicKey? key) ? key : Base;

    /// <summary>The encoding: version ‖ name ‖ e(g1,g2)^α ‖ g1^y ‖ count (2) ‖ (attribute ‖ version (4) ‖ Gt ‖ G1)*.</summary>
    public byte[] Encode()
    {
        var w = new WireWriter(RevocationParameters.Version);
        w.Name(Name);
        PointCodec.Write(w, Base.EggAlpha);
        PointCodec.Write(w, Base.G1Y);
        w.UInt16((ushort)_versioned.Count);
        foreach ((string attribute, AttributePublicKey key) in _versioned.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            w.Name(attribute).UInt32(key.Version);
            PointCodec.Write(w, key.EggAlpha);
            PointCodec.Write(w, key.G1Y);
        }
        return w.ToArray();
    }

    /// <summary>Decodes and validates (every group element checked); a typed status on failure.</summary>
    public static EngineStatus Decode(ReadOnlySpan<byte> encoded, out AuthorityPublicKey? key)
    {
        key = null;
        var r = new WireReader(encoded, RevocationParameters.Version);
        if (r.VersionMismatch) return EngineStatus.UnsupportedVersion;
        EngineStatus status = EngineStatus.Ok;
        string name = r.Name();
        Gt eggAlpha = PointCodec.ReadGt(ref r, ref status);
        G1Affine g1Y = PointCodec.ReadG1(ref r, ref status);
        int count = r.UInt16();
        if (count > MaxVersionedAttributes) return EngineStatus.CapacityExceeded;
        var versioned = new Dictionary<string, AttributePublicKey>(StringComparer.Ordinal);
        for (int i = 0; i < count && r.Ok; i++)
        {
            string attribute = r.Name();
            uint version = r.UInt32();
            Gt z = PointCodec.ReadGt(ref r, ref status);
            G1Affine p = PointCodec.ReadG1(ref r, ref status);
            if (!r.Ok) break;
            if (version == 0 || !attribute.EndsWith("@" + name, StringComparison.Ordinal) || !versioned.TryAdd(attribute, new AttributePublicKey(version, z, p)))
                return EngineStatus.Malformed;
        }
        if (status != EngineStatus.Ok) return status;
        if (!r.AtEndOk) return EngineStatus.Malformed;
        if (g1Y.IsIdentity || eggAlpha.IsIdentity) return EngineStatus.IdentityElement;
        key = new AuthorityPublicKey(name, eggAlpha, g1Y, versioned);
        return EngineStatus.Ok;
    }
}
