using System.Numerics;
using Engine.BigInt;
using Engine.BigInt.Native;
using Engine.Tests.Support;
using NUnit.Framework;

namespace Engine.Tests.BigInt;

/// <summary>
/// The generated 8-lane IFMA Montgomery products (52-bit digits, one kernel per digit count 2 … 158) against
/// BigInteger: r·R ≡ a·b (mod m), r &lt; 2m and every digit below 2^52, in every lane, for every digit count, with
/// full-width, sparse and all-ones moduli, the extreme operands (0, 1, 2m − 1, every digit 2^52 − 1) and aliasing.
/// The batched exponentiation through them is checked against GMP in <see cref="BatchModExpTests"/> (tier AsFound).
/// </summary>
[TestFixture, Category("Kernels"), Category("Differential")]
public sealed unsafe class NativeIfmaLaneKernelTests
{
    private const int Lanes = IfmaLaneKernels.Lanes, DigitBits = IfmaLaneKernels.DigitBits;

    [Test]
    public void EveryDigitCount_AgreesWithBigInteger([Range(IfmaLaneKernels.MinDigits, IfmaLaneKernels.MaxDigits)] int d)
    {
        var kernel = RequireKernel(d);
        var random = new Random(d);
        int v = d * Lanes;
        BigInteger r = BigInteger.One << (DigitBits * d);
        foreach (BigInteger m in Moduli(random, d))
        {
            ulong mInv = IfmaLaneKernels.NegativeInverse52(m);
            BigInteger twoM = 2 * m;
            BigInteger[] operands = [0, 1, twoM - 1, twoM - 2, m, AllDigitsSet(d, twoM), Random(random, twoM), Random(random, twoM)];
            ulong[] mod = new ulong[v], a = new ulong[v], b = new ulong[v], result = new ulong[v];
            for (int k = 0; k < Lanes; k++) IfmaLaneKernels.Scatter(m, mod, k, d);
            // Lane k multiplies operands[k] by operands[(k + shift) % 8]: every pair meets once over the shifts.
            for (int shift = 0; shift < Lanes; shift++)
            {
                for (int k = 0; k < Lanes; k++)
                {
                    IfmaLaneKernels.Scatter(operands[k], a, k, d);
                    IfmaLaneKernels.Scatter(operands[(k + shift) % Lanes], b, k, d);
                }
                fixed (ulong* pr = result, pa = a, pb = b, pm = mod) kernel(pr, pa, pb, pm, mInv);
                for (int k = 0; k < Lanes; k++)
                {
                    BigInteger x = operands[k], y = operands[(k + shift) % Lanes], got = IfmaLaneKernels.Gather(result, k, d);
                    Assert.That(got < twoM, Is.True, $"d = {d}, lane {k}: result not below 2m");
                    Assert.That((got * r - x * y) % m, Is.EqualTo(BigInteger.Zero), $"d = {d}, lane {k}: r·R ≢ a·b");
                    for (int j = 0; j < d; j++) Assert.That(result[j * Lanes + k] >> DigitBits, Is.Zero, $"d = {d}: digit {j} not normalised");
                }
            }
        }
    }

    [Test]
    public void ResultMayAliasEitherOperand([Values(2, 40, 59, 158)] int d)
    {
        var kernel = RequireKernel(d);
        var random = new Random(d + 1000);
        BigInteger m = Moduli(random, d).First();
        int v = d * Lanes;
        ulong mInv = IfmaLaneKernels.NegativeInverse52(m);
        ulong[] mod = new ulong[v], a = new ulong[v], b = new ulong[v], expected = new ulong[v];
        for (int k = 0; k < Lanes; k++)
        {
            IfmaLaneKernels.Scatter(m, mod, k, d);
            IfmaLaneKernels.Scatter(Random(random, 2 * m), a, k, d);
            IfmaLaneKernels.Scatter(Random(random, 2 * m), b, k, d);
        }
        ulong[] intoA = (ulong[])a.Clone(), intoB = (ulong[])b.Clone(), square = (ulong[])a.Clone(), squareExpected = new ulong[v];
        fixed (ulong* pe = expected, pa = a, pb = b, pm = mod, pia = intoA, pib = intoB, ps = square, pse = squareExpected)
        {
            kernel(pe, pa, pb, pm, mInv);
            kernel(pia, pia, pb, pm, mInv);
            kernel(pib, pa, pib, pm, mInv);
            kernel(pse, pa, pa, pm, mInv);
            kernel(ps, ps, ps, pm, mInv);
        }
        Assert.That(intoA, Is.EqualTo(expected));
        Assert.That(intoB, Is.EqualTo(expected));
        Assert.That(square, Is.EqualTo(squareExpected));
    }

    [Test]
    public void CapableCpu_GetsKernels_AndBatchesUseThem()
    {
        if (!IfmaLaneKernels.Available) Assert.Ignore($"No IFMA kernels here: {CpuFeatures.Describe()}, ENGINE_NATIVE allowed: {NativeKernels.Allowed}.");
        MontgomeryContext ctx = SchnorrGroups.Modp2048Q256.P;
        Assert.That(BatchModExp.IfmaKernel(ctx), Is.Not.EqualTo((nint)0), string.Join("; ", NativeKernels.Describe()));
        Assert.That(NativeKernels.Describe().Any(l => l.StartsWith("ifma 8-lane montgomery product, 40 × 52-bit digits: vpmadd52")), Is.True);
        using (new KernelScope(Tier.NoIfma)) Assert.That(BatchModExp.IfmaKernel(ctx), Is.EqualTo((nint)0));
    }

    [Test]
    public void Assembler_EmitsNoBranchButTheRoundLoop([Values(2, 40, 158)] int d)
    {
        // Constant time by construction: the only conditional jump is the loop over the D rounds (a public count).
        var decoder = Iced.Intel.Decoder.Create(64, IfmaLaneKernels.Assemble(d, 0x1000), 0x1000);
        int conditional = 0, other = 0;
        foreach (Iced.Intel.Instruction instruction in decoder)
        {
            if (instruction.FlowControl == Iced.Intel.FlowControl.ConditionalBranch) conditional++;
            else if (instruction.FlowControl is Iced.Intel.FlowControl.UnconditionalBranch or Iced.Intel.FlowControl.IndirectBranch
                     or Iced.Intel.FlowControl.Call or Iced.Intel.FlowControl.IndirectCall) other++;
        }
        Assert.That((conditional, other), Is.EqualTo((1, 0)));
    }

    private static delegate* unmanaged[SuppressGCTransition]<ulong*, ulong*, ulong*, ulong*, ulong, void> RequireKernel(int d)
    {
        if (!IfmaLaneKernels.Available) Assert.Ignore($"No IFMA kernels here: {CpuFeatures.Describe()}, ENGINE_NATIVE allowed: {NativeKernels.Allowed}.");
        var kernel = IfmaLaneKernels.For(d);
        Assert.That(kernel is not null, Is.True, string.Join("; ", NativeKernels.Describe()));
        return kernel;
    }

    // Moduli that D digits serve (R = 2^(52D) > 4m): the widest, all-ones below the top, sparse, and one digit shorter.
    private static IEnumerable<BigInteger> Moduli(Random random, int d)
    {
        int widest = DigitBits * d - 2;
        yield return (BigInteger.One << (widest - 1)) | Random(random, BigInteger.One << (widest - 1)) | 1;
        yield return (BigInteger.One << widest) - 1;
        yield return (BigInteger.One << (widest - 1)) + 1;
        int shorter = Math.Max(3, DigitBits * (d - 1) - 1);
        yield return (BigInteger.One << (shorter - 1)) | Random(random, BigInteger.One << (shorter - 1)) | 1;
    }

    // The largest value below 2m whose digits are all 2^52 − 1 except the top ones (maximal carries in every product).
    private static BigInteger AllDigitsSet(int d, BigInteger twoM)
    {
        BigInteger value = (BigInteger.One << (DigitBits * d)) - 1;
        while (value >= twoM) value >>= DigitBits;
        return value;
    }

    private static BigInteger Random(Random random, BigInteger bound)
    {
        var bytes = new byte[(int)(bound.GetBitLength() / 8) + 9];
        random.NextBytes(bytes);
        return new BigInteger(bytes, isUnsigned: true) % bound;
    }
}
