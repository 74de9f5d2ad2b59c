using System.Numerics;
using BenchmarkDotNet.Attributes;
using Engine.Pairing.Fields;
using Engine.Pairing.Groups;

namespace Engine.Bench.Pairing;

/// <summary>
/// The base-field product against BigInteger's multiply-and-remainder (the in-process reference), and the G1 and
/// G2 multiplication paths against the plain fixed-window path they replace. blst and noble are compared by
/// <c>compare pairing</c>, which runs them out of process.
/// </summary>
[MemoryDiagnoser]
public class G1MulBench
{
    private Fp _a, _b;
    private BigInteger _ba, _bb, _p;
    private Fr _k;
    private G1Projective _g1;
    private G2Projective _g2;

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(381);
        byte[] bytes = new byte[48];
        _p = BigInteger.Parse("0" + Engine.Pairing.Bls12381.ModulusHex, System.Globalization.NumberStyles.HexNumber);
        rng.NextBytes(bytes); bytes[0] &= 0x0f; Fp.Decode(bytes, out _a); _ba = new BigInteger(bytes, true, true);
        rng.NextBytes(bytes); bytes[0] &= 0x0f; Fp.Decode(bytes, out _b); _bb = new BigInteger(bytes, true, true);
        byte[] k = new byte[32];
        rng.NextBytes(k); k[0] &= 0x3f;
        Fr.Decode(k, out _k);
        _g1 = G1Projective.Generator.MultiplyVarTime(_k);
        _g2 = G2Projective.Generator.MultiplyVarTime(_k);
        _ = G1FixedBase.Generator;
    }

    [Benchmark(Baseline = true)] public BigInteger BigInteger_FpMulMod() => _ba * _bb % _p;
    [Benchmark] public Fp Engine_FpMultiply() => _a * _b;
    [Benchmark] public G1Projective Engine_G1MultiplyPlainWindows() => _g1.MultiplyPlain(_k);
    [Benchmark] public G1Projective Engine_G1MultiplyGlv() => _g1.Multiply(_k);
    [Benchmark] public G1Projective Engine_G1MultiplyVarTime() => _g1.MultiplyVarTime(_k);
    [Benchmark] public G1Projective Engine_G1FixedBaseGenerator() => G1FixedBase.Generator.Multiply(_k);
    [Benchmark] public G2Projective Engine_G2MultiplyPlainWindows() => _g2.MultiplyPlain(_k);
    [Benchmark] public G2Projective Engine_G2MultiplyPsi() => _g2.Multiply(_k);
}
