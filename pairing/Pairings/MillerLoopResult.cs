using Engine.Pairing.Fields;

namespace Engine.Pairing.Pairings;

/// <summary>
/// The output of a Miller loop, before the final exponentiation. Products of results are products of pairings
/// once exponentiated, so several loops can share one final exponentiation.
/// </summary>
public readonly struct MillerLoopResult
{
    internal readonly Fp12 Value;

    internal MillerLoopResult(in Fp12 value) { Value = value; }

    /// <summary>Product of two loop results.</summary>
    public static MillerLoopResult operator *(in MillerLoopResult a, in MillerLoopResult b) => new(a.Value * b.Value);

    /// <summary>The final exponentiation: the pairing value in Gt.</summary>
    public Gt FinalExponentiation() => new(Pairings.FinalExponentiation.Run(Value));
}
