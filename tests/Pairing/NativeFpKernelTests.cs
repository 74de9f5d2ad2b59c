using System.Numerics;
using Engine.BigInt.Native;
using Engine.Pairing.Fields;
using Engine.Pairing.Native;
using Engine.Pairing.Groups;
using NUnit.Framework;

namespace Engine.Tests.Pairing;

/// <summary>
/// The generated Fp product (pairing/Native/FpKernels) against the managed CIOS and against BigInteger, on random
/// and edge inputs; the executable mapping is never writable and executable at once; a refused mprotect falls back.
/// </summary>
[TestFixture, Category("Kernels"), NonParallelizable]
public sealed unsafe class NativeFpKernelTests
{
    private static readonly BigInteger P = PairingOracles.P;

    private static void RequireKernel()
    {
        if (FpKernels.Multiply == null) Assert.Ignore($"no generated Fp kernel here: {FpKernels.Status}");
    }

    private static BigInteger ToInteger(in Fp value) => PairingOracles.FromFp(value);

    private static Fp FromInteger(BigInteger v) => PairingOracles.ToFp(v);

    private static Fp Native(Fp a, Fp b)
    {
        Fp r;
        FpKernels.Multiply(&r, &a, &b, FpKernels.Constants);
        return r;
    }

    [Test]
    public void Product_EqualsManagedAndBigInteger_OnRandomAndEdgeInputs()
    {
        RequireKernel();
        var rng = new Random(381);
        var edges = new List<BigInteger> { 0, 1, 2, P - 1, P - 2, (BigInteger.One << 64) - 1, (BigInteger.One << 128) - 1, (BigInteger.One << 380) - 1, P / 2, P - (BigInteger.One << 64) };
        var values = new List<BigInteger>(edges);
        for (int i = 0; i < 200; i++)
        {
            byte[] b = new byte[48];
            rng.NextBytes(b);
            values.Add(new BigInteger(b, isUnsigned: true) % P);
        }
        // Values whose low words are all ones (maximal carries inside the chains).
        values.Add(((BigInteger.One << 384) - 1) % P);
        BigInteger ones = (P - 1) | ((BigInteger.One << 192) - 1);
        values.Add(ones < P ? ones : P - 1);
        int checkedPairs = 0;
        for (int i = 0; i < values.Count; i++)
        {
            Fp a = FromInteger(values[i]), b = FromInteger(values[(i * 7 + 3) % values.Count]);
            Fp native = Native(a, b);
            Assert.That(native, Is.EqualTo(Fp.MultiplyManaged(a, b)), $"pair {i}");
            Assert.That(ToInteger(native), Is.EqualTo(values[i] * values[(i * 7 + 3) % values.Count] % P), $"pair {i} against BigInteger");
            Assert.That(ToInteger(Native(a, a)), Is.EqualTo(values[i] * values[i] % P), $"square {i}");
            checkedPairs++;
        }
        foreach (BigInteger x in edges)
            foreach (BigInteger y in edges)
                Assert.That(ToInteger(Native(FromInteger(x), FromInteger(y))), Is.EqualTo(x * y % P));
        Assert.That(checkedPairs, Is.GreaterThan(200));
    }

    [Test]
    public void SumAndDifference_EqualManagedAndBigInteger_OnRandomAndEdgeInputs()
    {
        RequireKernel();
        var rng = new Random(382);
        var values = new List<BigInteger> { 0, 1, P - 1, P - 2, (BigInteger.One << 64) - 1, (BigInteger.One << 380), P / 2, P / 2 + 1 };
        for (int i = 0; i < 100; i++)
        {
            byte[] b = new byte[48];
            rng.NextBytes(b);
            values.Add(new BigInteger(b, isUnsigned: true) % P);
        }
        foreach (BigInteger x in values)
            foreach (BigInteger y in values.Take(20))
            {
                Fp a = FromInteger(x), b = FromInteger(y), sum, difference;
                FpKernels.Add(&sum, &a, &b, FpKernels.Constants);
                FpKernels.Subtract(&difference, &a, &b, FpKernels.Constants);
                Assert.That(sum, Is.EqualTo(Fp.AddManaged(a, b)));
                Assert.That(difference, Is.EqualTo(Fp.SubtractManaged(a, b)));
                // Montgomery form is linear: the canonical values add and subtract as integers mod p.
                Assert.That(ToInteger(sum), Is.EqualTo((x + y) % P));
                Assert.That(ToInteger(difference), Is.EqualTo(((x - y) % P + P) % P));
                FpKernels.Add(&a, &a, &b, FpKernels.Constants);                      // aliasing
                Assert.That(a, Is.EqualTo(sum));
            }
    }

    [Test]
    public void Fp2ProductAndSquare_EqualTheSchoolbookFormulas_AndAllowAliasing()
    {
        RequireKernel();
        var rng = new Random(383);
        for (int i = 0; i < 300; i++)
        {
            BigInteger a0 = Random(rng), a1 = Random(rng), b0 = Random(rng), b1 = Random(rng);
            if (i == 0) (a0, a1, b0, b1) = (P - 1, P - 1, P - 1, P - 1);
            if (i == 1) (a0, a1, b0, b1) = (0, 1, 1, 0);
            Fp2 a = new(FromInteger(a0), FromInteger(a1)), b = new(FromInteger(b0), FromInteger(b1)), r;
            FpKernels.Fp2Multiply(&r, &a, &b, FpKernels.Constants);
            Assert.That(r, Is.EqualTo(Fp2.MultiplyManaged(a, b)));
            // (a0 + a1·u)(b0 + b1·u) with u² = −1, in integers mod p.
            Assert.That(ToInteger(r.C0), Is.EqualTo(((a0 * b0 - a1 * b1) % P + P) % P));
            Assert.That(ToInteger(r.C1), Is.EqualTo((a0 * b1 + a1 * b0) % P));
            FpKernels.Fp2Square(&r, &a, FpKernels.Constants);
            Assert.That(r, Is.EqualTo(Fp2.MultiplyManaged(a, a)));
            Fp2 alias = a;
            FpKernels.Fp2Multiply(&alias, &alias, &b, FpKernels.Constants);
            Assert.That(alias, Is.EqualTo(Fp2.MultiplyManaged(a, b)));
            alias = a;
            FpKernels.Fp2Square(&alias, &alias, FpKernels.Constants);
            Assert.That(alias, Is.EqualTo(Fp2.MultiplyManaged(a, a)));
        }
    }

    [Test]
    public void CyclotomicSquare_EqualsTheManagedComposition_AndTheFullSquareInTheSubgroup_AndAllowsAliasing()
    {
        RequireKernel();
        Assert.That(FpKernels.CyclotomicSquare != null, Is.True, FpKernels.Status);
        var rng = new Random(384);
        Fp2 RandomFp2() => new(FromInteger(Random(rng)), FromInteger(Random(rng)));
        Fp12 RandomFp12() => new(new Fp6(RandomFp2(), RandomFp2(), RandomFp2()), new Fp6(RandomFp2(), RandomFp2(), RandomFp2()));
        Fp2 extreme = new(FromInteger(P - 1), FromInteger(P - 1));
        for (int i = 0; i < 100; i++)
        {
            // Any element: the kernel computes the same polynomial as the managed composition.
            Fp12 f = i == 0 ? new Fp12(new Fp6(extreme, extreme, extreme), new Fp6(extreme, extreme, extreme)) : RandomFp12(), r;
            FpKernels.CyclotomicSquare(&r, &f, FpKernels.Constants);
            Assert.That(r, Is.EqualTo(f.CyclotomicSquareManaged()), $"case {i}");
            // In the cyclotomic subgroup (f^((p⁶ − 1)(p² + 1))) it is the square.
            Fp12 t = f.Conjugate() * f.Invert(), c = t.FrobeniusMap(2) * t, alias = c;
            FpKernels.CyclotomicSquare(&alias, &alias, FpKernels.Constants);
            Assert.That(alias, Is.EqualTo(c.Square()), $"subgroup case {i}");
        }
    }

    [Test]
    public void TowerProducts_EqualTheManagedFormulas_AndAllowAliasing()
    {
        RequireKernel();
        Assert.That(FpKernels.Fp6Multiply != null && FpKernels.Fp12Multiply != null && FpKernels.Fp12Square != null && FpKernels.MulBy014 != null,
                    Is.True, FpKernels.Status);
        var rng = new Random(385);
        Fp2 extreme = new(FromInteger(P - 1), FromInteger(P - 1));
        Fp2 RandomFp2(int i) => i == 0 ? extreme : new(FromInteger(Random(rng)), FromInteger(Random(rng)));
        Fp6 RandomFp6(int i) => new(RandomFp2(i), RandomFp2(i), RandomFp2(i));
        for (int i = 0; i < 100; i++)
        {
            Fp6 a6 = RandomFp6(i), b6 = RandomFp6(i % 7), r6;
            Fp12 a = new(a6, RandomFp6(i)), b = new(b6, RandomFp6(i)), r;
            Fp2 c0 = RandomFp2(i), c1 = RandomFp2(i % 5), c4 = RandomFp2(i);

            FpKernels.Fp6Multiply(&r6, &a6, &b6, FpKernels.Constants);
            Assert.That(r6, Is.EqualTo(Fp6.MultiplyManaged(a6, b6)), $"fp6 product, case {i}");
            FpKernels.Fp12Multiply(&r, &a, &b, FpKernels.Constants);
            Assert.That(r, Is.EqualTo(Fp12.MultiplyManaged(a, b)), $"fp12 product, case {i}");
            FpKernels.Fp12Square(&r, &a, FpKernels.Constants);
            Assert.That(r, Is.EqualTo(a.SquareManaged()), $"fp12 square, case {i}");
            Assert.That(r, Is.EqualTo(Fp12.MultiplyManaged(a, a)), $"fp12 square = product, case {i}");
            FpKernels.MulBy014(&r, &a, &c0, &c1, &c4, FpKernels.Constants);
            Assert.That(r, Is.EqualTo(a.MulBy014Managed(c0, c1, c4)), $"sparse product, case {i}");
            // The sparse product is the full product with the line c0 + c1·v + c4·v·w.
            Fp12 line = new(new Fp6(c0, c1, Fp2.Zero), new Fp6(Fp2.Zero, c4, Fp2.Zero));
            Assert.That(r, Is.EqualTo(Fp12.MultiplyManaged(a, line)), $"sparse product = full product, case {i}");

            Fp6 alias6 = a6;
            FpKernels.Fp6Multiply(&alias6, &alias6, &b6, FpKernels.Constants);
            Assert.That(alias6, Is.EqualTo(Fp6.MultiplyManaged(a6, b6)));
            Fp12 alias = a;
            FpKernels.Fp12Multiply(&alias, &b, &alias, FpKernels.Constants);
            Assert.That(alias, Is.EqualTo(Fp12.MultiplyManaged(b, a)));
            alias = a;
            FpKernels.Fp12Square(&alias, &alias, FpKernels.Constants);
            Assert.That(alias, Is.EqualTo(a.SquareManaged()));
            alias = a;
            FpKernels.MulBy014(&alias, &alias, &c0, &c1, &c4, FpKernels.Constants);
            Assert.That(alias, Is.EqualTo(a.MulBy014Managed(c0, c1, c4)));
        }
    }

    [Test]
    public void G2DoubleAndAdd_EqualTheManagedFormulas_OnAnyCoordinates_AndAllowAliasing()
    {
        RequireKernel();
        Assert.That(FpKernels.G2Double != null && FpKernels.G2Add != null, Is.True, FpKernels.Status);
        var rng = new Random(386);
        Fp2 RandomFp2() => new(FromInteger(Random(rng)), FromInteger(Random(rng)));
        Fp2 b3 = Engine.Pairing.Bls12381.B3G2;
        for (int i = 0; i < 200; i++)
        {
            // Random coordinates (not on the curve: the formulas are polynomials), the identity, and a point with itself.
            var p = new Projective<Fp2>(RandomFp2(), RandomFp2(), RandomFp2());
            var q = i % 10 == 0 ? Projective<Fp2>.Identity : i % 10 == 1 ? p : new Projective<Fp2>(RandomFp2(), RandomFp2(), RandomFp2());
            Fp2 b = i % 2 == 0 ? b3 : RandomFp2();
            Projective<Fp2> r;
            FpKernels.G2Double(&r, &p, &b, FpKernels.Constants);
            AssertSame(r, p.DoubleManaged(b), $"double, case {i}");
            FpKernels.G2Add(&r, &p, &q, &b, FpKernels.Constants);
            AssertSame(r, Projective<Fp2>.AddManaged(p, q, b), $"add, case {i}");
            Projective<Fp2> alias = p;
            FpKernels.G2Double(&alias, &alias, &b, FpKernels.Constants);
            AssertSame(alias, p.DoubleManaged(b), $"double in place, case {i}");
            alias = q;
            FpKernels.G2Add(&alias, &p, &alias, &b, FpKernels.Constants);
            AssertSame(alias, Projective<Fp2>.AddManaged(p, q, b), $"add in place, case {i}");
        }
    }

    private static void AssertSame(in Projective<Fp2> actual, in Projective<Fp2> expected, string message)
    {
        Assert.That((actual.X, actual.Y, actual.Z), Is.EqualTo((expected.X, expected.Y, expected.Z)), message);
    }

    [Test]
    public void FixedExponentPow_EqualsBigIntegerModPow_ForRandomAndEdgeExponents()
    {
        RequireKernel();
        Assert.That(FpKernels.PowKernel != null, Is.True, FpKernels.Status);
        var rng = new Random(387);
        var exponents = new List<ulong[]> { new ulong[] { 1 }, new ulong[] { 2 }, new ulong[] { 0, 1 }, new ulong[] { 0x1f }, new ulong[] { 0x20 } };
        for (int i = 0; i < 40; i++)
        {
            var e = new ulong[1 + rng.Next(6)];
            for (int j = 0; j < e.Length; j++) e[j] = (ulong)rng.NextInt64() ^ ((ulong)rng.Next() << 33);
            if (i % 4 == 0) e[0] &= ~0xffffUL;                                   // trailing zeros
            if (i % 5 == 0) e[^1] |= 1UL << 63;
            exponents.Add(e);
        }
        foreach (ulong[] e in exponents)
        {
            var schedule = new FpKernels.PowSchedule(e);
            BigInteger exponent = new(System.Runtime.InteropServices.MemoryMarshal.AsBytes(e.AsSpan()), isUnsigned: true);
            foreach (BigInteger a in new[] { BigInteger.Zero, BigInteger.One, P - 1, Random(rng) })
            {
                Fp x = FromInteger(a);
                Assert.That(ToInteger(FpKernels.Pow(x, schedule)), Is.EqualTo(BigInteger.ModPow(a, exponent, P)), $"a = {a}, e = {exponent}");
            }
        }
    }

    private static BigInteger Random(Random rng)
    {
        byte[] b = new byte[48];
        rng.NextBytes(b);
        return new BigInteger(b, isUnsigned: true) % P;
    }

    [Test]
    public void Product_AllowsTheOutputToAliasAnInput()
    {
        RequireKernel();
        Fp a = FromInteger(123456789), b = FromInteger(P - 5);
        Fp expected = Fp.MultiplyManaged(a, b);
        FpKernels.Multiply(&a, &a, &b, FpKernels.Constants);
        Assert.That(a, Is.EqualTo(expected));
    }

    [Test]
    public void ExecutableMemory_IsNeverWritableAndExecutable()
    {
        RequireKernel();
        Assert.That(ExecutableMemory.ProtectionOf((nint)FpKernels.Multiply), Is.EqualTo("r-xp"));
        string? during = null;
        Assert.That(ExecutableMemory.TryCreate(64, (_, buffer) =>
        {
            fixed (byte* p = buffer) during = ExecutableMemory.ProtectionOf((nint)p);
            buffer[0] = 0xc3;                                                     // ret
            return 1;
        }, out nint address, out string reason), Is.True, reason);
        Assert.That(during, Is.EqualTo("rw-p"), "while being filled");
        Assert.That(ExecutableMemory.ProtectionOf(address), Is.EqualTo("r-xp"), "once sealed");
        ((delegate* unmanaged<void>)address)();                                    // and it runs
    }

    [Test]
    public void ARefusedMprotect_FailsCleanly()
    {
        if (!OperatingSystem.IsLinux()) Assert.Ignore("Linux only");
        ExecutableMemory.SimulateProtectFailure = true;
        try
        {
            Assert.That(ExecutableMemory.TryCreate(64, (_, buffer) => { buffer[0] = 0xc3; return 1; }, out nint address, out string reason), Is.False);
            Assert.That(address, Is.EqualTo((nint)0));
            Assert.That(reason, Does.Contain("mprotect"));
        }
        finally
        {
            ExecutableMemory.SimulateProtectFailure = false;
        }
    }

    [Test]
    public void TryInstall_RunsTheSelfTestOnTheBlock_AndReportsEachFailure()
    {
        if (!OperatingSystem.IsLinux() || System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture != System.Runtime.InteropServices.Architecture.X64)
            Assert.Ignore("Linux x64 only");
        byte[] Return(ulong rip) => [0xb8, 42, 0, 0, 0, 0xc3];              // mov eax, 42; ret
        nint tested = 0;
        Assert.That(ExecutableMemory.TryInstall(Return, block => { tested = block; return ((delegate* unmanaged<int>)block)() == 42; },
                                                "unused", out nint address, out int size, out string failure), Is.True, failure);
        Assert.That(address, Is.Not.EqualTo((nint)0));
        Assert.That((size, tested), Is.EqualTo((6, address)), "the self-test ran on the installed block");
        Assert.That(ExecutableMemory.ProtectionOf(address), Is.EqualTo("r-xp"));

        Assert.That(ExecutableMemory.TryInstall(Return, _ => false, "the self-test said no", out address, out _, out failure), Is.False);
        Assert.That((address, failure), Is.EqualTo(((nint)0, "the self-test said no")));
        Assert.That(ExecutableMemory.TryInstall(_ => throw new InvalidOperationException("no such instruction"), _ => true, "unused",
                                                out address, out _, out failure), Is.False);
        Assert.That(failure, Is.EqualTo("assembler: no such instruction"));
        ExecutableMemory.SimulateProtectFailure = true;
        try
        {
            Assert.That(ExecutableMemory.TryInstall(Return, _ => true, "unused", out address, out _, out failure), Is.False);
            Assert.That((address, failure.Contains("mprotect")), Is.EqualTo(((nint)0, true)));
        }
        finally
        {
            ExecutableMemory.SimulateProtectFailure = false;
        }
    }

    [Test]
    public void ACapableCpu_GetsTheKernels()
    {
        // A silent fallback would only show as slowness: fail instead, unless ENGINE_NATIVE=0 or the CPU cannot.
        if (!NativeKernels.Allowed || !CpuFeatures.Adx || !CpuFeatures.Bmi2 || !OperatingSystem.IsLinux()) Assert.Ignore($"not expected here: {FpKernels.Status}");
        Assert.That(FpKernels.Multiply != null && FpKernels.Add != null && FpKernels.Subtract != null && FpKernels.Fp2Multiply != null && FpKernels.Fp2Square != null,
                    Is.True, FpKernels.Status);
    }

    [Test]
    public void TheKernelsState_IsReported()
    {
        Assert.That(FpKernels.Status, Is.Not.Empty);                              // initialises the kernels
        Assert.That(NativeKernels.Describe().Any(l => l.StartsWith("bls12-381 fp multiply, add, subtract, fp2 multiply, square, fp6 multiply, fp12 multiply, square, cyclotomic square, sparse line product, g2 double, add, fp pow:")), Is.True);
        if (!NativeKernels.Allowed) Assert.That(FpKernels.Multiply == null, Is.True, "ENGINE_NATIVE=0 keeps the managed product");
    }
}
