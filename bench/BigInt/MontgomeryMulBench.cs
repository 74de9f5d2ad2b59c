using System.Numerics;
using BenchmarkDotNet.Attributes;
using Engine.BigInt;

namespace Engine.Bench.BigInt;

/// <summary>One Montgomery multiplication and square against BigInteger's multiply-and-remainder.</summary>
[MemoryDiagnoser]
public class MontgomeryMulBench
{
    private MontgomeryContext _ctx = null!;
    private ulong[] _a = null!, _b = null!, _r = null!;
    private BigInteger _ba, _bb, _bm;

    [Params(256, 2048, 4096)] public int Bits;

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(Bits);
        int n = Bits / 64;
        var m = new ulong[n];
        for (int i = 0; i < n; i++) m[i] = (ulong)rng.NextInt64();
        m[^1] |= 1UL << 63; m[0] |= 1;
        _ctx = new MontgomeryContext(m);
        _a = new ulong[n]; _b = new ulong[n]; _r = new ulong[n];
        for (int i = 0; i < n - 1; i++) { _a[i] = (ulong)rng.NextInt64(); _b[i] = (ulong)rng.NextInt64(); }
        var bytes = new byte[n * 8];
        rng.NextBytes(bytes); _ba = new BigInteger(bytes, true);
        rng.NextBytes(bytes); _bb = new BigInteger(bytes, true);
        var mb = new byte[n * 8];
        for (int i = 0; i < n; i++) BitConverter.TryWriteBytes(mb.AsSpan(i * 8), m[i]);
        _bm = new BigInteger(mb, true);
    }

    [Benchmark(Baseline = true)] public BigInteger BigInteger_MulMod() => _ba * _bb % _bm;
    [Benchmark] public void Engine_MontgomeryMultiply() => _ctx.Multiply(_a, _b, _r);
    [Benchmark] public void Engine_MontgomerySquare() => _ctx.Square(_a, _r);
}
