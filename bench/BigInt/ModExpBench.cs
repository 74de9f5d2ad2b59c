using System.Numerics;
using BenchmarkDotNet.Attributes;
using Engine.BigInt;
using Engine.Interop.Reference;

namespace Engine.Bench.BigInt;

/// <summary>Single modular exponentiation: BigInteger.ModPow is the baseline; OpenSSL and GMP beside the engine.</summary>
[MemoryDiagnoser]
public class ModExpBench
{
    private MontgomeryContext _ctx = null!;
    private byte[] _base = null!, _exp = null!, _dest = null!, _mod = null!;
    private BigInteger _b, _e, _m;
    private OpenSslModulus _om = null!;
    private OpenSslBigNum _ob = null!, _oe = null!, _or = null!;
    private GmpInteger _gb = null!, _ge = null!, _gm = null!, _gr = null!;

    [Params(256, 2048, 3072)] public int Bits;

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(Bits);
        _mod = new byte[Bits / 8];
        rng.NextBytes(_mod);
        _mod[0] |= 0x80; _mod[^1] |= 1;
        _ctx = MontgomeryContext.FromBigEndian(_mod);
        _base = new byte[Bits / 8]; rng.NextBytes(_base); _base[0] &= 0x7f;
        _exp = new byte[32]; rng.NextBytes(_exp);
        _dest = new byte[_ctx.ByteLength];
        (_b, _e, _m) = (new BigInteger(_base, true, true), new BigInteger(_exp, true, true), new BigInteger(_mod, true, true));
        _om = new OpenSslModulus(_mod);
        (_ob, _oe, _or) = (OpenSslBigNum.FromBigEndian(_base), OpenSslBigNum.FromBigEndian(_exp), new OpenSslBigNum());
        (_gb, _ge, _gm, _gr) = (GmpInteger.FromBigEndian(_base), GmpInteger.FromBigEndian(_exp), GmpInteger.FromBigEndian(_mod), new GmpInteger());
    }

    [Benchmark(Baseline = true)] public BigInteger BigInteger_ModPow() => BigInteger.ModPow(_b, _e, _m);
    [Benchmark] public void Engine_PowConstantTime() => ModExp.Pow(_ctx, _base, _exp, _dest);
    [Benchmark] public void Engine_PowVarTime() => ModExp.PowVarTime(_ctx, _base, _exp, _dest);
    [Benchmark] public void OpenSsl_ModExpConstTime() => _om.ModExpConstTime(_or, _ob, _oe);
    [Benchmark] public void Gmp_PowModSec() => Gmp.PowModSec(_gr, _gb, _ge, _gm);
}
