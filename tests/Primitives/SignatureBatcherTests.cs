using Engine.Primitives.Batching;
using Engine.Primitives.Groups;
using Engine.Primitives.Schnorr;
using NUnit.Framework;

namespace Engine.Tests.Primitives;

/// <summary><see cref="SignatureBatcher"/>: the batcher's answers, and its pooled requests (Microsoft.Extensions.ObjectPool) allocating nothing in steady state.</summary>
[TestFixture]
public sealed class SignatureBatcherTests
{
    private static readonly PrimeOrderGroup Group = PrimeOrderGroups.Modp2048Q256;

    [Test]
    public async Task Verify_AnswersAsTheSingleCheck_ForGoodAndBadSignatures()
    {
        using SchnorrSigningKey key = SchnorrSigningKey.Generate(Group);
        byte[] message = "batched"u8.ToArray(), signature = Sign(key, message), forged = (byte[])signature.Clone();
        forged[^1] ^= 1;
        using var batcher = new SignatureBatcher(Group, new ModExpBatchOptions { MaxBatch = 4, MaxDelay = TimeSpan.FromMilliseconds(5), Workers = 1 });
        byte[] publicKey = key.PublicKey.ToArray();
        ValueTask<EngineStatus> good = batcher.VerifyAsync(publicKey, message, signature), bad = batcher.VerifyAsync(publicKey, message, forged);
        Assert.That(await good, Is.EqualTo(EngineStatus.Ok));
        Assert.That(await bad, Is.EqualTo(SchnorrSignature.Verify(Group, publicKey, message, forged)).And.Not.EqualTo(EngineStatus.Ok));
    }

    [Test]
    public async Task Requests_AllocateNothing_InSteadyState()
    {
        using SchnorrSigningKey key = SchnorrSigningKey.Generate(Group);
        byte[] message = "steady"u8.ToArray(), signature = Sign(key, message), publicKey = key.PublicKey.ToArray();
        using var batcher = new SignatureBatcher(Group, new ModExpBatchOptions { MaxBatch = 1, MaxDelay = TimeSpan.Zero, Workers = 1 });
        await MeasureOnWorker(batcher, publicKey, message, signature, 20);           // warm-up: pool, JIT tiers
        (long allocated, bool sameThread) = await MeasureOnWorker(batcher, publicKey, message, signature, 100);
        Assert.That(sameThread, Is.True, "continuations run on the batch worker");
        Assert.That(allocated, Is.Zero, "bytes allocated by 100 requests, their batches and their completions");
    }

    /// <summary>After the first await the loop runs on the batch worker (continuations are inline), so the request, its batch and its completion are counted on one thread.</summary>
    private static async Task<(long Allocated, bool SameThread)> MeasureOnWorker(SignatureBatcher batcher, byte[] publicKey, byte[] message, byte[] signature, int count)
    {
        // The await moves onto the worker, unless the batch was done before the await looked (a busy machine can
        // deschedule the caller in between): then it goes on inline on the caller's thread. Repeat until on the worker.
        for (int i = 0; i < 100 && Thread.CurrentThread.Name?.StartsWith("signature-batch", StringComparison.Ordinal) != true; i++)
            Assert.That(await batcher.VerifyAsync(publicKey, message, signature).ConfigureAwait(false), Is.EqualTo(EngineStatus.Ok));
        int thread = Environment.CurrentManagedThreadId;
        long before = GC.GetAllocatedBytesForCurrentThread();
        EngineStatus status = EngineStatus.Ok;
        for (int i = 0; i < count; i++) status |= await batcher.VerifyAsync(publicKey, message, signature).ConfigureAwait(false);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.That(status, Is.EqualTo(EngineStatus.Ok));
        return (allocated, Environment.CurrentManagedThreadId == thread);
    }

    private static byte[] Sign(SchnorrSigningKey key, byte[] message)
    {
        byte[] signature = new byte[SchnorrSignature.SizeInBytes(Group)];
        SchnorrSignature.Sign(key, message, signature);
        return signature;
    }
}
