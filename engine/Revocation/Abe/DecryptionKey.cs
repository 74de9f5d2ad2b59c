using Engine.Pairing.Groups;
using Engine.Primitives.Wire;
using Engine.Revocation.Wire;

namespace Engine.Revocation.Abe;

/// <summary>
/// A user's decryption key for one attribute (RW15 KeyGen, SPEC §4.3): K = g2^α · H(GID)^y · F(u)^t and KP = g1^t,
/// bound to the GID and to the attribute's version. Keys of different GIDs do not combine (the H(GID) terms differ).
/// </summary>
public sealed class DecryptionKey
{
    internal DecryptionKey(string gid, string attribute, uint version, in G2Affine k, in G1Affine kp)
    {
        Gid = gid;
        Attribute = attribute;
        Version = version;
        K = k;
        KP = kp;
    }

    /// <summary>The holder's global identifier.</summary>
    public string Gid { get; }

    /// <summary><c>name@AUTHORITY</c>.</summary>
    public string Attribute { get; }

    /// <summary>The attribute version this key decrypts.</summary>
    public uint Version { get; private set; }

    /// <summary>K ∈ G2 (secret).</summary>
    public G2Affine K { get; private set; }

    private Pairing.Pairings.G2Prepared? _prepared;

    /// <summary>K's Miller-loop lines, computed on first decryption (K is long-lived).</summary>
    internal Pairing.Pairings.G2Prepared Prepared => _prepared ??= new Pairing.Pairings.G2Prepared(K);

    /// <summary>KP = g1^t ∈ G1.</summary>
    public G1Affine KP { get; }

    /// <summary>
    /// Applies an authority's key update (SPEC §4.6): K' = K · g2^Δα · H(GID)^Δy, moving the key to the next version.
    /// </summary>
    /// <returns><see cref="EngineStatus.Malformed"/> if the update is for another GID, attribute or version.</returns>
    public EngineStatus Apply(KeyUpdate update)
    {
        if (update.Gid != Gid || update.Attribute != Attribute || update.FromVersion != Version) return EngineStatus.Malformed;
        K = (K.ToProjective() + update.Delta).ToAffine();
        _prepared = null;
        Version = update.ToVersion;
        return EngineStatus.Ok;
    }

    /// <summary>version ‖ GID ‖ attribute ‖ attribute version (4) ‖ K ‖ KP.</summary>
    public byte[] Encode()
    {
        var w = new WireWriter(RevocationParameters.Version).Name(Gid).Name(Attribute).UInt32(Version);
        PointCodec.Write(w, K);
        PointCodec.Write(w, KP);
        return w.ToArrayAndWipe();                                        // a secret key's encoding
    }

    /// <summary>Decodes and validates.</summary>
    public static EngineStatus Decode(ReadOnlySpan<byte> encoded, out DecryptionKey? key)
    {
        key = null;
        var r = new WireReader(encoded, RevocationParameters.Version);
        if (r.VersionMismatch) return EngineStatus.UnsupportedVersion;
        EngineStatus status = EngineStatus.Ok;
        string gid = r.Name(), attribute = r.Name();
        uint version = r.UInt32();
        G2Affine k = PointCodec.ReadG2(ref r, ref status);
        G1Affine kp = PointCodec.ReadG1(ref r, ref status);
        if (status != EngineStatus.Ok) return status;
        if (!r.AtEndOk || attribute.IndexOf('@') <= 0) return EngineStatus.Malformed;
        key = new DecryptionKey(gid, attribute, version, k, kp);
        return EngineStatus.Ok;
    }
}
