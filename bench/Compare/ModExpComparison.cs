using System.Numerics;
using Engine.BigInt;
using Engine.Interop.Reference;

namespace Engine.Bench.Compare;

/// <summary>
/// <c>compare modexp</c>: the engine against OpenSSL (BN_mod_exp_mont[_consttime] with a cached BN_MONT_CTX),
/// GMP (mpz_powm[_sec]) and BigInteger.ModPow at 2048 bits, plus the engine's own batched and fixed-base paths.
/// Every engine call includes the conversion into and out of Montgomery form, as OpenSSL's calls do.
/// </summary>
internal static class ModExpComparison
{
    public static void Run(TextWriter output, bool quick)
    {
        int rounds = quick ? 3 : 7, roundMs = quick ? 60 : 250;
        SchnorrGroup group = SchnorrGroups.Modp2048Q256;
        MontgomeryContext ctx = group.P;
        int n = ctx.LimbCount;
        var rng = new Random(2048);
        byte[] modulus = new byte[256];
        BigEndian.TryFromLimbs(ctx.Modulus, modulus);

        output.WriteLine($"# compare modexp — {DateTime.UtcNow:yyyy-MM-dd}, {CompareRunner.CpuModel()}, tier {Kernels.Describe()}, .NET {Environment.Version}");
        output.WriteLine($"modulus: {group.Name} p (2048 bits); rounds {rounds} × {roundMs} ms; times are medians, µs per exponentiation");
        if (!OpenSsl.IsAvailable || !Gmp.IsAvailable) output.WriteLine("warning: OpenSSL or GMP missing; their rows are skipped");
        output.WriteLine();
        output.WriteLine("| operation | engine µs | OpenSSL µs | GMP µs | BigInteger µs | engine / OpenSSL | BigInteger / engine |");
        output.WriteLine("|---|---:|---:|---:|---:|---:|---:|");

        foreach (int expBits in new[] { 256, 2048 })
        {
            byte[] baseBytes = RandomBelow(rng, ctx), expBytes = new byte[expBits / 8];
            rng.NextBytes(expBytes);
            expBytes[0] |= 0x80;
            var dest = new byte[256];
            Row(output, $"single, constant time, {expBits}-bit secret exponent", rounds, roundMs,
                () => ModExp.Pow(ctx, baseBytes, expBytes, dest),
                OpenSslCall(modulus, baseBytes, expBytes, constantTime: true),
                GmpCall(modulus, baseBytes, expBytes, constantTime: true),
                BigIntegerCall(modulus, baseBytes, expBytes));
            Row(output, $"single, variable time, {expBits}-bit public exponent", rounds, roundMs,
                () => ModExp.PowVarTime(ctx, baseBytes, expBytes, dest),
                OpenSslCall(modulus, baseBytes, expBytes, constantTime: false),
                GmpCall(modulus, baseBytes, expBytes, constantTime: false),
                null);
        }

        // Batched constant time, 2048/256: per-item time of a batch of 64 against OpenSSL's single call.
        const int count = 64;
        var bases = new ulong[count * n];
        var exps = new ulong[count * 4];
        var results = new ulong[count * n];
        for (int k = 0; k < count; k++)
        {
            BigEndian.TryToLimbs(RandomBelow(rng, ctx), bases.AsSpan(k * n, n));
            group.RandomScalar(exps.AsSpan(k * 4, 4));
        }
        byte[] b0 = RandomBelow(rng, ctx), e0 = new byte[32];
        rng.NextBytes(e0);
        Action? ossl = OpenSslCall(modulus, b0, e0, constantTime: true);
        var single = new ulong[n];
        var x = new ulong[n];
        double[] t = CompareRunner.Measure(
            [() => BatchModExp.Pow(ctx, bases, exps, 4, 256, results),
             ossl ?? (() => { }),
             () => { ctx.ToMontgomery(bases.AsSpan(0, n), x); ctx.Pow(x, exps.AsSpan(0, 4), 256, single); ctx.FromMontgomery(single, single); }],
            rounds, roundMs);
        double perItem = t[0] / count;
        string lanes = BatchModExp.IfmaKernel(ctx) != 0 ? "8 IFMA lanes, 52-bit digits" : $"{BatchModExp.LaneCountFor(ctx)} lane(s)";
        output.WriteLine($"| batched ×{count}, constant time, 256-bit (per item, {lanes}) | {perItem:F1} | {Fmt(ossl, t[1])} | | | {RatioText(ossl, perItem, t[1])} | |");
        if (BatchModExp.IfmaKernel(ctx) != 0)
        {
            // The managed 28-bit AVX-512 lanes, what the IFMA lanes replaced, in the same run.
            Kernels.ForceNoIfma = true;
            double[] old = CompareRunner.Measure([() => BatchModExp.Pow(ctx, bases, exps, 4, 256, results), ossl ?? (() => { })], rounds, roundMs);
            Kernels.ForceNoIfma = false;
            output.WriteLine($"| batched ×{count}, constant time, 256-bit (per item, 8 managed lanes, 28-bit digits) | {old[0] / count:F1} | {Fmt(ossl, old[1])} | | | {RatioText(ossl, old[0] / count, old[1])} | |");
        }

        // Fixed-base g^x against the engine's own variable-base constant-time path.
        var gx = new ulong[n];
        var scalar = exps.AsSpan(0, 4).ToArray();
        _ = group.GeneratorTable;
        double[] f = CompareRunner.Measure(
            [() => group.PowGenerator(scalar, gx), () => ctx.Pow(group.GeneratorMont, scalar, 256, gx)], rounds, roundMs);
        output.WriteLine($"| fixed-base g^x, constant time, 256-bit (table {group.GeneratorTable.SizeInBytes / 1024} KiB) | {f[0]:F1} | | | | | |");
        output.WriteLine();
        output.WriteLine("Targets (issue #2):");
        output.WriteLine($"- single CT 2048/256 ≤ 1.25 × OpenSSL consttime: see row 1 ratio");
        output.WriteLine($"- batched CT throughput ≥ 2 × OpenSSL single: OpenSSL / batched-per-item = {(ossl is null ? "n/a" : (t[1] / perItem).ToString("F2"))}×");
        output.WriteLine($"- fixed-base ≥ 4 × the engine's variable-base CT: {f[1] / f[0]:F2}×");
        output.WriteLine($"- batched vs the engine's own single CT path: {t[2] / perItem:F2}×");
    }

    private static void Row(TextWriter output, string name, int rounds, int roundMs, Action engine, Action? openssl, Action? gmp, Action? bigInteger)
    {
        var contenders = new List<Action> { engine, openssl ?? (() => { }), gmp ?? (() => { }), bigInteger ?? (() => { }) };
        double[] t = CompareRunner.Measure(contenders, rounds, roundMs);
        string big = bigInteger is null ? "" : $"{t[3]:F1}";
        string bigRatio = bigInteger is null ? "" : $"{t[3] / t[0]:F1}×";
        output.WriteLine($"| {name} | {t[0]:F1} | {Fmt(openssl, t[1])} | {Fmt(gmp, t[2])} | {big} | {RatioText(openssl, t[0], t[1])} | {bigRatio} |");
    }

    private static string Fmt(Action? a, double v) => a is null ? "n/a" : $"{v:F1}";
    private static string RatioText(Action? reference, double engine, double refTime) => reference is null ? "n/a" : $"**{engine / refTime:F2}**";

    internal static Action? OpenSslCall(byte[] modulus, byte[] b, byte[] e, bool constantTime)
    {
        if (!OpenSsl.IsAvailable) return null;
        var m = new OpenSslModulus(modulus);
        var bb = OpenSslBigNum.FromBigEndian(b);
        var eb = OpenSslBigNum.FromBigEndian(e);
        var r = new OpenSslBigNum();
        return constantTime ? () => m.ModExpConstTime(r, bb, eb) : () => m.ModExp(r, bb, eb);
    }

    private static Action? GmpCall(byte[] modulus, byte[] b, byte[] e, bool constantTime)
    {
        if (!Gmp.IsAvailable) return null;
        var m = GmpInteger.FromBigEndian(modulus);
        var bb = GmpInteger.FromBigEndian(b);
        var eb = GmpInteger.FromBigEndian(e);
        var r = new GmpInteger();
        return constantTime ? () => Gmp.PowModSec(r, bb, eb, m) : () => Gmp.PowMod(r, bb, eb, m);
    }

    private static Action BigIntegerCall(byte[] modulus, byte[] b, byte[] e)
    {
        BigInteger m = new(modulus, true, true), bb = new(b, true, true), eb = new(e, true, true);
        return () => BigInteger.ModPow(bb, eb, m);
    }

    private static byte[] RandomBelow(Random rng, MontgomeryContext ctx)
    {
        var bytes = new byte[ctx.ByteLength];
        rng.NextBytes(bytes);
        bytes[0] &= 0x7f;                                            // below 2^2047 < p
        return bytes;
    }
}
