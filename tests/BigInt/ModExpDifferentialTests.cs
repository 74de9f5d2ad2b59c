using System.Numerics;
using Engine.BigInt;
using Engine.Tests.Support;
using NUnit.Framework;

namespace Engine.Tests.BigInt;

/// <summary>Both exponentiation paths, shared-squaring, fixed-base and multi-exponentiation against GMP's mpz_powm
/// (and BigInteger.ModPow on a sample), 10 000 random cases per size class each.</summary>
[TestFixture, Category("Differential"), Parallelizable(ParallelScope.Children)]
public sealed class ModExpDifferentialTests
{
    public static IEnumerable<int> Sizes => Oracles.SizeClasses;

    [OneTimeSetUp]
    public void RequireGmp()
    {
        if (!Engine.Interop.Reference.Gmp.IsAvailable) Assert.Ignore("libgmp.so.10 is not installed (.ci/run installs libgmp10).");
    }

    [TestCaseSource(nameof(Sizes))]
    public void PowAndPowVarTime_MatchGmp(int bits)
    {
        var rng = new Random(bits * 31337);
        int maxExp = Oracles.ExponentBitsFor(bits), failures = 0;
        ulong[] m = [];
        MontgomeryContext ctx = null!;
        for (int c = 0; c < Oracles.CasesPerSize; c++)
        {
            if (c % 500 == 0) { m = Oracles.RandomOddModulus(rng, bits); ctx = new MontgomeryContext(m); }
            int n = ctx.LimbCount;
            ulong[] b = Oracles.RandomBelow(rng, m), e = Oracles.RandomExponent(rng, maxExp, out int eBits);
            BigInteger B = Oracles.ToBig(b), E = Oracles.ToBig(e), M = Oracles.ToBig(m);
            BigInteger expected = c % 100 == 0 ? BigInteger.ModPow(B, E, M) : Oracles.GmpPowMod(B, E, M);
            var x = new ulong[n]; var r = new ulong[n];
            ctx.ToMontgomery(b, x);
            ctx.PowVarTime(x, e, r); ctx.FromMontgomery(r, r);
            if (Oracles.ToBig(r) != expected) failures++;
            ctx.Pow(x, e, e.Length * 64, r); ctx.FromMontgomery(r, r);
            if (Oracles.ToBig(r) != expected) failures++;
            ctx.Pow(x, e, eBits, x); ctx.FromMontgomery(x, x);     // tight bit bound, result aliasing the base
            if (Oracles.ToBig(x) != expected) failures++;
        }
        Assert.That(failures, Is.Zero, $"bits {bits}");
    }

    [TestCase(2048, 256)]
    [TestCase(2048, 2048)]
    [TestCase(3072, 256)]
    [TestCase(3072, 3072)]
    [TestCase(8192, 8192)]
    public void FullLengthExponents_MatchBigInteger(int bits, int exponentBits)
    {
        var rng = new Random(bits + exponentBits);
        int cases = bits == 8192 ? 2 : 12;
        for (int c = 0; c < cases; c++)
        {
            ulong[] m = Oracles.RandomOddModulus(rng, bits);
            var ctx = new MontgomeryContext(m);
            ulong[] b = Oracles.RandomBelow(rng, m), e = Oracles.RandomExponent(rng, exponentBits, out _);
            BigInteger expected = BigInteger.ModPow(Oracles.ToBig(b), Oracles.ToBig(e), Oracles.ToBig(m));
            var x = new ulong[ctx.LimbCount]; var r = new ulong[ctx.LimbCount];
            ctx.ToMontgomery(b, x);
            ctx.Pow(x, e, exponentBits, r); ctx.FromMontgomery(r, r);
            Assert.That(Oracles.ToBig(r), Is.EqualTo(expected), $"CT bits {bits}/{exponentBits} case {c}");
            ctx.PowVarTime(x, e, r); ctx.FromMontgomery(r, r);
            Assert.That(Oracles.ToBig(r), Is.EqualTo(expected), $"VT bits {bits}/{exponentBits} case {c}");
        }
    }

    [TestCaseSource(nameof(Sizes))]
    public void EdgeCases_BaseAndExponentBoundaries(int bits)
    {
        var rng = new Random(bits);
        ulong[] m = Oracles.RandomOddModulus(rng, bits);
        var ctx = new MontgomeryContext(m);
        int n = ctx.LimbCount;
        BigInteger M = Oracles.ToBig(m);
        BigInteger[] bases = [0, 1, M - 1, 2, (BigInteger.One << 63) % M];
        ulong[][] exps = [[0UL], [1UL], [ulong.MaxValue, ulong.MaxValue, ulong.MaxValue, ulong.MaxValue], [2UL], [0UL, 0UL, 0UL, 1UL << 63]];
        foreach (BigInteger B in bases)
        foreach (ulong[] e in exps)
        {
            BigInteger expected = BigInteger.ModPow(B, Oracles.ToBig(e), M);
            var x = new ulong[n]; var r = new ulong[n];
            ctx.ToMontgomery(Oracles.ToLimbs(B, n), x);
            ctx.Pow(x, e, e.Length * 64, r); ctx.FromMontgomery(r, r);
            Assert.That(Oracles.ToBig(r), Is.EqualTo(expected), $"CT base {B % 1000}… exp {Oracles.ToBig(e)}");
            ctx.PowVarTime(x, e, r); ctx.FromMontgomery(r, r);
            Assert.That(Oracles.ToBig(r), Is.EqualTo(expected), $"VT base {B % 1000}… exp {Oracles.ToBig(e)}");
        }
    }

    [TestCaseSource(nameof(Sizes))]
    public void PowManyVarTime_FixedBase_AndMultiExp_MatchGmp(int bits)
    {
        var rng = new Random(bits * 271);
        int maxExp = Oracles.ExponentBitsFor(bits), failures = 0, cases = 0;
        while (cases < Oracles.CasesPerSize)
        {
            ulong[] m = Oracles.RandomOddModulus(rng, bits);
            var ctx = new MontgomeryContext(m);
            int n = ctx.LimbCount, el = (maxExp + 63) / 64;
            BigInteger M = Oracles.ToBig(m);
            ulong[] b = Oracles.RandomBelow(rng, m);
            var bm = new ulong[n];
            ctx.ToMontgomery(b, bm);
            var table = new FixedBaseTable(ctx, bm, maxExp, window: 1 + rng.Next(6));

            // One base, many exponents: shared squarings and the fixed-base table, both paths.
            const int batch = 40;
            var exps = new ulong[batch * el];
            for (int k = 0; k < batch; k++) Oracles.RandomExponent(rng, maxExp, out _).CopyTo(exps, k * el);
            var many = new ulong[batch * n];
            ctx.PowManyVarTime(bm, exps, el, many);
            var r = new ulong[n];
            for (int k = 0; k < batch; k++, cases++)
            {
                ReadOnlySpan<ulong> e = exps.AsSpan(k * el, el);
                BigInteger expected = Oracles.GmpPowMod(Oracles.ToBig(b), Oracles.ToBig(e), M);
                ctx.FromMontgomery(many.AsSpan(k * n, n), r);
                if (Oracles.ToBig(r) != expected) failures++;
                table.Pow(e, r); ctx.FromMontgomery(r, r);
                if (Oracles.ToBig(r) != expected) failures++;
                table.PowVarTime(e, r); ctx.FromMontgomery(r, r);
                if (Oracles.ToBig(r) != expected) failures++;
            }

            // Multi-exponentiation over 1..80 terms (Straus below the threshold, Pippenger above).
            int terms = 1 + rng.Next(80);
            var mb = new ulong[terms * n];
            var me = new ulong[terms * el];
            BigInteger product = 1;
            for (int k = 0; k < terms; k++)
            {
                ulong[] bk = Oracles.RandomBelow(rng, m);
                ulong[] ek = Oracles.RandomExponent(rng, maxExp, out _);
                ctx.ToMontgomery(bk, mb.AsSpan(k * n, n));
                ek.CopyTo(me, k * el);
                product = product * Oracles.GmpPowMod(Oracles.ToBig(bk), Oracles.ToBig(ek), M) % M;
            }
            MultiExp.PowVarTime(ctx, mb, me, el, r);
            ctx.FromMontgomery(r, r);
            if (Oracles.ToBig(r) != product) failures++;
            cases += terms;
        }
        Assert.That(failures, Is.Zero, $"bits {bits}");
    }

    [Test]
    public void ByteApi_TryPowVarTime_ReportsShortDestination_AndMatchesBigInteger()
    {
        byte[] m = [0xc5, 0x01, 0x03];
        Assert.That(ModExp.TryPowVarTime([2], [10], m, new byte[2], out int written), Is.False);
        Assert.That(written, Is.Zero);
        var dest = new byte[4];
        Assert.That(ModExp.TryPow([0xff, 0xff, 0xff, 0xff], [0x12, 0x34], m, dest, out written), Is.True);
        Assert.That(written, Is.EqualTo(3));
        BigInteger expected = BigInteger.ModPow(0xffffffff, 0x1234, 0xc50103);
        Assert.That(new BigInteger(dest.AsSpan(0, 3), true, true), Is.EqualTo(expected));
    }
}
