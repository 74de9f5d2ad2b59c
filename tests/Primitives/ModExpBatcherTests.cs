using System.Diagnostics;
using System.Numerics;
using Engine.BigInt;
using Engine.Primitives.Batching;
using Engine.Tests.Support;
using NUnit.Framework;

namespace Engine.Tests.Primitives;

/// <summary>The batch scheduler: results against BigInteger.ModPow, both flush triggers, pooled completions.</summary>
[TestFixture, NonParallelizable]
public sealed class ModExpBatcherTests
{
    private static readonly SchnorrGroup Group = SchnorrGroups.Modp2048Q256;

    private static (ulong[] Bases, ulong[] Exponents) Inputs(Random rng, int count)
    {
        int n = Group.P.LimbCount;
        ulong[] bases = new ulong[count * n], exponents = new ulong[count * ModExpBatcher.ExponentLimbs];
        for (int k = 0; k < count; k++)
        {
            Oracles.RandomBelow(rng, Group.P.Modulus).CopyTo(bases, k * n);
            Oracles.RandomLimbs(rng, ModExpBatcher.ExponentLimbs).CopyTo(exponents, k * ModExpBatcher.ExponentLimbs);
        }
        return (bases, exponents);
    }

    [Test]
    public async Task ConcurrentRequests_GetTheirOwnResults()
    {
        using var batcher = new ModExpBatcher(Group.P, new ModExpBatchOptions { MaxBatch = 8, MaxDelay = TimeSpan.FromMilliseconds(1), Workers = 2 });
        var rng = new Random(4);
        int n = Group.P.LimbCount;
        BigInteger m = Oracles.ToBig(Group.P.Modulus);
        var requests = Enumerable.Range(0, 24).Select(i => (Count: 1 + i % 4, Inputs: Inputs(rng, 1 + i % 4))).ToList();
        var results = requests.Select(r => new ulong[r.Count * n]).ToList();
        await Task.WhenAll(requests.Select((r, i) => Task.Run(async () =>
            await batcher.PowAsync(r.Inputs.Bases, r.Inputs.Exponents, results[i]))));
        for (int i = 0; i < requests.Count; i++)
            for (int k = 0; k < requests[i].Count; k++)
            {
                BigInteger expected = BigInteger.ModPow(Oracles.ToBig(requests[i].Inputs.Bases.AsSpan(k * n, n)),
                                                        Oracles.ToBig(requests[i].Inputs.Exponents.AsSpan(k * 4, 4)), m);
                Assert.That(Oracles.ToBig(results[i].AsSpan(k * n, n)), Is.EqualTo(expected), $"request {i}, item {k}");
            }
        Assert.That(batcher.Items, Is.EqualTo(requests.Sum(r => r.Count)));
        Assert.That(batcher.Batches, Is.LessThan(requests.Count), "requests shared batches");
    }

    [Test]
    public async Task ALoneRequest_IsFlushedByTheDelay_AndAFullBatchAtOnce()
    {
        using var batcher = new ModExpBatcher(Group.P, new ModExpBatchOptions { MaxBatch = 4, MaxDelay = TimeSpan.FromMilliseconds(30), Workers = 1 });
        var rng = new Random(5);
        (ulong[] b, ulong[] e) = Inputs(rng, 1);
        ulong[] r = new ulong[Group.P.LimbCount];
        var sw = Stopwatch.StartNew();
        await batcher.PowAsync(b, e, r);
        Assert.That(sw.Elapsed, Is.GreaterThanOrEqualTo(TimeSpan.FromMilliseconds(25)), "waited for company until the delay");
        Assert.That(batcher.Batches, Is.EqualTo(1));

        (ulong[] b4, ulong[] e4) = Inputs(rng, 4);
        ulong[] r4 = new ulong[4 * Group.P.LimbCount];
        sw.Restart();
        await batcher.PowAsync(b4, e4, r4);
        Assert.That(batcher.Batches, Is.EqualTo(2));
        Assert.That(batcher.Items, Is.EqualTo(5));
    }

    [Test, Category("Malformed")]
    public void BadRequests_AreRefusedBeforeQueueing()
    {
        using var batcher = new ModExpBatcher(Group.P, new ModExpBatchOptions { Workers = 1 }, maxItemsPerRequest: 2);
        int n = Group.P.LimbCount;
        Assert.Throws<ArgumentException>(() => batcher.PowAsync(new ulong[3 * n], new ulong[12], new ulong[3 * n]), "too many items");
        Assert.Throws<ArgumentException>(() => batcher.PowAsync(new ulong[n], new ulong[3], new ulong[n]), "exponent length");
        ulong[] unreduced = Group.P.Modulus.ToArray();
        Assert.Throws<ArgumentException>(() => batcher.PowAsync(unreduced, new ulong[4], new ulong[n]), "base = m");
        Assert.That(batcher.Items, Is.Zero);
        batcher.Dispose();
        Assert.Throws<ObjectDisposedException>(() => batcher.PowAsync(new ulong[n], new ulong[4], new ulong[n]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ModExpBatcher(Group.P, new ModExpBatchOptions { MaxBatch = 0 }));
    }

    [Test]
    public void CompletedRequest_HoldsNoInput()
    {
        using var batcher = new ModExpBatcher(Group.P, new ModExpBatchOptions { MaxBatch = 1, MaxDelay = TimeSpan.Zero, Workers = 1 });
        (ulong[] b, ulong[] e) = Inputs(new Random(7), 1);
        var request = new PowRequest(batcher, Group.P.LimbCount, 1);
        request.Prepare(b, e, 1, new ulong[Group.P.LimbCount]);
        Assert.That(request.Exponents, Is.EqualTo(e), "prepared");
        request.Complete(null);
        Assert.That(request.Bases, Is.All.Zero, "bases wiped when the batch completes");
        Assert.That(request.Exponents, Is.All.Zero, "secret exponents wiped when the batch completes");
        Assert.That((request.Count, request.Results.IsEmpty), Is.EqualTo((0, true)));
        Assert.That(request.TryReset(), Is.True, "and it goes back to the pool");
    }

    [Test]
    public async Task Requests_AllocateNothing_InSteadyState()
    {
        using var batcher = new ModExpBatcher(Group.P, new ModExpBatchOptions { MaxBatch = 1, MaxDelay = TimeSpan.Zero, Workers = 1 });
        (ulong[] b, ulong[] e) = Inputs(new Random(6), 1);
        ulong[] r = new ulong[Group.P.LimbCount];
        Func<ValueTask> pow = () => batcher.PowAsync(b, e, r);
        await BatchWorkerAllocation.MeasureAsync("modexp-batch", pow, 50);          // warm-up: pool, JIT tiers
        (long allocated, bool sameThread) = await BatchWorkerAllocation.MeasureAsync("modexp-batch", pow, 200);
        Assert.That(sameThread, Is.True, "continuations run on the batch worker");
        Assert.That(allocated, Is.Zero, "bytes allocated by 200 requests and their completions");
    }
}
