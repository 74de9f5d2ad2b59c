using System.Collections.Concurrent;
using Engine.Primitives.Replay;
using NUnit.Framework;

namespace Engine.Tests.Primitives;

[TestFixture]
public sealed class ReplayCacheTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 22, 0, 0, 0, TimeSpan.Zero);

    private static byte[] Id(int i) => BitConverter.GetBytes(i).Concat("nonce"u8.ToArray()).ToArray();

    [Test]
    public void TryAdd_AcceptsOnce_RefusesReplays_AndForgetsAfterExpiry()
    {
        var cache = new ReplayCache(1024);
        Assert.That(cache.TryAdd(Id(1), T0.AddSeconds(30), T0), Is.EqualTo(EngineStatus.Ok));
        Assert.That(cache.TryAdd(Id(1), T0.AddSeconds(60), T0.AddSeconds(10)), Is.EqualTo(EngineStatus.Replay));
        Assert.That(cache.Contains(Id(1), T0.AddSeconds(29)), Is.True);
        Assert.That(cache.Contains(Id(1), T0.AddSeconds(30)), Is.False, "expired at its expiry instant");
        Assert.That(cache.TryAdd(Id(1), T0.AddSeconds(90), T0.AddSeconds(31)), Is.EqualTo(EngineStatus.Ok), "a new validity window");
        Assert.That(cache.TryAdd(Id(2), T0, T0), Is.EqualTo(EngineStatus.Expired));
        Assert.That(cache.Contains(Id(2), T0.AddSeconds(-1)), Is.False, "an expired add stores nothing");
    }

    [Test]
    public void Full_FailsClosed_ThenReclaimsExpiredSlots()
    {
        var cache = new ReplayCache(16);
        var accepted = new List<int>();
        int refused = 0;
        for (int i = 0; i < cache.SlotCount * 2; i++)
        {
            EngineStatus s = cache.TryAdd(Id(i), T0.AddSeconds(10), T0);
            if (s == EngineStatus.Ok) accepted.Add(i);
            else { Assert.That(s, Is.EqualTo(EngineStatus.CapacityExceeded)); refused++; }
        }
        Assert.That(accepted.Count, Is.GreaterThanOrEqualTo(16));
        Assert.That(refused, Is.GreaterThan(0), "never evicts a live entry");
        foreach (int i in accepted) Assert.That(cache.Contains(Id(i), T0.AddSeconds(1)), Is.True, $"accepted id {i} is still remembered");
        // After expiry every slot can be reused.
        for (int i = 0; i < 16; i++)
            Assert.That(cache.TryAdd(Id(100_000 + i), T0.AddSeconds(30), T0.AddSeconds(11)), Is.EqualTo(EngineStatus.Ok), $"id {i}");
    }

    [Test]
    public void ConcurrentAdds_AcceptEachIdExactlyOnce()
    {
        var cache = new ReplayCache(100_000);
        var accepted = new ConcurrentBag<int>();
        Parallel.For(0, 40_000, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
        {
            int id = i % 20_000;                                             // every id offered twice
            if (cache.TryAdd(Id(id), T0.AddMinutes(1), T0) == EngineStatus.Ok) accepted.Add(id);
        });
        Assert.That(accepted.Count, Is.EqualTo(20_000));
        Assert.That(accepted.Distinct().Count(), Is.EqualTo(20_000));
    }

    [Test, Category("Allocation")]
    public void TryAdd_DoesNotAllocate()
    {
        var cache = new ReplayCache(4096);
        byte[] id = new byte[24];
        cache.TryAdd(id, T0.AddSeconds(5), T0);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            BitConverter.TryWriteBytes(id, i);
            cache.TryAdd(id, T0.AddSeconds(5), T0);
        }
        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.Zero);
    }
}
