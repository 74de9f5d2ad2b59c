using Engine.Pairing.Groups;
using Engine.Primitives.Wire;
using Engine.Revocation.Wire;

namespace Engine.Revocation.Signatures;

/// <summary>
/// A member's signing key for one ring epoch (SPEC §4.3): K_base ← G1, K0 = K_base^(1/a0) and K_u = K_base^(1/(a + b·û))
/// for each of the member's attributes and each default attribute of Ω. One K_base ties the key together: keys of two
/// members do not combine. Secret.
/// </summary>
public sealed class RingSigningKey
{
    private readonly Dictionary<string, G1Affine> _attributeKeys;

    internal RingSigningKey(string gid, string ringId, ulong epoch, in G1Affine kBase, in G1Affine k0, Dictionary<string, G1Affine> attributeKeys)
    {
        Gid = gid;
        RingId = ringId;
        Epoch = epoch;
        KBase = kBase;
        K0 = k0;
        _attributeKeys = attributeKeys;
    }

    /// <summary>The member.</summary>
    public string Gid { get; }

    /// <summary>The ring.</summary>
    public string RingId { get; }

    /// <summary>The ring epoch the key was issued for.</summary>
    public ulong Epoch { get; }

    /// <summary>K_base.</summary>
    public G1Affine KBase { get; }

    /// <summary>K0 = K_base^(1/a0).</summary>
    public G1Affine K0 { get; }

    /// <summary>K_u by attribute (the member's and Ω's).</summary>
    public IReadOnlyDictionary<string, G1Affine> AttributeKeys => _attributeKeys;

    /// <summary>version ‖ GID ‖ ring ‖ epoch (8) ‖ K_base ‖ K0 ‖ count (2) ‖ (attribute ‖ K_u)*.</summary>
    public byte[] Encode()
    {
        var w = new WireWriter(RevocationParameters.Version).Name(Gid).Name(RingId).UInt64(Epoch);
        PointCodec.Write(w, KBase);
        PointCodec.Write(w, K0);
        w.UInt16((ushort)_attributeKeys.Count);
        foreach ((string attribute, G1Affine k) in _attributeKeys.OrderBy(p => p.Key, StringComparer.Ordinal)) { w.Name(attribute); PointCodec.Write(w, k); }
        return w.ToArrayAndWipe();                                        // a secret key's encoding
    }

    /// <summary>Decodes and validates.</summary>
    public static EngineStatus Decode(ReadOnlySpan<byte> encoded, out RingSigningKey? key)
    {
        key = null;
        var r = new WireReader(encoded, RevocationParameters.Version);
        if (r.VersionMismatch) return EngineStatus.UnsupportedVersion;
        EngineStatus status = EngineStatus.Ok;
        string gid = r.Name(), ring = r.Name();
        ulong epoch = r.UInt64();
        G1Affine kBase = PointCodec.ReadG1(ref r, ref status), k0 = PointCodec.ReadG1(ref r, ref status);
        int count = r.UInt16();
        var keys = new Dictionary<string, G1Affine>(StringComparer.Ordinal);
        for (int i = 0; i < count && r.Ok; i++)
        {
            string attribute = r.Name();
            G1Affine k = PointCodec.ReadG1(ref r, ref status);
            if (r.Ok && !keys.TryAdd(attribute, k)) return EngineStatus.Malformed;
        }
        if (status != EngineStatus.Ok) return status;
        if (!r.AtEndOk) return EngineStatus.Malformed;
        if (kBase.IsIdentity) return EngineStatus.IdentityElement;
        key = new RingSigningKey(gid, ring, epoch, kBase, k0, keys);
        return EngineStatus.Ok;
    }
}
