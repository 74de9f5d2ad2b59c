using Engine.TwoServer.Partitions;
using NUnit.Framework;

namespace Engine.Tests.TwoServer;

/// <summary>Algorithms 1 and 4 and the n-bit wire form (paper §4.3, §5.4.1).</summary>
[TestFixture]
public sealed class PartitionTests
{
    [Test, Category("Property")]
    public void Algorithm1_MovesOnlyTheRecipient([Random(2, 2000, 40)] int n)
    {
        int u = Random.Shared.Next(n);
        GroupPartition p = GroupPartition.ForRecipient(n, u);
        Assert.That(p.ForS1.Differences(p.ForS2), Is.EqualTo(new[] { u }), $"n = {n}, u = {u}");
        Assert.That(p.RecipientSideAtS1, Is.EqualTo(p.ForS1[u]));
        Assert.That(p.IsSubgroup, Is.False);
    }

    [Test, Category("Property")]
    public void Algorithm4_SplitsEvenly_KeepsTheSubgroupTogether_AndSwapsAnEqualSet([Random(2, 2000, 30)] int n)
    {
        int size = 1 + Random.Shared.Next(n / 2);
        int[] tau = Enumerable.Range(0, n).OrderBy(_ => Random.Shared.Next()).Take(size).ToArray();
        GroupPartition p = GroupPartition.ForSubgroup(n, tau);
        int side = p.RecipientSideAtS1;
        Assert.That(tau.All(u => p.ForS1[u] == side && p.ForS2[u] == 1 - side), Is.True, "G_τ together, on opposite sides at S1 and S2");
        Assert.That(p.Swapped!.Count, Is.EqualTo(size));
        Assert.That(p.Swapped.All(u => p.ForS1[u] == 1 - side && p.ForS2[u] == side), Is.True, "G_τ̂ swapped");
        Assert.That(p.ForS1.Differences(p.ForS2).Order(), Is.EqualTo(tau.Concat(p.Swapped).Order()), "nobody else moves");
        Assert.That(Math.Abs(n - 2 * p.ForS1.CountInSecond()), Is.LessThanOrEqualTo(1), "halves of equal size");
        Assert.That(Math.Abs(n - 2 * p.ForS2.CountInSecond()), Is.LessThanOrEqualTo(1));
    }

    [Test, Category("Malformed")]
    public void BadArguments_AreRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => GroupPartition.ForRecipient(1, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => GroupPartition.ForRecipient(10, 10));
        Assert.Throws<ArgumentException>(() => GroupPartition.ForSubgroup(10, new[] { 1, 2, 3, 4, 5, 6 }));
        Assert.Throws<ArgumentException>(() => GroupPartition.ForSubgroup(10, new[] { 1, 1 }));
        Assert.Throws<ArgumentException>(() => GroupPartition.ForSubgroup(10, new[] { 11 }));
        Assert.Throws<ArgumentException>(() => GroupPartition.ForSubgroup(10, Array.Empty<int>()));
    }

    [Test]
    public void WireForm_IsThePapersBitString_AndRoundTrips()
    {
        // The paper's example: G_2^S1 = 10010 for five users.
        var v = new PartitionVector(5) { [0] = 1, [3] = 1 };
        Assert.That(v.ToString(), Is.EqualTo("10010"));
        Assert.That(v.Encode(), Is.EqualTo(new byte[] { 0b1001_0000 }));
        Assert.That(PartitionVector.Decode(v.Encode(), 5, out PartitionVector? back), Is.EqualTo(EngineStatus.Ok));
        Assert.That(back, Is.EqualTo(v));
        GroupPartition big = GroupPartition.ForRecipient(1999, 7);
        Assert.That(PartitionVector.Decode(big.ForS1.Encode(), 1999, out back), Is.EqualTo(EngineStatus.Ok));
        Assert.That(back, Is.EqualTo(big.ForS1));
    }

    [Test, Category("Malformed")]
    public void WireForm_RejectsWrongLengthsAndPaddingBits()
    {
        Assert.That(PartitionVector.Decode(new byte[2], 5, out _), Is.EqualTo(EngineStatus.BadLength));
        Assert.That(PartitionVector.Decode([], 5, out _), Is.EqualTo(EngineStatus.BadLength));
        Assert.That(PartitionVector.Decode(new byte[] { 0b0000_0100 }, 5, out _), Is.EqualTo(EngineStatus.NotCanonical));
        Assert.That(PartitionVector.Decode(new byte[] { 0b0000_1000 }, 5, out _), Is.EqualTo(EngineStatus.Ok));
    }

    [Test, Category("Property")]
    public void OneToManyPlan_CoversTheGroupWithDisjointParts([Values(10, 101, 1000)] int n, [Values(1, 3)] int kappa)
    {
        int[] recipients = Enumerable.Range(0, n).OrderBy(_ => Random.Shared.Next()).Take(kappa).ToArray();
        IReadOnlyList<OneToManyPart> parts = OneToManyPlan.Create(n, recipients, maxCoverParts: 3);
        Assert.That(parts.Count(p => !p.IsCover), Is.EqualTo(kappa));
        var owner = new int[n];
        Array.Fill(owner, -1);
        for (int k = 0; k < parts.Count; k++)
            for (int u = 0; u < n; u++)
                if (parts[k].Partition.IsMember(u)) { Assert.That(owner[u], Is.EqualTo(-1), $"user {u} in two parts"); owner[u] = k; }
        Assert.That(owner, Has.None.EqualTo(-1), "every user is in a part");
        foreach (OneToManyPart part in parts.Where(p => !p.IsCover))
            Assert.That(part.Recipient, Is.EqualTo(recipients[part.RecipientIndex]));
        int smallest = Enumerable.Range(0, parts.Count).Min(k => owner.Count(o => o == k)), largest = Enumerable.Range(0, parts.Count).Max(k => owner.Count(o => o == k));
        Assert.That(largest - smallest, Is.LessThanOrEqualTo(1), "about n/(κ + c) users each");
    }
}
