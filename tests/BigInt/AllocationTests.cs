using Engine.BigInt;
using NUnit.Framework;

namespace Engine.Tests.BigInt;

/// <summary>The hot paths allocate nothing in steady state (GC.GetAllocatedBytesForCurrentThread).</summary>
[TestFixture, Category("Allocation"), NonParallelizable]
public sealed class AllocationTests
{
    private static long Measure(Action action, int repetitions)
    {
        action(); action();                                        // warm up: JIT, tiering, pools
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < repetitions; i++) action();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    [Test]
    public void MontgomeryMultiplySquare_DoNotAllocate()
    {
        SchnorrGroup g = SchnorrGroups.Modp2048Q256;
        ulong[] a = g.GeneratorMont.ToArray(), r = new ulong[a.Length];
        Assert.That(Measure(() => { g.P.Multiply(a, a, r); g.P.Square(r, r); g.P.Reduce(a, r); }, 1000), Is.Zero);
    }

    [Test]
    public void Exponentiations_DoNotAllocate()
    {
        SchnorrGroup g = SchnorrGroups.Modp2048Q256;
        ulong[] x = new ulong[4], r = new ulong[g.P.LimbCount];
        g.RandomScalar(x);
        Assert.That(Measure(() => g.P.Pow(g.GeneratorMont, x, 256, r), 20), Is.Zero, "Pow");
        Assert.That(Measure(() => g.P.PowVarTime(g.GeneratorMont, x, r), 20), Is.Zero, "PowVarTime");
        Assert.That(Measure(() => g.PowGenerator(x, r), 20), Is.Zero, "fixed-base");
        ulong[] many = new ulong[3 * g.P.LimbCount], exps = new ulong[12];
        Assert.That(Measure(() => g.P.PowManyVarTime(g.GeneratorMont, exps, 4, many), 5), Is.Zero, "PowManyVarTime");
    }

    [Test]
    public void BatchModExp_DoesNotAllocate()
    {
        SchnorrGroup g = SchnorrGroups.Modp2048Q256;
        int n = g.P.LimbCount, count = 20;
        var bases = new ulong[count * n];
        for (int k = 0; k < count; k++) g.Generator.CopyTo(bases.AsSpan(k * n, n));
        var exps = new ulong[count * 4];
        var results = new ulong[count * n];
        Assert.That(Measure(() => BatchModExp.Pow(g.P, bases, exps, 4, 256, results), 3), Is.Zero);
    }

    [Test]
    public void MultiExp_DoesNotAllocate()
    {
        SchnorrGroup g = SchnorrGroups.Modp2048Q256;
        int n = g.P.LimbCount;
        foreach (int count in new[] { 4, 64 })
        {
            var bases = new ulong[count * n];
            for (int k = 0; k < count; k++) g.GeneratorMont.CopyTo(bases.AsSpan(k * n, n));
            var exps = new ulong[count * 4];
            for (int i = 0; i < exps.Length; i++) exps[i] = (ulong)i * 0x9e3779b97f4a7c15UL;
            var r = new ulong[n];
            Assert.That(Measure(() => MultiExp.PowVarTime(g.P, bases, exps, 4, r), 2), Is.Zero, $"{count} terms");
        }
    }
}
