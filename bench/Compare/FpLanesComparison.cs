using System.Numerics;
using Engine.BigInt;
using Engine.BigInt.Native;
using Engine.Pairing.Fields;

namespace Engine.Bench.Compare;

/// <summary>
/// <c>compare fp-lanes</c>: issue #13 asks whether the 8-lane IFMA layout of batched exponentiation would pay for
/// BLS12-381 batches (MSM bucket additions, batched subgroup checks). This measures the product it would rest on: the
/// generated scalar F_p product (mulx, 6 limbs) on eight independent chains, against the generated 8-lane IFMA
/// product on p in eight 52-bit digits (R = 2^416, values below 2p), per F_p product, in the same run. Sums and
/// differences, the conversions in and out of the lanes and the restructuring of an MSM into eight independent
/// bucket streams are not in these figures: they bound what lanes could give, they are not an MSM.
/// </summary>
internal static unsafe class FpLanesComparison
{
    private const int Lanes = IfmaLaneKernels.Lanes, Digits = 8, Steps = 100;

    public static int Run(TextWriter output, bool quick)
    {
        int rounds = quick ? 3 : 7, roundMs = quick ? 60 : 250;
        output.WriteLine($"# compare fp-lanes — {DateTime.UtcNow:yyyy-MM-dd}, {CompareRunner.CpuModel()}, .NET {Environment.Version}, one thread");
        var kernel = IfmaLaneKernels.For(Digits);
        if (kernel is null)
        {
            output.WriteLine($"no IFMA lanes here ({CpuFeatures.Describe()}; ENGINE_NATIVE allowed: {NativeKernels.Allowed}): nothing to compare");
            return 0;
        }

        var rng = new Random(381);
        BigInteger p = BigInteger.Zero;
        foreach (ulong limb in new[] { Fp.P5, Fp.P4, Fp.P3, Fp.P2, Fp.P1, Fp.P0 }) p = (p << 64) | limb;
        var xs = new Fp[Lanes];
        var ys = new Fp[Lanes];
        ulong[] x = new ulong[Digits * Lanes], y = new ulong[Digits * Lanes], m = new ulong[Digits * Lanes];
        for (int k = 0; k < Lanes; k++)
        {
            xs[k] = Fp.FromUInt64((ulong)rng.NextInt64()) * Fp.FromUInt64((ulong)rng.NextInt64());
            ys[k] = Fp.FromUInt64((ulong)rng.NextInt64()) * Fp.FromUInt64((ulong)rng.NextInt64());
            IfmaLaneKernels.Scatter(p, m, k, Digits);
            IfmaLaneKernels.Scatter(RandomBelow(rng, p), x, k, Digits);
            IfmaLaneKernels.Scatter(RandomBelow(rng, p), y, k, Digits);
        }
        ulong mInv = IfmaLaneKernels.NegativeInverse52(p);
        Action scalar = () =>
        {
            for (int s = 0; s < Steps; s++)
                for (int k = 0; k < Lanes; k++) xs[k] *= ys[k];
        };
        Action lanes = () =>
        {
            fixed (ulong* px = x, py = y, pm = m)
                for (int s = 0; s < Steps; s++) kernel(px, px, py, pm, mInv);
        };
        double[] t = CompareRunner.Measure([scalar, lanes], rounds, roundMs);
        double perScalar = 1000 * t[0] / (Steps * Lanes), perLane = 1000 * t[1] / (Steps * Lanes);
        output.WriteLine();
        output.WriteLine("| F_p product (BLS12-381 p), eight independent chains | ns per product | ratio |");
        output.WriteLine("|---|---:|---:|");
        output.WriteLine($"| generated scalar kernel (mulx, adcx/adox; 6 limbs) | {perScalar:F1} | 1.00 |");
        output.WriteLine($"| generated 8-lane IFMA kernel (8 × 52-bit digits) | {perLane:F1} | **{perScalar / perLane:F2} ×** faster |");
        return 0;
    }

    private static BigInteger RandomBelow(Random rng, BigInteger bound)
    {
        var bytes = new byte[56];
        rng.NextBytes(bytes);
        return new BigInteger(bytes, isUnsigned: true) % bound;
    }
}
