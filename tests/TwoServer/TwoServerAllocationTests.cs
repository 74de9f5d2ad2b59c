using Engine.TwoServer;
using Engine.TwoServer.Partitions;
using Engine.TwoServer.Records;
using Engine.TwoServer.Roles;
using NUnit.Framework;

namespace Engine.Tests.TwoServer;

/// <summary>The server's fan-out and the receiver's batched reconstruction allocate nothing per share.</summary>
[TestFixture, Category("Allocation")]
public sealed class TwoServerAllocationTests
{
    [Test]
    public void FanOut_WriteInbox_AllocatesNothing()
    {
        const int n = 200;
        TwoServerParameters p = TwoServerParameters.Default;
        var round = new InProcessRound(p, n);
        for (int i = 0; i < 64; i++) round.Send(i % 8 == 0 ? GroupPartition.ForSubgroup(n, new[] { i, i + 1 }) : GroupPartition.ForRecipient(n, i), "x"u8);
        IReadOnlyList<ServerUpload> uploads = round.S1Uploads;
        byte[] inbox = new byte[FanOut.InboxSize(uploads, 3, p.RecordSize)];
        FanOut.WriteInbox(uploads, 3, p.RecordSize, inbox);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int user = 0; user < n; user++) FanOut.WriteInbox(uploads, user, p.RecordSize, inbox);
        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.Zero);
    }

    [Test]
    public void ReconstructMany_AllocatesNothing_AndAgreesWithOneAtATime()
    {
        TwoServerParameters p = TwoServerParameters.Default;
        const int senders = 32;
        int size = p.RecordSize;
        byte[] s1 = new byte[senders * size], s2 = new byte[senders * size], records = new byte[senders * size], shares = new byte[4 * size];
        for (int k = 0; k < senders; k++)
        {
            // Shares the recipient (user 0) would receive: S1's for its side and S2's for the other.
            GroupPartition partition = GroupPartition.ForRecipient(2, 0);
            MessageSharer.CreateShares(p, partition, new[] { (byte)k }, false, shares);
            int a = partition.RecipientSideAtS1;
            shares.AsSpan(ShareLayout.Index(1, a) * size, size).CopyTo(s1.AsSpan(k * size));
            shares.AsSpan(ShareLayout.Index(2, 1 - a) * size, size).CopyTo(s2.AsSpan(k * size));
        }
        var verdicts = new RecordVerdict[senders];
        var payloads = new Range[senders];
        MessageReconstructor.ReconstructMany(p, s1, s2, records, verdicts, payloads);
        long before = GC.GetAllocatedBytesForCurrentThread();
        MessageReconstructor.ReconstructMany(p, s1, s2, records, verdicts, payloads);
        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.Zero);
        for (int k = 0; k < senders; k++)
        {
            Assert.That(verdicts[k], Is.EqualTo(RecordVerdict.Accepted), $"sender {k}");
            Assert.That(records[payloads[k]], Is.EqualTo(new[] { (byte)k }));
            byte[] one = new byte[size];
            Assert.That(MessageReconstructor.Reconstruct(p, s1.AsSpan(k * size, size), s2.AsSpan(k * size, size), default, one, out _), Is.EqualTo(verdicts[k]));
        }
    }
}
