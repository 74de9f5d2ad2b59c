using System.Security.Cryptography;

namespace Engine.TwoServer.Partitions;

/// <summary>
/// A session key of Protocol 2 (paper §4.3, SPEC.md §2.2): the partition pair for S1 and S2. Only the recipients
/// (and, in subgroup mode, the swapped set G_τ̂) are on different sides in the two vectors.
/// </summary>
/// <param name="ForS1">S1's partition G^S1.</param>
/// <param name="ForS2">S2's partition G^S2.</param>
/// <param name="RecipientSideAtS1">The side (0: G_1, 1: G_2) of the recipients in G^S1; it fixes Protocol 3's ordering of the shares.</param>
/// <param name="Swapped">Subgroup mode: G_τ̂, the users swapped with the recipients (they receive r_1, r_2 and the third share r_3); null otherwise.</param>
/// <param name="Members">One-to-many mode (§5.4.2): the part of the group this message goes to (bit 1 = member); null: the whole group.</param>
public sealed record GroupPartition(PartitionVector ForS1, PartitionVector ForS2, int RecipientSideAtS1, IReadOnlyList<int>? Swapped, PartitionVector? Members = null)
{
    /// <summary>True when user <paramref name="user"/> receives this message's shares.</summary>
    public bool IsMember(int user) => Members is null || Members[user] == 1;

    /// <summary>True in subgroup mode (Algorithm 4), where a third share goes to <see cref="Swapped"/>.</summary>
    public bool IsSubgroup => Swapped is not null;

    /// <summary>
    /// Algorithm 1, Group-Partition(G, u): each member to G_1 or G_2 by a fair coin (S1's partition), and u moved to
    /// the other side for S2.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Fewer than 2 users or <paramref name="recipient"/> outside the group.</exception>
    public static GroupPartition ForRecipient(int groupSize, int recipient) => ForRecipient(groupSize, recipient, members: null);

    /// <summary>Algorithm 1 restricted to <paramref name="members"/> (one-to-many mode); non-members stay 0 in both vectors.</summary>
    public static GroupPartition ForRecipient(int groupSize, int recipient, PartitionVector? members)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(groupSize, 2);
        ArgumentOutOfRangeException.ThrowIfNegative(recipient);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(recipient, groupSize);
        if (members is not null && (members.Count != groupSize || members[recipient] != 1))
            throw new ArgumentException("The members are a subset of the group that contains the recipient.", nameof(members));
        var s1 = new PartitionVector(groupSize);
        byte[] coins = RandomNumberGenerator.GetBytes((groupSize + 7) / 8);
        for (int i = 0; i < groupSize; i++) if (members is null || members[i] == 1) s1[i] = (coins[i >> 3] >> (i & 7)) & 1;
        var s2 = new PartitionVector(groupSize);
        for (int i = 0; i < groupSize; i++) s2[i] = s1[i];
        int side = s1[recipient];
        s2[recipient] = 1 - side;
        return new GroupPartition(s1, s2, side, null, members);
    }

    /// <summary>
    /// Algorithm 4, Group-Partition*(G, G_τ) for 1 ≤ |G_τ| ≤ ⌊n/2⌋: a uniformly random split of G into two halves
    /// with G_τ kept together (S1's partition); for S2, G_τ is swapped with a uniformly random subset G_τ̂ of the
    /// other half of the same size.
    /// </summary>
    /// <exception cref="ArgumentException">An empty, oversized or repeated subgroup, or a member outside the group.</exception>
    public static GroupPartition ForSubgroup(int groupSize, IReadOnlyCollection<int> subgroup)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(groupSize, 2);
        if (subgroup.Count < 1 || subgroup.Count > groupSize / 2)
            throw new ArgumentException($"A subgroup has 1 to ⌊n/2⌋ = {groupSize / 2} members, not {subgroup.Count}.", nameof(subgroup));
        var inTau = new bool[groupSize];
        foreach (int u in subgroup)
        {
            if (u < 0 || u >= groupSize) throw new ArgumentException($"User {u} is not in the group of {groupSize}.", nameof(subgroup));
            if (inTau[u]) throw new ArgumentException($"User {u} is listed twice.", nameof(subgroup));
            inTau[u] = true;
        }
        // Step 1: halves of ⌊n/2⌋ and ⌈n/2⌉ (which is which at random for odd n); G_τ on a random side.
        int side = RandomNumberGenerator.GetInt32(2);
        int tauHalf = groupSize % 2 == 0 ? groupSize / 2 : groupSize / 2 + RandomNumberGenerator.GetInt32(2);
        int[] others = Enumerable.Range(0, groupSize).Where(i => !inTau[i]).ToArray();
        Shuffle(others);
        var s1 = new PartitionVector(groupSize);
        int fill = tauHalf - subgroup.Count;                        // the rest of G_τ's half, uniformly chosen
        for (int k = 0; k < others.Length; k++) s1[others[k]] = k < fill ? side : 1 - side;
        foreach (int u in subgroup) s1[u] = side;
        // Steps 4–12: G_τ̂ ← a uniformly random |G_τ|-subset of the other half; swap.
        int[] otherHalf = others[fill..];
        Shuffle(otherHalf);
        int[] swapped = otherHalf[..subgroup.Count];
        Array.Sort(swapped);
        var s2 = new PartitionVector(groupSize);
        for (int i = 0; i < groupSize; i++) s2[i] = s1[i];
        foreach (int u in subgroup) s2[u] = 1 - side;
        foreach (int u in swapped) s2[u] = side;
        return new GroupPartition(s1, s2, side, swapped);
    }

    private static void Shuffle(int[] values)
    {
        for (int i = values.Length - 1; i > 0; i--)
        {
            int j = RandomNumberGenerator.GetInt32(i + 1);
            (values[i], values[j]) = (values[j], values[i]);
        }
    }
}
