using Engine.Pairing.Fields;
using Engine.Pairing.Groups;
using Engine.Pairing.HashToCurve;
using Engine.Pairing.Pairings;
using NUnit.Framework;

namespace Engine.Tests.Pairing;

/// <summary>Every pairing hot path allocates nothing once warmed up (pools rented once, JIT done).</summary>
[TestFixture, Category("Allocation"), NonParallelizable]
public sealed class PairingAllocationTests
{
    private static Fp _sink;

    private static void AssertNoAllocation(string what, Action action, int iterations = 3)
    {
        action(); action();                                   // JIT, tiering, pool first rentals
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < iterations; i++) action();
        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.Zero, what);
    }

    [Test]
    public void HotPaths_DoNotAllocate()
    {
        var rng = new Random(61);
        Fr k = PairingOracles.RandomFr(rng);
        G1Projective p = G1Projective.Generator.Multiply(k);
        G2Projective q = G2Projective.Generator.Multiply(k);
        G1Affine pa = p.ToAffine();
        G2Affine qa = q.ToAffine();
        G2Prepared prepared = new(qa);
        G1Affine[] g1 = [pa, pa, pa, pa];
        G2Affine[] g2 = [qa, qa, qa, qa];
        G2Prepared[] prep = [prepared, prepared, prepared, prepared];
        byte[] compressed = new byte[48], compressed2 = new byte[96], gt = new byte[576];
        pa.EncodeCompressed(compressed);
        qa.EncodeCompressed(compressed2);
        G1Affine[] msmPoints = Enumerable.Range(0, 64).Select(_ => PairingOracles.RandomG1(rng).ToAffine()).ToArray();
        Fr[] msmScalars = Enumerable.Range(0, 64).Select(_ => PairingOracles.RandomFr(rng)).ToArray();
        G1Projective[] batch = new G1Projective[64];
        G1Affine[] batchAffine = new G1Affine[64];
        Fp a = PairingOracles.RandomFp(rng);

        AssertNoAllocation("Fp multiply and invert", () => { Fp x = a * a; _sink = x.Invert(); });
        AssertNoAllocation("G1 multiply", () => p.Multiply(k));
        AssertNoAllocation("G1 multiply var-time", () => p.MultiplyVarTime(k));
        AssertNoAllocation("G2 multiply", () => q.Multiply(k));
        AssertNoAllocation("G1 fixed-base multiply", () => G1FixedBase.Generator.Multiply(k));
        AssertNoAllocation("G2 fixed-base multiply", () => G2FixedBase.Generator.Multiply(k));
        AssertNoAllocation("G1 decode", () => G1Affine.Decode(compressed, out _));
        AssertNoAllocation("G2 decode", () => G2Affine.Decode(compressed2, out _));
        AssertNoAllocation("pairing", () => OptimalAte.Pair(pa, qa));
        AssertNoAllocation("pairing prepared", () => OptimalAte.Pair(pa, prepared));
        AssertNoAllocation("multi-pairing check", () => OptimalAte.Check(g1, g2));
        AssertNoAllocation("multi-pairing check prepared", () => OptimalAte.Check(g1, prep));
        AssertNoAllocation("Gt pow and encode", () => Gt.Generator.Pow(k).Encode(gt));
        AssertNoAllocation("hash to G1", () => HashToGroup.HashToG1("message"u8, "DST"u8));
        AssertNoAllocation("hash to G2", () => HashToGroup.HashToG2("message"u8, "DST"u8));
        AssertNoAllocation("MSM", () => G1Projective.MsmVarTime(msmPoints, msmScalars));
        AssertNoAllocation("batch normalise", () => { G1Projective.MultiplyMany(p, msmScalars, batch); G1Projective.BatchToAffine(batch, batchAffine); }, 1);
    }
}
