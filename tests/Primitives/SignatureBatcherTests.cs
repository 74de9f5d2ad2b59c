using Engine.Primitives.Batching;
using Engine.Primitives.Groups;
using Engine.Primitives.Schnorr;
using Engine.Tests.Support;
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
        Func<ValueTask<EngineStatus>> verify = () => batcher.VerifyAsync(publicKey, message, signature);
        await BatchWorkerAllocation.MeasureAsync("signature-batch", verify, 20);        // warm-up: pool, JIT tiers
        (long allocated, bool sameThread, EngineStatus[] results) = await BatchWorkerAllocation.MeasureAsync("signature-batch", verify, 100);
        Assert.That(results, Is.All.EqualTo(EngineStatus.Ok));
        Assert.That(sameThread, Is.True, "continuations run on the batch worker");
        Assert.That(allocated, Is.Zero, "bytes allocated by 100 requests, their batches and their completions");
    }

    private static byte[] Sign(SchnorrSigningKey key, byte[] message)
    {
        byte[] signature = new byte[SchnorrSignature.SizeInBytes(Group)];
        SchnorrSignature.Sign(key, message, signature);
        return signature;
    }
}
