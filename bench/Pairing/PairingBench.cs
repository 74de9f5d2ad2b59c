using BenchmarkDotNet.Attributes;
using Engine.Pairing.Fields;
using Engine.Pairing.Groups;
using Engine.Pairing.HashToCurve;
using Engine.Pairing.Pairings;

namespace Engine.Bench.Pairing;

/// <summary>
/// Pairing paths against the unprepared single pairing (the baseline): prepared G2, Miller loop and final
/// exponentiation alone, and n-pair products against n separate pairings. Allocated must read '-' on all rows.
/// </summary>
[MemoryDiagnoser]
public class PairingBench
{
    private G1Affine[] _g1 = null!;
    private G2Affine[] _g2 = null!;
    private G2Prepared[] _prepared = null!;
    private MillerLoopResult _ml;

    [Params(1, 8)] public int Pairs;

    [GlobalSetup]
    public void Setup()
    {
        _g1 = new G1Affine[Pairs];
        _g2 = new G2Affine[Pairs];
        for (int i = 0; i < Pairs; i++)
        {
            _g1[i] = HashToGroup.HashToG1([(byte)i], "BENCH"u8).ToAffine();
            _g2[i] = HashToGroup.HashToG2([(byte)i], "BENCH"u8).ToAffine();
        }
        _prepared = _g2.Select(q => new G2Prepared(q)).ToArray();
        _ml = MillerLoop.Run(_g1[0], _g2[0]);
    }

    [Benchmark(Baseline = true)]
    public Gt Engine_SeparatePairings()
    {
        Gt product = Gt.Identity;
        for (int i = 0; i < Pairs; i++) product *= OptimalAte.Pair(_g1[i], _g2[i]);
        return product;
    }

    [Benchmark] public Gt Engine_MultiPairing() => OptimalAte.MultiPair(_g1, _g2);
    [Benchmark] public bool Engine_CheckPrepared() => OptimalAte.Check(_g1, _prepared);
    [Benchmark] public MillerLoopResult Engine_MillerLoop() => MillerLoop.Multi(_g1, _g2);
    [Benchmark] public Gt Engine_FinalExponentiation() => _ml.FinalExponentiation();
}
