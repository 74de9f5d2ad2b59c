using System.Buffers;
using System.Security.Cryptography;
using Engine.Pairing.Fields;
using Engine.Pairing.Groups;
using Engine.Pairing.Pairings;
using Engine.Primitives.Aead;
using Engine.Revocation.Policies;

namespace Engine.Revocation.Abe;

/// <summary>
/// RW15 encryption as a KEM with a streaming DEM (SPEC §4.2): s ← Z_r, v = (s, v2…), w = (0, w2…), λx = Ax·v,
/// ωx = Ax·w, and per row tx ← Z_r; the KEM key is e(g1,g2)^s. Every exponentiation of a long-lived base uses a
/// fixed-base table (e(g1,g2), each attribute key's e(g1,g2)^α and g1^y, g1, and F(u) of attributes in repeated use,
/// see <see cref="AttributeBaseCache"/>).
/// </summary>
public static class AbeEncryptor
{
    /// <summary>
    /// Builds the header of a new ciphertext under <paramref name="policy"/> and writes the 32-byte DEM key into
    /// <paramref name="demKey"/>.
    /// </summary>
    /// <exception cref="EngineException"><see cref="EngineStatus.NotFound"/>: a policy attribute's authority is not in
    /// <paramref name="authorities"/>.</exception>
    public static AbeCiphertextHeader Encapsulate(Policy policy, IReadOnlyDictionary<string, AuthorityPublicKey> authorities,
        string ringId, ulong epoch, Span<byte> demKey, int chunkSize = StreamAead.DefaultChunkSize)
    {
        ArgumentNullException.ThrowIfNull(policy);
        StreamAead.CheckChunkSize(chunkSize);
        if (demKey.Length != AbeKem.DemKeySize) throw new ArgumentException("The DEM key is 32 bytes.", nameof(demKey));
        foreach (string authority in policy.Authorities)
            if (!authorities.ContainsKey(authority)) throw new EngineException(EngineStatus.NotFound, $"No public key of authority {authority}.");

        LsssMatrix matrix = policy.Matrix;
        int columns = matrix.ColumnCount, rowCount = matrix.RowCount;
        Fr[] vectors = ArrayPool<Fr>.Shared.Rent(2 * columns);
        Span<Fr> v = vectors.AsSpan(0, columns), w = vectors.AsSpan(columns, columns);
        var c2 = new G1Projective[rowCount];
        var c3 = new G1Projective[rowCount];
        var c4 = new G2Projective[rowCount];
        var rows = new AbeCiphertextRow[rowCount];
        try
        {
            for (int j = 0; j < columns; j++) { v[j] = Fr.RandomNonZero(); w[j] = j == 0 ? Fr.Zero : Fr.RandomNonZero(); }
            AttributeBaseCache.Shared.Prepare(policy.DistinctAttributes);

            for (int x = 0; x < rowCount; x++)
            {
                PolicyAttribute attribute = matrix.Attributes[x];
                AttributePublicKey key = authorities[attribute.Authority].For(attribute.Text);
                Fr lambda = matrix.Share(x, v), omega = matrix.Share(x, w), t = Fr.RandomNonZero();
                rows[x].Version = key.Version;
                rows[x].C1 = GtFixedBase.Generator.Pow(lambda) * key.EggAlphaTable.Pow(t);
                c2[x] = G1FixedBase.Generator.Multiply(-t);
                c3[x] = key.G1YTable.Multiply(t) + G1FixedBase.Generator.Multiply(omega);
                c4[x] = AttributeBaseCache.Shared.Multiply(attribute.Text, t);
            }
            var affine1 = new G1Affine[rowCount];
            var affine2 = new G2Affine[rowCount];
            G1Projective.BatchToAffine(c2, affine1);
            for (int x = 0; x < rowCount; x++) rows[x].C2 = affine1[x];
            G1Projective.BatchToAffine(c3, affine1);
            for (int x = 0; x < rowCount; x++) rows[x].C3 = affine1[x];
            G2Projective.BatchToAffine(c4, affine2);
            for (int x = 0; x < rowCount; x++) rows[x].C4 = affine2[x];

            byte[] id = RandomNumberGenerator.GetBytes(AbeCiphertextHeader.IdSize);
            var header = new AbeCiphertextHeader(id, ringId, epoch, policy, chunkSize, rows);
            AbeKem.DeriveDemKey(GtFixedBase.Generator.Pow(v[0]), header, demKey);
            return header;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(System.Runtime.InteropServices.MemoryMarshal.AsBytes(vectors.AsSpan()));
            ArrayPool<Fr>.Shared.Return(vectors);
        }
    }

    /// <summary>
    /// Encrypts everything <paramref name="plaintext"/> yields into <paramref name="output"/> as one ciphertext:
    /// header length (4) ‖ header ‖ sealed chunks. Memory is two chunks whatever the payload size.
    /// </summary>
    public static AbeCiphertextHeader Encrypt(Policy policy, IReadOnlyDictionary<string, AuthorityPublicKey> authorities,
        string ringId, ulong epoch, Stream plaintext, Stream output, int chunkSize = StreamAead.DefaultChunkSize)
    {
        Span<byte> demKey = stackalloc byte[AbeKem.DemKeySize];
        Span<byte> aad = stackalloc byte[32];
        try
        {
            AbeCiphertextHeader header = Encapsulate(policy, authorities, ringId, epoch, demKey, chunkSize);
            AbeCiphertextFile.WriteHeader(output, header);
            header.ComputeAad(aad);
            StreamAead.Seal(demKey, aad, plaintext, output, chunkSize);
            return header;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(demKey);
        }
    }
}
