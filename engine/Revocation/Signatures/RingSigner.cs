using System.Buffers;
using System.Security.Cryptography;
using Engine.Pairing.Fields;
using Engine.Pairing.Groups;
using Engine.Revocation.Policies;

namespace Engine.Revocation.Signatures;

/// <summary>
/// Sign(M, Υ) (SPEC §4.4): v with v·M = (1, 0, …, 0) from the signer's rows (the policy's reconstruction coefficients),
/// μ = H(M ‖ Υ), r0 ← Z_r*, r_i ← Z_r; Y = K_base^r0, W = K0^r0, S_i = (K_u(i)^(v_i))^r0 · (C·g1^μ)^(r_i) and
/// P_j = Π_i (Aj·Bj^(û(i)))^(M_ij·r_i) = Aj^(Σ_i M_ij r_i) · Bj^(Σ_i M_ij r_i û(i)). Rows the signer does not hold get
/// v_i = 0 through the same constant-time multiplication, so neither the output nor the timing says which rows it used.
/// </summary>
public static class RingSigner
{
    /// <summary>Signs <paramref name="message"/> for <paramref name="policy"/> over <paramref name="ring"/>.</summary>
    /// <exception cref="EngineException"><see cref="EngineStatus.PolicyNotSatisfied"/>: the key's attributes do not
    /// satisfy the policy; <see cref="EngineStatus.Expired"/>: the key is for another ring or epoch;
    /// <see cref="EngineStatus.CapacityExceeded"/>: the policy has more columns than the key's t_max.</exception>
    public static RingSignature Sign(RingSigningKey key, RingPublicKey publicKey, Ring ring, Policy policy, ReadOnlySpan<byte> message)
    {
        if (key.RingId != ring.Id || key.Epoch != ring.Epoch)
            throw new EngineException(EngineStatus.Expired, $"The key is for ring {key.RingId} epoch {key.Epoch}; the ring is {ring.Id} epoch {ring.Epoch}.");
        LsssMatrix m = policy.Matrix;
        int rows = m.RowCount, columns = m.ColumnCount;
        if (columns > publicKey.MaxColumns) throw new EngineException(EngineStatus.CapacityExceeded, $"The policy has {columns} columns; the key allows {publicKey.MaxColumns}.");

        bool[] owned = new bool[rows];
        for (int i = 0; i < rows; i++) owned[i] = key.AttributeKeys.ContainsKey(m.Attributes[i].Text);
        Fr[] scratch = ArrayPool<Fr>.Shared.Rent(3 * rows + 2 * columns);
        Span<Fr> v = scratch.AsSpan(0, rows), r = scratch.AsSpan(rows, rows), u = scratch.AsSpan(2 * rows, rows);
        Span<Fr> sumA = scratch.AsSpan(3 * rows, columns), sumB = scratch.AsSpan(3 * rows + columns, columns);
        try
        {
            if (!policy.TryReconstruct(owned, v, out _))
                throw new EngineException(EngineStatus.PolicyNotSatisfied, $"The key's attributes do not satisfy {policy.Text}.");
            Fr mu = RingHashes.Message(message, policy.Text, ring.Id, ring.Epoch, publicKey.Name);
            Fr r0 = Fr.RandomNonZero();
            G1Projective messageBase = publicKey.C.ToProjective() + G1FixedBase.Generator.Multiply(mu);
            var s = new G1Projective[rows];
            sumA.Clear();
            sumB.Clear();
            for (int i = 0; i < rows; i++)
            {
                string attribute = m.Attributes[i].Text;
                r[i] = Fr.RandomNonZero();
                u[i] = RingHashes.Attribute(attribute, ring.Id, ring.Epoch);
                G1Affine ku = owned[i] ? key.AttributeKeys[attribute] : key.KBase;   // v_i = 0 on rows not held
                s[i] = ku.ToProjective().Multiply(v[i] * r0) + messageBase.Multiply(r[i]);
                ReadOnlySpan<int> cols = m.RowColumns(i);
                ReadOnlySpan<Fr> values = m.RowValues(i);
                for (int e = 0; e < cols.Length; e++)
                {
                    Fr mr = values[e] * r[i];
                    sumA[cols[e]] += mr;
                    sumB[cols[e]] += mr * u[i];
                }
            }
            var p = new G2Projective[columns];
            for (int j = 0; j < columns; j++)
                p[j] = publicKey.A(j).ToProjective().Multiply(sumA[j]) + publicKey.B(j).ToProjective().Multiply(sumB[j]);
            var sAffine = new G1Affine[rows];
            var pAffine = new G2Affine[columns];
            G1Projective.BatchToAffine(s, sAffine);
            G2Projective.BatchToAffine(p, pAffine);
            G1Affine y = key.KBase.ToProjective().Multiply(r0).ToAffine(), w = key.K0.ToProjective().Multiply(r0).ToAffine();
            return new RingSignature(y, w, sAffine, pAffine);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(System.Runtime.InteropServices.MemoryMarshal.AsBytes(scratch.AsSpan()));
            ArrayPool<Fr>.Shared.Return(scratch);
        }
    }
}
