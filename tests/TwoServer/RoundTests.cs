using System.Security.Cryptography;
using System.Text;
using Engine.TwoServer;
using Engine.TwoServer.Partitions;
using Engine.TwoServer.Records;
using Engine.TwoServer.Roles;
using NUnit.Framework;

namespace Engine.Tests.TwoServer;

/// <summary>
/// Protocol 2 rounds in process (same code as the servers, no sockets): Claim 1, subgroup and one-to-many
/// delivery, many senders to one recipient, and detection of a server that changes a share.
/// </summary>
[TestFixture]
public sealed class RoundTests
{
    private static readonly TwoServerParameters Small = TwoServerParameters.ForBlockSize(16);

    [Test, Category("Property")]
    public void Claim1_OnlyTheRecipientReconstructsTheMessage([Random(2, 2000, 12)] int n)
    {
        TwoServerParameters p = n % 3 == 0 ? TwoServerParameters.Default : Small;
        int recipient = Random.Shared.Next(n);
        var round = new InProcessRound(p, n);
        byte[] payload = RandomNumberGenerator.GetBytes(Math.Min(10, p.MaxPayload));
        ulong id = round.Send(GroupPartition.ForRecipient(n, recipient), payload);
        for (int u = 0; u < n; u++)
        {
            ReceivedMessage m = round.Receive(u).Single();
            Assert.That(m.MessageId, Is.EqualTo(id));
            Assert.That(m.Verdict, Is.EqualTo(u == recipient ? RecordVerdict.Accepted : RecordVerdict.Noise), $"n = {n}, user {u}, recipient {recipient}");
            if (u == recipient) Assert.That(m.Payload, Is.EqualTo(payload));
        }
    }

    [Test, Category("Property")]
    public void Claim1_NoOtherUserGetsBothSharesOfM_StructurallyOverManyPartitions()
    {
        // Which of the four shares each user receives, from the partitions alone, for 2000 random sessions.
        var rng = new Random(17);
        for (int trial = 0; trial < 2000; trial++)
        {
            int n = 2 + rng.Next(1999), u = rng.Next(n);
            GroupPartition p = GroupPartition.ForRecipient(n, u);
            int a = p.RecipientSideAtS1;
            for (int v = 0; v < n; v++)
            {
                bool getsM1 = p.ForS1[v] == a, getsM2 = p.ForS2[v] == 1 - a;   // m_1 goes to side a at S1, m_2 to side 1 − a at S2
                Assert.That(getsM1 && getsM2, Is.EqualTo(v == u), $"trial {trial}, n {n}, user {v}");
            }
        }
    }

    [Test]
    public void CoverTraffic_GivesEveryoneNoise()
    {
        var round = new InProcessRound(Small, 30);
        round.Send(GroupPartition.ForRecipient(30, 4), default, cover: true);
        Assert.That(Enumerable.Range(0, 30).Select(u => round.Receive(u).Single().Verdict), Is.All.EqualTo(RecordVerdict.Noise));
    }

    [Test, Category("Property")]
    public void ManySendersToOneRecipient_InOneRound_AllArrive([Values(2, 50, 300)] int senders)
    {
        const int n = 400;
        var round = new InProcessRound(Small, n);
        var sent = new Dictionary<ulong, string>();
        for (int s = 0; s < senders; s++)
        {
            string text = $"from {s}";
            sent[round.Send(GroupPartition.ForRecipient(n, 7), Encoding.UTF8.GetBytes(text))] = text;
        }
        List<ReceivedMessage> got = round.Receive(7);
        Assert.That(got.Count(m => m.Verdict == RecordVerdict.Accepted), Is.EqualTo(senders), "no collision: every sender's message arrives");
        Assert.That(got.ToDictionary(m => m.MessageId, m => Encoding.UTF8.GetString(m.Payload)), Is.EquivalentTo(sent));
        Assert.That(round.Receive(8).Select(m => m.Verdict), Is.All.EqualTo(RecordVerdict.Noise));
    }

    [Test, Category("Property")]
    public void SubgroupMode_ReachesExactlyTheSubgroup([Values(2, 9, 100, 1000)] int n, [Values(1, 0)] int quarter)
    {
        int size = Math.Max(1, quarter == 1 ? n / 4 : 1);                          // κ = 25 % of n, and a single recipient
        int[] tau = Enumerable.Range(0, n).OrderBy(_ => Random.Shared.Next()).Take(size).ToArray();
        var round = new InProcessRound(Small, n);
        round.Send(GroupPartition.ForSubgroup(n, tau), "to subgroup"u8);
        var inTau = tau.ToHashSet();
        for (int u = 0; u < n; u++)
        {
            ReceivedMessage m = round.Receive(u).Single();
            Assert.That(m.Verdict, Is.EqualTo(inTau.Contains(u) ? RecordVerdict.Accepted : RecordVerdict.Noise), $"n {n}, user {u}");
            if (inTau.Contains(u)) Assert.That(m.Payload, Is.EqualTo("to subgroup"u8.ToArray()));
        }
    }

    [Test, Category("Property")]
    public void OneToMany_EachRecipientGetsItsOwnMessage_NoiseUsersOnlyNoise([Values(20, 500)] int n, [Values(1, 5)] int kappa)
    {
        int[] recipients = Enumerable.Range(0, n).OrderBy(_ => Random.Shared.Next()).Take(kappa).ToArray();
        var round = new InProcessRound(Small, n);
        foreach (OneToManyPart part in OneToManyPlan.Create(n, recipients, maxCoverParts: 4))
            round.Send(part.Partition, part.IsCover ? default : Encoding.UTF8.GetBytes($"to {part.Recipient}"), part.IsCover);
        for (int u = 0; u < n; u++)
        {
            List<ReceivedMessage> got = round.Receive(u);
            Assert.That(got, Has.Count.EqualTo(1), "each user is in exactly one part, so gets one entry from this sender");
            bool isRecipient = recipients.Contains(u);
            Assert.That(got[0].Verdict, Is.EqualTo(isRecipient ? RecordVerdict.Accepted : RecordVerdict.Noise), $"user {u}");
            if (isRecipient) Assert.That(Encoding.UTF8.GetString(got[0].Payload), Is.EqualTo($"to {u}"));
        }
    }

    [Test, Category("Malformed")]
    public void AServerFlippingAnyBitOfAnyShare_IsDetected_ExhaustivelyForB16([Values(1, 2)] int server)
    {
        const int n = 6;
        var round = new InProcessRound(Small, n);
        round.Send(GroupPartition.ForRecipient(n, 2), "secret"u8);
        for (int u = 0; u < n; u++)
        {
            (byte[] s1, byte[] s2) = round.InboxesOf(u);
            byte[] target = server == 1 ? s1 : s2;
            for (int bit = 8 * 9; bit < 8 * target.Length; bit++)             // every bit of the share (the 9-byte entry header is routing)
            {
                target[bit >> 3] ^= (byte)(1 << (bit & 7));
                Assert.That(InboxReader.ReadRound(Small, s1, s2, out var got), Is.EqualTo(EngineStatus.Ok));
                Assert.That(got.Single().Verdict, Is.EqualTo(RecordVerdict.Tampered), $"server {server}, user {u}, bit {bit}");
                target[bit >> 3] ^= (byte)(1 << (bit & 7));
            }
        }
    }

    [Test, Category("Malformed")]
    public void TamperingInSubgroupMode_IsDetectedByEveryone_WhereTheShareCarriesInformation()
    {
        const int n = 12;
        var round = new InProcessRound(TwoServerParameters.Default, n);
        GroupPartition partition = GroupPartition.ForSubgroup(n, new[] { 1, 5, 9 });
        round.Send(partition, "group"u8);
        int thirdStart = 9 + TwoServerParameters.Default.RecordSize;
        var rng = new Random(3);
        for (int u = 0; u < n; u++)
        {
            for (int i = 0; i < 20; i++)
            {
                (byte[] s1, byte[] s2) = round.InboxesOf(u);                 // fresh copies: one change per case
                byte[] target = rng.Next(2) == 0 ? s1 : s2;
                int position = 9 + rng.Next(target.Length - 9);              // any byte of the shares, S1's third share included
                target[position] ^= (byte)(1 << rng.Next(8));
                Assert.That(InboxReader.ReadRound(TwoServerParameters.Default, s1, s2, out var got), Is.EqualTo(EngineStatus.Ok));
                // Outside G_τ̂ the third share is the dummy m_3: it carries nothing, so changing it changes nothing.
                bool dummy = target == s1 && position >= thirdStart && !partition.Swapped!.Contains(u);
                RecordVerdict expected = dummy ? (new[] { 1, 5, 9 }.Contains(u) ? RecordVerdict.Accepted : RecordVerdict.Noise) : RecordVerdict.Tampered;
                Assert.That(got.Single().Verdict, Is.EqualTo(expected), $"user {u}, byte {position}");
            }
        }
    }

    [Test, Category("Malformed")]
    public void DroppedOrMalformedInboxEntries_AreReported()
    {
        var round = new InProcessRound(Small, 4);
        round.Send(GroupPartition.ForRecipient(4, 0), "a"u8);
        round.Send(GroupPartition.ForRecipient(4, 1), "b"u8);
        (byte[] s1, byte[] s2) = round.InboxesOf(0);
        int entry = 9 + Small.RecordSize;
        Assert.That(InboxReader.ReadRound(Small, s1, s2.AsSpan(0, entry), out var got), Is.EqualTo(EngineStatus.Ok));
        Assert.That(got.Count(m => m.Verdict == RecordVerdict.Tampered), Is.EqualTo(1), "a share only S1 delivered");
        Assert.That(InboxReader.ReadRound(Small, s1, s2.AsSpan(0, entry - 1), out _), Is.EqualTo(EngineStatus.BadLength));
        byte[] badKind = (byte[])s2.Clone();
        badKind[8] = 1;                                                          // S2 never sends a third share
        Assert.That(InboxReader.ReadRound(Small, s1, badKind, out _), Is.EqualTo(EngineStatus.Malformed));
        byte[] twice = s2.AsSpan(0, entry).ToArray().Concat(s2.AsSpan(0, entry).ToArray()).ToArray();
        Assert.That(InboxReader.ReadRound(Small, s1, twice, out _), Is.EqualTo(EngineStatus.Malformed), "one entry per message id");
    }
}
