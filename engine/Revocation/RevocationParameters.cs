using Engine.Pairing.Fields;
using Engine.Pairing.Groups;
using Engine.Pairing.HashToCurve;
using Engine.Primitives.Groups;

namespace Engine.Revocation;

/// <summary>
/// The fixed choices of Protocol 4 (SPEC.md §4) on BLS12-381: the hash functions H (GID → G2) and F (attribute → G2)
/// as RFC 9380 hash_to_curve with distinct DSTs, the hashes into Z_r, and the sizes of encodings (ZCash-compressed
/// points, 32-byte big-endian scalars, 576-byte Gt elements).
/// </summary>
public static class RevocationParameters
{
    /// <summary>The version byte every encoding starts with.</summary>
    public const byte Version = 1;

    /// <summary>Compressed G1 point.</summary>
    public const int G1Size = G1Affine.CompressedSizeInBytes;

    /// <summary>Compressed G2 point.</summary>
    public const int G2Size = G2Affine.CompressedSizeInBytes;

    /// <summary>Gt element.</summary>
    public const int GtSize = Pairing.Pairings.Gt.SizeInBytes;

    /// <summary>Scalar.</summary>
    public const int ScalarSize = Fr.SizeInBytes;

    /// <summary>Longest GID in UTF-8 bytes.</summary>
    public const int MaxGidBytes = 255;

    /// <summary>G1, as the group of the CSPs' Schnorr signatures (access tokens) and of hashed ElGamal (key delivery).</summary>
    public static PrimeOrderGroup Group => PrimeOrderGroups.Bls12381G1;

    /// <summary>DST of H: GID → G2.</summary>
    public static ReadOnlySpan<byte> GidDst => "ENGINE-V1/revocation/H_gid"u8;

    /// <summary>DST of F: attribute → G2.</summary>
    public static ReadOnlySpan<byte> AttributeDst => "ENGINE-V1/revocation/F_attribute"u8;

    /// <summary>DST of the ring-signature bases h_0 … h_tmax ∈ G2.</summary>
    public static ReadOnlySpan<byte> RingBaseDst => "ENGINE-V1/revocation/ring-base"u8;

    /// <summary>DST of û = H_attr(u ‖ ring id ‖ epoch) ∈ Z_r.</summary>
    public static ReadOnlySpan<byte> RingAttributeDst => "ENGINE-V1/revocation/ring-attribute"u8;

    /// <summary>DST of μ = H(M ‖ Υ) ∈ Z_r.</summary>
    public static ReadOnlySpan<byte> RingMessageDst => "ENGINE-V1/revocation/ring-message"u8;

    /// <summary>HKDF label of the DEM key derived from the KEM key e(g1, g2)^s.</summary>
    public const string DemKeyLabel = "ENGINE-V1/revocation/dem";

    /// <summary>H(GID) ∈ G2.</summary>
    public static G2Affine HashGid(string gid)
    {
        CheckGid(gid);
        return HashToGroup.HashToG2(System.Text.Encoding.UTF8.GetBytes(gid), GidDst).ToAffine();
    }

    /// <summary>F(attribute) ∈ G2.</summary>
    public static G2Affine HashAttribute(string attribute)
        => HashToGroup.HashToG2(System.Text.Encoding.UTF8.GetBytes(attribute), AttributeDst).ToAffine();

    /// <summary>F of many attributes at once (one batched normalisation).</summary>
    public static G2Affine[] HashAttributes(IReadOnlyList<string> attributes)
    {
        var messages = new ReadOnlyMemory<byte>[attributes.Count];
        for (int i = 0; i < messages.Length; i++) messages[i] = System.Text.Encoding.UTF8.GetBytes(attributes[i]);
        var projective = new G2Projective[messages.Length];
        HashToGroup.HashToG2(messages, AttributeDst, projective);
        var affine = new G2Affine[messages.Length];
        G2Projective.BatchToAffine(projective, affine);
        return affine;
    }

    /// <summary>Throws unless the GID has 1 to 255 bytes of UTF-8.</summary>
    public static void CheckGid(string gid)
    {
        ArgumentNullException.ThrowIfNull(gid);
        int length = System.Text.Encoding.UTF8.GetByteCount(gid);
        if (length is 0 or > MaxGidBytes) throw new ArgumentException($"A GID has 1 to {MaxGidBytes} bytes of UTF-8.", nameof(gid));
    }

    /// <summary>The authority part of <c>name@AUTHORITY</c>.</summary>
    public static string AuthorityOf(string attribute)
    {
        int at = attribute.LastIndexOf('@');
        if (at <= 0 || at == attribute.Length - 1) throw new ArgumentException($"'{attribute}' is not of the form name@AUTHORITY.", nameof(attribute));
        return attribute[(at + 1)..];
    }
}
