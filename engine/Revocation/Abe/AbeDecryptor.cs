using System.Buffers;
using System.Security.Cryptography;
using Engine.Pairing.Fields;
using Engine.Pairing.Groups;
using Engine.Pairing.Pairings;
using Engine.Primitives.Aead;

namespace Engine.Revocation.Abe;

/// <summary>
/// RW15 decryption with one multi-pairing (SPEC §4.5): over a smallest satisfying set of rows with Σ cx Ax = (1, 0, …),
/// e(g1,g2)^s = Π C1x^cx · e(cx·C2x, K_ρ(x)) · e(cx·KP_ρ(x), C4x) · e(Σ cx·C3x, H(GID)): k used rows cost 2k + 1 Miller
/// loops and one final exponentiation. Allocates nothing in steady state (pooled scratch).
/// </summary>
public static class AbeDecryptor
{
    /// <summary>Recovers the DEM key of <paramref name="header"/> into <paramref name="demKey"/> (32 bytes).</summary>
    /// <returns><see cref="EngineStatus.PolicyNotSatisfied"/> when the keys (at the rows' versions) do not satisfy the policy.</returns>
    public static EngineStatus Decapsulate(AbeCiphertextHeader header, UserDecryptionKeys keys, Span<byte> demKey, out int usedRows)
    {
        if (demKey.Length != AbeKem.DemKeySize) throw new ArgumentException("The DEM key is 32 bytes.", nameof(demKey));
        int rowCount = header.Rows.Length;
        var attributes = header.Policy.Attributes;
        bool[] owned = ArrayPool<bool>.Shared.Rent(rowCount);
        Fr[] coefficients = ArrayPool<Fr>.Shared.Rent(rowCount);
        DecryptionKey[] rowKeys = ArrayPool<DecryptionKey>.Shared.Rent(rowCount);
        try
        {
            for (int x = 0; x < rowCount; x++)
            {
                owned[x] = keys.Keys.TryGetValue(attributes[x].Text, out DecryptionKey? key) && key.Version == header.Rows[x].Version;
                rowKeys[x] = key!;
            }
            if (!header.Policy.TryReconstruct(owned.AsSpan(0, rowCount), coefficients.AsSpan(0, rowCount), out usedRows))
                return EngineStatus.PolicyNotSatisfied;
            Gt b = KemKey(header, keys, rowKeys, coefficients.AsSpan(0, rowCount), usedRows);
            AbeKem.DeriveDemKey(b, header, demKey);
            return EngineStatus.Ok;
        }
        finally
        {
            Array.Clear(rowKeys, 0, rowCount);
            ArrayPool<bool>.Shared.Return(owned);
            ArrayPool<Fr>.Shared.Return(coefficients);
            ArrayPool<DecryptionKey>.Shared.Return(rowKeys);
        }
    }

    private static Gt KemKey(AbeCiphertextHeader header, UserDecryptionKeys keys, DecryptionKey[] rowKeys, ReadOnlySpan<Fr> c, int used)
    {
        // Prepared pairs: (cx·C2x, K_ρ(x)) and (Σ cx·C3x, H(GID)), long-lived G2 points; fresh pairs: (cx·KP, C4x).
        int preparedCount = used + 1;
        G1Projective[] scaled = ArrayPool<G1Projective>.Shared.Rent(2 * used + 1);
        G1Affine[] g1 = ArrayPool<G1Affine>.Shared.Rent(2 * used + 1);
        G2Prepared[] lines = ArrayPool<G2Prepared>.Shared.Rent(preparedCount);
        G2Affine[] g2 = ArrayPool<G2Affine>.Shared.Rent(used);
        try
        {
            Gt product = Gt.Identity;
            G1Projective c3Sum = G1Projective.Identity;
            int p = 0, u = 0;
            for (int x = 0; x < header.Rows.Length; x++)
            {
                if (c[x].IsZero) continue;
                ref readonly AbeCiphertextRow row = ref header.Rows[x];
                DecryptionKey key = rowKeys[x];
                bool one = c[x] == Fr.One;
                product *= one ? row.C1 : row.C1.PowVarTime(c[x]);
                scaled[p] = one ? row.C2.ToProjective() : row.C2.ToProjective().MultiplyVarTime(c[x]);
                lines[p++] = key.Prepared;
                scaled[preparedCount + u] = one ? key.KP.ToProjective() : key.KP.ToProjective().MultiplyVarTime(c[x]);
                g2[u++] = row.C4;
                c3Sum += one ? row.C3.ToProjective() : row.C3.ToProjective().MultiplyVarTime(c[x]);
            }
            scaled[p] = c3Sum;
            lines[p++] = keys.PreparedGid;
            G1Projective.BatchToAffine(scaled.AsSpan(0, p + u), g1.AsSpan(0, p + u));
            MillerLoopResult f = MillerLoop.Multi(g1.AsSpan(0, p), lines.AsSpan(0, p), g1.AsSpan(preparedCount, u), g2.AsSpan(0, u));
            return f.FinalExponentiation() * product;
        }
        finally
        {
            Array.Clear(lines, 0, preparedCount);
            ArrayPool<G1Projective>.Shared.Return(scaled);
            ArrayPool<G1Affine>.Shared.Return(g1);
            ArrayPool<G2Prepared>.Shared.Return(lines);
            ArrayPool<G2Affine>.Shared.Return(g2);
        }
    }

    /// <summary>
    /// Decrypts a whole ciphertext (<see cref="AbeCiphertextFile"/>) from <paramref name="input"/> into
    /// <paramref name="output"/>, chunk by chunk; returns the plaintext length.
    /// </summary>
    /// <exception cref="EngineException">The header is invalid, the keys do not satisfy the policy
    /// (<see cref="EngineStatus.PolicyNotSatisfied"/>), or a chunk fails (<see cref="EngineStatus.VerificationFailed"/>).</exception>
    public static long Decrypt(Stream input, Stream output, UserDecryptionKeys keys)
    {
        AbeCiphertextHeader header = AbeCiphertextFile.ReadHeader(input);
        Span<byte> demKey = stackalloc byte[AbeKem.DemKeySize];
        Span<byte> aad = stackalloc byte[32];
        try
        {
            EngineStatus status = Decapsulate(header, keys, demKey, out _);
            if (status != EngineStatus.Ok)
                throw new EngineException(status, $"The keys of {keys.Gid} do not satisfy the policy {header.Policy.Text} at the ciphertext's attribute versions.");
            header.ComputeAad(aad);
            return StreamAead.Open(demKey, aad, input, output, header.ChunkSize);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(demKey);
        }
    }
}
