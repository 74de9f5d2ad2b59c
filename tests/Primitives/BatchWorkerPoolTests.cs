using System.Numerics;
using Engine.IotAuth.Auth;
using Engine.Primitives.Batching;
using Engine.Primitives.Groups;
using Engine.Tests.Support;
using NUnit.Framework;

namespace Engine.Tests.Primitives;

/// <summary>One worker pool under several schedulers (issue #14: one worker pool per host).</summary>
[TestFixture, NonParallelizable]
public sealed class BatchWorkerPoolTests
{
    [Test]
    public async Task TwoSchedulersOnOnePool_BothComputeOnItsThreads_AndDisposeDrains()
    {
        using var pool = new BatchWorkerPool(1, "shared");
        var options = new ModExpBatchOptions { MaxBatch = 4, MaxDelay = TimeSpan.FromMilliseconds(5) };
        var group2048 = ((SchnorrPrimeOrderGroup)PrimeOrderGroups.Modp2048Q256).Group;
        var group3072 = ((SchnorrPrimeOrderGroup)PrimeOrderGroups.Modp3072Q256).Group;
        var small = new ModExpBatcher(group2048.P, options, maxItemsPerRequest: 1, pool);
        var large = new ModExpBatcher(group3072.P, options, maxItemsPerRequest: 1, pool);
        Assert.That(pool.Schedulers.Select(s => s.Scheduler), Is.EquivalentTo(new[] { "modexp/2048", "modexp/3072" }));

        var threads = new System.Collections.Concurrent.ConcurrentBag<(string Scheduler, string? Thread)>();
        async Task<bool> one(ModExpBatcher batcher, int seed)
        {
            var rng = new Random(seed);
            int n = batcher.Context.LimbCount;
            ulong[] b = new ulong[n], e = new ulong[4], r = new ulong[n];
            for (int i = 0; i < n - 1; i++) b[i] = (ulong)rng.NextInt64();
            for (int i = 0; i < 4; i++) e[i] = (ulong)rng.NextInt64();
            await batcher.PowAsync(b, e, r);
            // The continuation runs inline on the worker that computed the batch, except when the batch completed just as
            // the await registered (then .NET queues it to the thread pool, as it does for any completed value-task
            // source): a loaded machine shows a few of those, never another named thread.
            threads.Add((batcher == small ? "modexp/2048" : "modexp/3072", Thread.CurrentThread.Name));
            BigInteger m = Oracles.ToBig(batcher.Context.Modulus);
            return Oracles.ToBig(r) == BigInteger.ModPow(Oracles.ToBig(b), Oracles.ToBig(e), m);
        }
        bool[] ok = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => Task.Run(() => one(i % 2 == 0 ? small : large, i))));
        Assert.That(ok, Is.All.True, "every result equals BigInteger.ModPow");
        Assert.That(threads.Select(t => t.Thread), Is.All.EqualTo("shared-0").Or.EqualTo(".NET TP Worker"), "no other thread computed a batch");
        Assert.That(threads.Where(t => t.Thread == "shared-0").Select(t => t.Scheduler).Distinct(), Is.EquivalentTo(new[] { "modexp/2048", "modexp/3072" }),
                    "both schedulers' batches ran on the pool's one thread");
        Assert.That((small.Items, large.Items), Is.EqualTo((8L, 8L)));
        Assert.That(small.Batches + large.Batches, Is.LessThan(16), "requests shared batches");

        // Dispose computes what is queued: a request queued just before returns its result.
        var rng2 = new Random(9);
        ulong[] lastB = new ulong[group2048.P.LimbCount], lastE = [3, 0, 0, 0], lastR = new ulong[group2048.P.LimbCount];
        lastB[0] = 2;
        ValueTask pending = small.PowAsync(lastB, lastE, lastR);
        small.Dispose();
        await pending;
        Assert.That(lastR[0], Is.EqualTo(8UL));
        Assert.That(pool.Schedulers.Select(s => s.Scheduler), Is.EqualTo(new[] { "modexp/3072" }), "a disposed scheduler leaves the pool");
        Assert.Throws<ObjectDisposedException>(() => small.PowAsync(lastB, lastE, lastR));
        large.Dispose();
    }

    [Test]
    public void APoolThatIsDisposed_RefusesNewSchedulers()
    {
        var pool = new BatchWorkerPool(1);
        pool.Dispose();
        Assert.Throws<ObjectDisposedException>(() => new ProofBatcher(pool: pool));
    }
}
