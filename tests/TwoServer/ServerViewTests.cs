using Engine.TwoServer;
using Engine.TwoServer.Partitions;
using Engine.TwoServer.Roles;
using NUnit.Framework;

namespace Engine.Tests.TwoServer;

/// <summary>
/// Claim 2's premise, measured: what each server stores looks uniformly random. Chi-square over the share bytes
/// (255 degrees of freedom; 341 is the 0.01 % critical value) and the balance of the partition bits.
/// </summary>
[TestFixture, Category("Property")]
public sealed class ServerViewTests
{
    [Test]
    public void EachServersShares_AreUniformBytes([Values(1, 2)] int server)
    {
        const int n = 50;
        var round = new InProcessRound(TwoServerParameters.ForBlockSize(64), n);
        for (int i = 0; i < 400; i++) round.Send(GroupPartition.ForRecipient(n, i % n), "the same message every time"u8);
        var counts = new long[256];
        long total = 0;
        foreach (ServerUpload upload in server == 1 ? round.S1Uploads : round.S2Uploads)
            foreach (byte b in upload.Shares.Span) { counts[b]++; total++; }
        double expected = total / 256.0, chiSquare = counts.Sum(c => (c - expected) * (c - expected) / expected);
        Assert.That(chiSquare, Is.LessThan(341), $"χ² = {chiSquare:F0} over {total} bytes");
    }

    [Test]
    public void EachServersPartitionBits_AreBalanced_AndDoNotPointAtTheRecipient([Values(1, 2)] int server)
    {
        const int n = 1000, sessions = 100;
        long ones = 0, recipientOnes = 0;
        for (int s = 0; s < sessions; s++)
        {
            GroupPartition p = GroupPartition.ForRecipient(n, 0);                 // always user 0
            PartitionVector v = server == 1 ? p.ForS1 : p.ForS2;
            ones += v.CountInSecond();
            recipientOnes += v[0];
        }
        double sigma = Math.Sqrt(n * sessions * 0.25);
        Assert.That(Math.Abs(ones - n * sessions / 2.0), Is.LessThan(5 * sigma), $"{ones} ones of {n * sessions}");
        Assert.That(recipientOnes, Is.InRange(20, 80), "the recipient's bit is a fair coin at each server");
    }
}
