using Engine.BigInt;
using Engine.Tests.Support;
using NUnit.Framework;

namespace Engine.Tests.BigInt;

/// <summary>
/// <see cref="TimingLeak"/> on the constant-time exponentiations as they run on this CPU (the generated mulx and
/// IFMA kernels where it has them; the managed code under ENGINE_NATIVE=0): exponent 0 and base 1, the easiest inputs
/// for a leaky window or table read, against random bases and exponents.
/// </summary>
[TestFixture, Category("Soak"), NonParallelizable]
public sealed class ModExpTimingTests
{
    [Test]
    public void SinglePow_TimingDoesNotDependOnBaseOrExponent()
    {
        SchnorrGroup g = SchnorrGroups.Modp2048Q256;
        MontgomeryContext ctx = g.P;
        var rng = new Random(2048);
        ulong[] one = ctx.One.ToArray(), x = new ulong[ctx.LimbCount], zero = new ulong[4], e = new ulong[4], r = new ulong[ctx.LimbCount];
        for (int i = 0; i < 50; i++) ctx.Pow(one, e, 256, r);                                     // warm up
        double t = TimingLeak.WelchT(rng, 3000,
            cls => { if (cls == 1) { g.RandomScalar(e); g.PowGenerator(e, x); g.RandomScalar(e); } },
            cls => ctx.Pow(cls == 0 ? one : x, cls == 0 ? zero : e, 256, r));
        TestContext.Out.WriteLine($"Welch t = {t:F2} ({(ctx.UsesNativeKernel ? "generated mulx kernel" : "managed")})");
        Assert.That(Math.Abs(t), Is.LessThan(10), "timing of Pow differs between (1, 0) and random (base, exponent)");
    }

    [Test]
    public void BatchPow_TimingDoesNotDependOnBasesOrExponents()
    {
        SchnorrGroup g = SchnorrGroups.Modp2048Q256;
        MontgomeryContext ctx = g.P;
        int n = ctx.LimbCount, count = 8;
        var rng = new Random(2049);
        ulong[] ones = new ulong[count * n], bases = new ulong[count * n], zeros = new ulong[count * 4], exps = new ulong[count * 4];
        ulong[] results = new ulong[count * n];
        for (int k = 0; k < count; k++) ones[k * n] = 1;
        for (int i = 0; i < 30; i++) BatchModExp.Pow(ctx, ones, zeros, 4, 256, results);         // warm up
        double t = TimingLeak.WelchT(rng, 2000, cls =>
        {
            if (cls == 1)
            {
                for (int k = 0; k < count; k++)
                {
                    g.RandomScalar(exps.AsSpan(k * 4, 4));
                    g.PowGenerator(exps.AsSpan(k * 4, 4), bases.AsSpan(k * n, n));
                    ctx.FromMontgomery(bases.AsSpan(k * n, n), bases.AsSpan(k * n, n));
                    g.RandomScalar(exps.AsSpan(k * 4, 4));
                }
            }
        }, cls => BatchModExp.Pow(ctx, cls == 0 ? ones : bases, cls == 0 ? zeros : exps, 4, 256, results));
        string path = BatchModExp.IfmaKernel(ctx) != 0 ? "generated IFMA lanes" : Kernels.Describe();
        TestContext.Out.WriteLine($"Welch t = {t:F2} ({path})");
        Assert.That(Math.Abs(t), Is.LessThan(10), "timing of BatchModExp.Pow differs between (1, 0) and random (bases, exponents)");
    }
}
