using Engine.Pairing.Groups;
using Engine.Primitives.Wire;
using Engine.Revocation.Wire;

namespace Engine.Revocation.Abe;

/// <summary>What a non-revoked holder of an attribute receives on revocation: D = g2^Δα · H(GID)^Δy (SPEC §4.6).</summary>
public sealed class KeyUpdate
{
    internal KeyUpdate(string gid, string attribute, uint fromVersion, uint toVersion, in G2Projective delta)
    {
        Gid = gid;
        Attribute = attribute;
        FromVersion = fromVersion;
        ToVersion = toVersion;
        Delta = delta;
    }

    /// <summary>The holder.</summary>
    public string Gid { get; }

    /// <summary>The attribute revoked from someone else.</summary>
    public string Attribute { get; }

    /// <summary>The version the holder's key must be at.</summary>
    public uint FromVersion { get; }

    /// <summary>The version the key moves to.</summary>
    public uint ToVersion { get; }

    /// <summary>D ∈ G2.</summary>
    public G2Projective Delta { get; }

    /// <summary>version ‖ GID ‖ attribute ‖ from (4) ‖ to (4) ‖ D.</summary>
    public byte[] Encode()
    {
        var w = new WireWriter(RevocationParameters.Version).Name(Gid).Name(Attribute).UInt32(FromVersion).UInt32(ToVersion);
        PointCodec.Write(w, Delta.ToAffine());
        return w.ToArrayAndWipe();                                        // a secret key's encoding
    }

    /// <summary>Decodes and validates.</summary>
    public static EngineStatus Decode(ReadOnlySpan<byte> encoded, out KeyUpdate? update)
    {
        update = null;
        var r = new WireReader(encoded, RevocationParameters.Version);
        if (r.VersionMismatch) return EngineStatus.UnsupportedVersion;
        EngineStatus status = EngineStatus.Ok;
        string gid = r.Name(), attribute = r.Name();
        uint from = r.UInt32(), to = r.UInt32();
        G2Affine delta = PointCodec.ReadG2(ref r, ref status);
        if (status != EngineStatus.Ok) return status;
        if (!r.AtEndOk || to != from + 1) return EngineStatus.Malformed;
        update = new KeyUpdate(gid, attribute, from, to, delta.ToProjective());
        return EngineStatus.Ok;
    }
}
