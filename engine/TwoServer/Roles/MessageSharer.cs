using System.Buffers;
using System.Security.Cryptography;
using Engine.Primitives.Xor;
using Engine.TwoServer.Partitions;
using Engine.TwoServer.Records;

namespace Engine.TwoServer.Roles;

/// <summary>
/// The sender's side of a round (paper Algorithm 2, Gen-Authenticated-Msg, and Protocol 3 step 1, Dist-Msg): the
/// real record M = C(1‖m, r) ‖ r ‖ 1‖m split into XOR shares m_1, m_2; two noise records N_i with r_i = N_i ⊕ m_i;
/// the shares ordered so that only the recipients get m_1 and m_2. In subgroup mode (§5.4.1) a third pair:
/// r_3 = r_1 ⊕ r_2 ⊕ N_3 for G_τ̂ (who would otherwise see r_1 ⊕ r_2, an unverifiable random string) and a random
/// m_3 for everyone else, both delivered by S1.
/// </summary>
/// <remarks>
/// Protocol 3 permutes ⟨r_1, m_1⟩ "at random" and then places m_2 opposite m_1. For the recipient to receive m_1
/// from S1 and m_2 from S2 the permutation must follow the recipient's side in G^S1, which Algorithm 1 draws by a
/// fair coin, so the ordering is still uniformly random to each server [choice: the paper leaves the link implicit].
/// Shares and records are wiped from scratch after use; the caller owns <c>shares</c>.
/// </remarks>
public static class MessageSharer
{
    /// <summary>
    /// Writes the four shares of a pair message (or six for a subgroup partition) into <paramref name="shares"/>
    /// (<see cref="ShareLayout"/>). A null <paramref name="payload"/> makes cover traffic: the recipients too get a
    /// noise record, so a user with nothing to say still uploads (round synchronisation, paper §5.1).
    /// </summary>
    /// <exception cref="ArgumentException">Wrong buffer size or payload too long.</exception>
    public static void CreateShares(TwoServerParameters parameters, GroupPartition partition, ReadOnlySpan<byte> payload, bool cover, Span<byte> shares)
    {
        int size = parameters.RecordSize, count = partition.IsSubgroup ? ShareLayout.SubgroupShares : ShareLayout.PairShares;
        if (shares.Length != count * size) throw new ArgumentException($"Expected {count} records of {size} bytes.", nameof(shares));
        byte[] rented = ArrayPool<byte>.Shared.Rent(4 * size);
        Span<byte> scratch = rented.AsSpan(0, 4 * size);
        try
        {
            Span<byte> record = scratch[..size], noise1 = scratch.Slice(size, size), noise2 = scratch.Slice(2 * size, size), noise3 = scratch.Slice(3 * size, size);
            if (cover) AuthenticatedRecord.WriteNoise(parameters, record);
            else AuthenticatedRecord.WriteReal(parameters, payload, record);
            AuthenticatedRecord.WriteNoise(parameters, noise1);
            AuthenticatedRecord.WriteNoise(parameters, noise2);

            // Protocol 3 step 1 with a = the recipients' side at S1: a = 0 → ζ_1 = ⟨m_1, r_1⟩, ζ_2 = ⟨r_2, m_2⟩; a = 1 → swapped.
            int a = partition.RecipientSideAtS1;
            Span<byte> m1 = Share(shares, size, 1, a), m2 = Share(shares, size, 2, 1 - a);
            Span<byte> r1 = Share(shares, size, 2, a), r2 = Share(shares, size, 1, 1 - a);
            RandomNumberGenerator.Fill(m1);
            XorKernels.Xor(record, m1, m2);                     // m_2 = M ⊕ m_1
            XorKernels.Xor(noise1, m1, r1);                     // r_1 = N_1 ⊕ m_1: users staying in m_1's partition get N_1
            XorKernels.Xor(noise2, m2, r2);                     // r_2 = N_2 ⊕ m_2
            if (partition.IsSubgroup)
            {
                AuthenticatedRecord.WriteNoise(parameters, noise3);
                Span<byte> r3 = shares.Slice(ShareLayout.ThirdForSwapped * size, size);
                XorKernels.Xor(r1, r2, r3);
                XorKernels.XorInPlace(r3, noise3);              // r_1 ⊕ r_2 ⊕ r_3 = N_3
                RandomNumberGenerator.Fill(shares.Slice(ShareLayout.ThirdForOthers * size, size));
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(scratch);
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static Span<byte> Share(Span<byte> shares, int size, int server, int partition) => shares.Slice(ShareLayout.Index(server, partition) * size, size);
}
