using Engine.Pairing.Fields;
using Engine.Pairing.Groups;
using Engine.Pairing.Pairings;
using Engine.Primitives.Wire;
using Engine.Revocation.Wire;

namespace Engine.Revocation.Abe;

/// <summary>
/// What the accepting CSP receives on revocation to move stored ciphertext rows of one attribute from one version to
/// the next without decrypting (SPEC §4.6): U = g2^Δα and Δy. C1' = C1 · e(C2, U)⁻¹, C3' = C3 · C2^(−Δy).
/// </summary>
/// <remarks>
/// Δy is a secret shared with the CSP: a CSP that colludes with the revoked user can update that user's key too (the
/// usual limit of server-side re-encryption revocation; SPEC §4.6 trusts the CSP not to).
/// </remarks>
public sealed class CiphertextUpdateKey
{
    private G2Prepared? _prepared;

    internal CiphertextUpdateKey(string attribute, uint fromVersion, in G2Affine u, in Fr deltaY)
    {
        Attribute = attribute;
        FromVersion = fromVersion;
        U = u;
        DeltaY = deltaY;
    }

    /// <summary>The attribute.</summary>
    public string Attribute { get; }

    /// <summary>Rows at this version are updated.</summary>
    public uint FromVersion { get; }

    /// <summary>They move to this version.</summary>
    public uint ToVersion => FromVersion + 1;

    /// <summary>U = g2^Δα.</summary>
    public G2Affine U { get; }

    /// <summary>Δy.</summary>
    public Fr DeltaY { get; }

    internal G2Prepared Prepared => _prepared ??= new G2Prepared(U);

    /// <summary>version ‖ attribute ‖ from (4) ‖ U ‖ Δy.</summary>
    public byte[] Encode()
    {
        var w = new WireWriter(RevocationParameters.Version).Name(Attribute).UInt32(FromVersion);
        PointCodec.Write(w, U);
        PointCodec.Write(w, DeltaY);
        return w.ToArrayAndWipe();                                        // a secret key's encoding
    }

    /// <summary>Decodes and validates.</summary>
    public static EngineStatus Decode(ReadOnlySpan<byte> encoded, out CiphertextUpdateKey? key)
    {
        key = null;
        var r = new WireReader(encoded, RevocationParameters.Version);
        if (r.VersionMismatch) return EngineStatus.UnsupportedVersion;
        EngineStatus status = EngineStatus.Ok;
        string attribute = r.Name();
        uint from = r.UInt32();
        G2Affine u = PointCodec.ReadG2(ref r, ref status);
        Fr deltaY = PointCodec.ReadScalar(ref r, ref status);
        if (status != EngineStatus.Ok) return status;
        if (!r.AtEndOk || from == uint.MaxValue) return EngineStatus.Malformed;
        key = new CiphertextUpdateKey(attribute, from, u, deltaY);
        return EngineStatus.Ok;
    }
}
