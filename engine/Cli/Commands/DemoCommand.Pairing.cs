using System.Security.Cryptography;
using Engine.Pairing.Fields;
using Engine.Pairing.Groups;
using Engine.Pairing.HashToCurve;
using Engine.Pairing.Pairings;

namespace Engine.Cli.Commands;

internal static partial class DemoCommand
{
    private static readonly byte[] BlsDst = "BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_"u8.ToArray();

    /// <summary>
    /// A BLS signature round (min-pk: keys in G1, signatures in G2) and the pairing identities it rests on, each
    /// checked and timed.
    /// </summary>
    private static void PairingRows(Action<string, bool, OpTiming, string> row, int reps)
    {
        int n = Math.Max(2, reps / 4);
        Span<byte> seed = stackalloc byte[32];
        RandomNumberGenerator.Fill(seed);
        Fr sk = HashToGroup.HashToScalar(seed, "ENGINE-V1/demo/keygen"u8);
        seed.Clear();
        byte[] message = "engine demo message"u8.ToArray();

        G1Affine pk = default;
        OpTiming tKey = Time(n, () => pk = G1Projective.Generator.Multiply(sk).ToAffine());
        bool keyOk = pk == G1Projective.Generator.MultiplyVarTime(sk).ToAffine();
        row("BLS key: [sk]G1 (CT, GLV)", keyOk, tKey, "equals the variable-time wNAF path");

        G2Projective h = default;
        OpTiming tHash = Time(n, () => h = HashToGroup.HashToG2(message, BlsDst));
        row("hash to G2 (RFC 9380 RO)", h.IsTorsionFree, tHash, "result in G2");

        G2Affine sig = default;
        OpTiming tSign = Time(n, () => sig = h.Multiply(sk).ToAffine());
        row("BLS sign: [sk]H(m) (CT, ψ split)", sig.IsTorsionFree, tSign, "signature in G2");

        G1Affine minusG1 = G1Affine.Generator.Negate();
        G2Affine hAffine = h.ToAffine();
        bool verified = false;
        OpTiming tVerify = Time(n, () => verified = OptimalAte.Check([minusG1, pk], [sig, hAffine]));
        bool forgedRejected = !OptimalAte.Check([minusG1, pk], [sig, G2Affine.Generator]);
        row("BLS verify: e(−G1, σ)·e(pk, H(m)) = 1", verified && forgedRejected, tVerify, "a wrong message is rejected");

        Fr a = HashToGroup.HashToScalar("a"u8, "ENGINE-V1/demo"u8), b = HashToGroup.HashToScalar("b"u8, "ENGINE-V1/demo"u8);
        Gt e = default;
        OpTiming tPair = Time(n, () => e = OptimalAte.Pair(G1Affine.Generator, G2Affine.Generator));
        bool bilinear = OptimalAte.Pair(G1Projective.Generator.Multiply(a).ToAffine(), G2Projective.Generator.Multiply(b).ToAffine()) == e.Pow(a * b);
        row("pairing e(G1, G2)", bilinear, tPair, "e(aG1, bG2) = e(G1, G2)^(ab)");
    }
}
