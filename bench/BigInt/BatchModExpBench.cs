using BenchmarkDotNet.Attributes;
using Engine.Bench.Configs;
using Engine.BigInt;
using Engine.Interop.Reference;

namespace Engine.Bench.BigInt;

/// <summary>Batched constant-time modexp (2048/256) on each ISA tier, against OpenSSL's single consttime call
/// repeated for the same number of items.</summary>
[Config(typeof(IsaTiersConfig))]
public class BatchModExpBench
{
    private MontgomeryContext _ctx = null!;
    private ulong[] _bases = null!, _exps = null!, _results = null!;
    private OpenSslModulus _om = null!;
    private OpenSslBigNum _ob = null!, _oe = null!, _or = null!;

    [Params(16, 256)] public int Count;

    [GlobalSetup]
    public void Setup()
    {
        SchnorrGroup g = SchnorrGroups.Modp2048Q256;
        _ctx = g.P;
        int n = _ctx.LimbCount;
        _bases = new ulong[Count * n]; _exps = new ulong[Count * 4]; _results = new ulong[Count * n];
        for (int k = 0; k < Count; k++) { g.Generator.CopyTo(_bases.AsSpan(k * n, n)); g.RandomScalar(_exps.AsSpan(k * 4, 4)); }
        var mod = new byte[256];
        BigEndian.TryFromLimbs(_ctx.Modulus, mod);
        _om = new OpenSslModulus(mod);
        var b = new byte[256];
        BigEndian.TryFromLimbs(g.Generator, b);
        var e = new byte[32];
        BigEndian.TryFromLimbs(_exps.AsSpan(0, 4), e);
        (_ob, _oe, _or) = (OpenSslBigNum.FromBigEndian(b), OpenSslBigNum.FromBigEndian(e), new OpenSslBigNum());
    }

    [Benchmark(Baseline = true)]
    public void OpenSsl_ModExpConstTime_Repeated()
    {
        for (int k = 0; k < Count; k++) _om.ModExpConstTime(_or, _ob, _oe);
    }

    [Benchmark] public void Engine_BatchModExp() => BatchModExp.Pow(_ctx, _bases, _exps, 4, 256, _results);
}
