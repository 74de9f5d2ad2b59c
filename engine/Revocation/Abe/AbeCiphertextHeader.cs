using System.Security.Cryptography;
using Engine.Pairing.Groups;
using Engine.Pairing.Pairings;
using Engine.Primitives.Aead;
using Engine.Primitives.Wire;
using Engine.Revocation.Policies;
using Engine.Revocation.Wire;

namespace Engine.Revocation.Abe;

/// <summary>One LSSS row of a ciphertext (SPEC §4.2) and the version of its attribute's key it was made for.</summary>
public struct AbeCiphertextRow
{
    /// <summary>The attribute version; revocation moves it up by one.</summary>
    public uint Version;

    /// <summary>C1x = e(g1,g2)^λx · (e(g1,g2)^α_ρ(x))^tx.</summary>
    public Gt C1;

    /// <summary>C2x = g1^(−tx).</summary>
    public G1Affine C2;

    /// <summary>C3x = (g1^y_ρ(x))^tx · g1^ωx.</summary>
    public G1Affine C3;

    /// <summary>C4x = F(ρ(x))^tx.</summary>
    public G2Affine C4;
}

/// <summary>
/// The KEM part of a ciphertext: an id, the ring and epoch it is served under, the policy, the DEM's chunk size and
/// one <see cref="AbeCiphertextRow"/> per LSSS row. The DEM's AAD binds id, ring, epoch, policy and chunk size, not the
/// rows: the accepting CSP rewrites rows on revocation without decrypting (SPEC §4.6), and a tampered row changes
/// e(g1,g2)^s, so the DEM key and every chunk's tag with it.
/// </summary>
public sealed class AbeCiphertextHeader
{
    /// <summary>Bytes of a ciphertext id.</summary>
    public const int IdSize = 16;

    /// <summary>Bytes of one encoded row: version (4) ‖ C1 ‖ C2 ‖ C3 ‖ C4.</summary>
    public const int RowSize = 4 + RevocationParameters.GtSize + 2 * RevocationParameters.G1Size + RevocationParameters.G2Size;

    /// <summary>Longest encoded header accepted (1 024 rows and a 64 KiB policy).</summary>
    public const int MaxEncodedSize = 1024 * RowSize + 64 * 1024 + 1024;

    internal AbeCiphertextHeader(byte[] id, string ringId, ulong epoch, Policy policy, int chunkSize, AbeCiphertextRow[] rows)
    {
        Id = id;
        RingId = ringId;
        Epoch = epoch;
        Policy = policy;
        ChunkSize = chunkSize;
        Rows = rows;
        var w = new WireWriter(RevocationParameters.Version).Fixed(Id).Name(RingId).UInt64(Epoch)
            .Blob(System.Text.Encoding.UTF8.GetBytes(Policy.Text)).Int32(ChunkSize);
        SHA256.HashData(w.WrittenSpan, _aad);
    }

    private readonly byte[] _aad = new byte[32];

    /// <summary>A random id, unique per ciphertext (also the DEM key's salt).</summary>
    public byte[] Id { get; }

    /// <summary>Hex of <see cref="Id"/>, the name stores use.</summary>
    public string IdHex => Convert.ToHexStringLower(Id);

    /// <summary>The ring whose signatures gate access (SPEC §4.2's R).</summary>
    public string RingId { get; }

    /// <summary>The ring epoch at encryption.</summary>
    public ulong Epoch { get; }

    /// <summary>The access policy.</summary>
    public Policy Policy { get; }

    /// <summary>The DEM's chunk size.</summary>
    public int ChunkSize { get; }

    /// <summary>One row per LSSS row of <see cref="Policy"/>; mutable for the CSP's update.</summary>
    public AbeCiphertextRow[] Rows { get; }

    /// <summary>The DEM's AAD: SHA-256 over the fields the rows do not change (computed once).</summary>
    public void ComputeAad(Span<byte> destination) => _aad.CopyTo(destination);

    /// <summary>version ‖ id ‖ ring ‖ epoch (8) ‖ policy (4 + UTF-8) ‖ chunk size (4) ‖ row count (2) ‖ rows.</summary>
    public byte[] Encode()
    {
        var w = new WireWriter(RevocationParameters.Version).Fixed(Id).Name(RingId).UInt64(Epoch)
            .Blob(System.Text.Encoding.UTF8.GetBytes(Policy.Text)).Int32(ChunkSize).UInt16((ushort)Rows.Length);
        foreach (ref readonly AbeCiphertextRow row in Rows.AsSpan())
        {
            w.UInt32(row.Version);
            PointCodec.Write(w, row.C1);
            PointCodec.Write(w, row.C2);
            PointCodec.Write(w, row.C3);
            PointCodec.Write(w, row.C4);
        }
        return w.ToArray();
    }

    /// <summary>
    /// Decodes and validates: lengths first (before any point is decompressed), the policy, then every point
    /// (C2, C3 in G1, C4 in G2; C1 canonical, see <c>PointCodec.ReadGtCanonical</c>).
    /// </summary>
    public static EngineStatus Decode(ReadOnlySpan<byte> encoded, out AbeCiphertextHeader? header, out string? error)
    {
        header = null;
        error = null;
        if (encoded.Length > MaxEncodedSize) { error = "header too large"; return EngineStatus.FrameTooLarge; }
        var r = new WireReader(encoded, RevocationParameters.Version);
        if (r.VersionMismatch) return EngineStatus.UnsupportedVersion;
        byte[] id = r.Fixed(IdSize).ToArray();
        string ringId = r.Name();
        ulong epoch = r.UInt64();
        ReadOnlySpan<byte> policyUtf8 = r.Blob(64 * 1024);
        int chunkSize = r.Int32();
        int count = r.UInt16();
        if (!r.Ok) { error = "truncated header"; return EngineStatus.Malformed; }
        if (chunkSize < 1024 || chunkSize > StreamAead.MaxChunkSize) { error = $"chunk size {chunkSize} out of range"; return EngineStatus.Malformed; }
        if (r.Remaining != count * RowSize) { error = "row count does not match the header's length"; return EngineStatus.BadLength; }
        string policyText;
        try { policyText = new System.Text.UTF8Encoding(false, true).GetString(policyUtf8); }
        catch (System.Text.DecoderFallbackException) { error = "policy is not UTF-8"; return EngineStatus.Malformed; }
        if (!Policy.TryParse(policyText, out Policy? policy, out PolicyException? policyError)) { error = policyError!.Message; return EngineStatus.Malformed; }
        if (policy!.Attributes.Count != count) { error = $"{count} rows for a policy of {policy.Attributes.Count}"; return EngineStatus.Malformed; }

        var rows = new AbeCiphertextRow[count];
        EngineStatus status = EngineStatus.Ok;
        for (int x = 0; x < count && r.Ok; x++)
        {
            rows[x].Version = r.UInt32();
            rows[x].C1 = PointCodec.ReadGtCanonical(ref r, ref status);
            rows[x].C2 = PointCodec.ReadG1(ref r, ref status);
            rows[x].C3 = PointCodec.ReadG1(ref r, ref status);
            rows[x].C4 = PointCodec.ReadG2(ref r, ref status);
        }
        if (status != EngineStatus.Ok) { error = "a row's group element is invalid"; return status; }
        if (!r.AtEndOk) { error = "trailing bytes"; return EngineStatus.Malformed; }
        header = new AbeCiphertextHeader(id, ringId, epoch, policy, chunkSize, rows);
        return EngineStatus.Ok;
    }
}
