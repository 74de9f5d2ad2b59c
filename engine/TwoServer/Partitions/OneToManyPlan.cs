using System.Security.Cryptography;

namespace Engine.TwoServer.Partitions;

/// <summary>One part of a one-to-many round: its members, its recipient, and whether it carries a real message.</summary>
/// <param name="Recipient">The user that receives this part's message (for a cover part: a random member, who gets noise).</param>
/// <param name="Partition">Algorithm 1 over the members.</param>
/// <param name="IsCover">True for a noise part added to hide κ.</param>
/// <param name="RecipientIndex">For a real part, the index of its recipient in the sender's list; −1 for cover.</param>
public sealed record OneToManyPart(int Recipient, GroupPartition Partition, bool IsCover, int RecipientIndex);

/// <summary>
/// General one-to-many communication (paper §5.4.2, SPEC.md §2.3): the n users are split at random into κ + c
/// disjoint parts of about n/(κ + c) users, part i holding recipient η_i; each part runs Algorithm 1 and Protocol 3
/// on its own, in parallel, in one round. The c extra parts carry only noise (the paper's "noise users"), and c is
/// drawn at random per round so that the servers, who see the number of parts, do not learn κ.
/// </summary>
public static class OneToManyPlan
{
    /// <summary>
    /// Plans a round for distinct <paramref name="recipients"/> with between 0 and <paramref name="maxCoverParts"/>
    /// cover parts (uniform), never more parts than ⌊n/2⌋ so each part has at least two members.
    /// </summary>
    /// <exception cref="ArgumentException">No recipient, a repeated or out-of-range one, or too many for the group.</exception>
    public static IReadOnlyList<OneToManyPart> Create(int groupSize, IReadOnlyList<int> recipients, int maxCoverParts)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(groupSize, 2);
        ArgumentOutOfRangeException.ThrowIfNegative(maxCoverParts);
        int kappa = recipients.Count;
        if (kappa < 1 || kappa > groupSize / 2) throw new ArgumentException($"1 to ⌊n/2⌋ = {groupSize / 2} recipients, not {kappa}.", nameof(recipients));
        var isRecipient = new bool[groupSize];
        foreach (int r in recipients)
        {
            if (r < 0 || r >= groupSize || isRecipient[r]) throw new ArgumentException($"Recipient {r} is out of range or repeated.", nameof(recipients));
            isRecipient[r] = true;
        }
        int cover = Math.Min(RandomNumberGenerator.GetInt32(maxCoverParts + 1), groupSize / 2 - kappa);
        int parts = kappa + cover;
        // Every non-recipient goes to a uniformly random part; the cover parts' "recipients" are drawn from them first.
        int[] others = Enumerable.Range(0, groupSize).Where(i => !isRecipient[i]).ToArray();
        for (int i = others.Length - 1; i > 0; i--)
        {
            int j = RandomNumberGenerator.GetInt32(i + 1);
            (others[i], others[j]) = (others[j], others[i]);
        }
        int[] anchors = recipients.Concat(others.Take(cover)).ToArray();
        var members = Enumerable.Range(0, parts).Select(_ => new PartitionVector(groupSize)).ToArray();
        for (int p = 0; p < parts; p++) members[p][anchors[p]] = 1;
        // Round-robin over the shuffled rest: part sizes differ by at most one, so each has at least two members.
        for (int k = cover; k < others.Length; k++) members[(k - cover) % parts][others[k]] = 1;
        var result = new OneToManyPart[parts];
        for (int p = 0; p < parts; p++)
            result[p] = new OneToManyPart(anchors[p], GroupPartition.ForRecipient(groupSize, anchors[p], members[p]), p >= kappa, p < kappa ? p : -1);
        // The order of the parts must not tell real from cover.
        for (int i = result.Length - 1; i > 0; i--)
        {
            int j = RandomNumberGenerator.GetInt32(i + 1);
            (result[i], result[j]) = (result[j], result[i]);
        }
        return result;
    }

    /// <summary>
    /// The dial's partition (paper §5.3): the group split into κ parts (1 ≤ κ ≤ n, sizes differing by at most one),
    /// the recipient's part carrying the request and every other part cover; with κ = n every part is one user, so
    /// no other account can hold both shares of g^x.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">κ outside [1, n] or the recipient outside the group.</exception>
    public static IReadOnlyList<OneToManyPart> ForDial(int groupSize, int recipient, int kappa)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(groupSize, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(kappa, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(kappa, groupSize);
        ArgumentOutOfRangeException.ThrowIfNegative(recipient);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(recipient, groupSize);
        int[] others = Enumerable.Range(0, groupSize).Where(i => i != recipient).ToArray();
        for (int i = others.Length - 1; i > 0; i--)
        {
            int j = RandomNumberGenerator.GetInt32(i + 1);
            (others[i], others[j]) = (others[j], others[i]);
        }
        int[] anchors = new[] { recipient }.Concat(others.Take(kappa - 1)).ToArray();
        var members = Enumerable.Range(0, kappa).Select(_ => new PartitionVector(groupSize)).ToArray();
        for (int p = 0; p < kappa; p++) members[p][anchors[p]] = 1;
        for (int k = kappa - 1; k < others.Length; k++) members[(k - (kappa - 1)) % kappa][others[k]] = 1;
        var result = new OneToManyPart[kappa];
        for (int p = 0; p < kappa; p++)
            result[p] = new OneToManyPart(anchors[p], GroupPartition.ForRecipient(groupSize, anchors[p], members[p]), p > 0, p == 0 ? 0 : -1);
        for (int i = result.Length - 1; i > 0; i--)
        {
            int j = RandomNumberGenerator.GetInt32(i + 1);
            (result[i], result[j]) = (result[j], result[i]);
        }
        return result;
    }
}
