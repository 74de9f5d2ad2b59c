using Engine.IotAuth.Auth;
using Engine.IotAuth.Tags;
using NUnit.Framework;
using static Engine.Tests.IotAuth.IotAuthTestKit;

namespace Engine.Tests.IotAuth;

/// <summary>The operation centre's verification path allocates nothing in steady state (single and batched, with and without γ).</summary>
[TestFixture, Category("Allocation"), NonParallelizable]
public sealed class IotAuthAllocationTests
{
    private static long Measure(Action action, int repetitions)
    {
        action(); action();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < repetitions; i++) action();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    [Test]
    public void Verification_DoesNotAllocate()
    {
        using TagKey key = TagKey.Generate(1);
        using DeviceCredential device = Issue(key, "d");
        var challenges = new byte[8][];
        var proofs = new byte[8][];
        for (int i = 0; i < 8; i++)
        {
            challenges[i] = Challenge().Challenge;
            proofs[i] = Prove(device, challenges[i], out SessionKeys k);
            k.Dispose();
        }
        var results = new EngineStatus[8];
        foreach (ProofVerifier v in new[] { ProofVerifier.WithTagKey(key, 8), ProofVerifier.WithPublicKey(key.PublicKey, 8) })
        {
            Assert.That(Measure(() => v.Verify(challenges[0], proofs[0]), 3), Is.Zero, $"single, γ: {v.UsesTagKey}");
            Assert.That(Measure(() =>
            {
                v.Clear();
                for (int i = 0; i < 8; i++) v.Add(challenges[i], proofs[i]);
                v.VerifyAll(results);
            }, 2), Is.Zero, $"batch, γ: {v.UsesTagKey}");
            Assert.That(results, Is.All.EqualTo(EngineStatus.Ok));
        }
    }
}
