using Engine.Pairing.Fields;
using Engine.Pairing.Groups;
using Engine.Pairing.HashToCurve;
using Engine.Pairing.Pairings;

namespace Engine.Tests.Pairing;

/// <summary>
/// The EIP-2537 precompile semantics, written in the tests on top of the engine's public API
/// (<see cref="Eip2537Encoding"/>), so that go-ethereum's vector files can drive the engine.
/// </summary>
internal static class Eip2537Precompiles
{
    public static EngineStatus Run(string precompile, byte[] input, out byte[] output)
    {
        output = [];
        switch (precompile)
        {
            case "G1Add":
            {
                if (input.Length != 256) return EngineStatus.BadLength;
                G1Affine b = default;
                EngineStatus s = Eip2537Encoding.DecodeG1(input.AsSpan(0, 128), checkSubgroup: false, out G1Affine a);
                if (s == EngineStatus.Ok) s = Eip2537Encoding.DecodeG1(input.AsSpan(128), checkSubgroup: false, out b);
                if (s != EngineStatus.Ok) return s;
                output = new byte[128];
                Eip2537Encoding.EncodeG1((a.ToProjective() + b).ToAffine(), output);
                return EngineStatus.Ok;
            }
            case "G2Add":
            {
                if (input.Length != 512) return EngineStatus.BadLength;
                G2Affine b = default;
                EngineStatus s = Eip2537Encoding.DecodeG2(input.AsSpan(0, 256), false, out G2Affine a);
                if (s == EngineStatus.Ok) s = Eip2537Encoding.DecodeG2(input.AsSpan(256), false, out b);
                if (s != EngineStatus.Ok) return s;
                output = new byte[256];
                Eip2537Encoding.EncodeG2((a.ToProjective() + b.ToProjective()).ToAffine(), output);
                return EngineStatus.Ok;
            }
            case "G1Mul":
            case "G1MultiExp":
            {
                if (input.Length == 0 || input.Length % 160 != 0) return EngineStatus.BadLength;
                int n = input.Length / 160;
                var points = new G1Affine[n];
                var scalars = new Fr[n];
                for (int i = 0; i < n; i++)
                {
                    EngineStatus s = Eip2537Encoding.DecodeG1(input.AsSpan(160 * i, 128), checkSubgroup: true, out points[i]);
                    if (s != EngineStatus.Ok) return s;
                    scalars[i] = Fr.FromBigEndianReduced(input.AsSpan(160 * i + 128, 32));
                }
                output = new byte[128];
                Eip2537Encoding.EncodeG1(G1Projective.MsmVarTime(points, scalars).ToAffine(), output);
                return EngineStatus.Ok;
            }
            case "G2Mul":
            case "G2MultiExp":
            {
                if (input.Length == 0 || input.Length % 288 != 0) return EngineStatus.BadLength;
                int n = input.Length / 288;
                var points = new G2Affine[n];
                var scalars = new Fr[n];
                for (int i = 0; i < n; i++)
                {
                    EngineStatus s = Eip2537Encoding.DecodeG2(input.AsSpan(288 * i, 256), checkSubgroup: true, out points[i]);
                    if (s != EngineStatus.Ok) return s;
                    scalars[i] = Fr.FromBigEndianReduced(input.AsSpan(288 * i + 256, 32));
                }
                output = new byte[256];
                Eip2537Encoding.EncodeG2(G2Projective.MsmVarTime(points, scalars).ToAffine(), output);
                return EngineStatus.Ok;
            }
            case "Pairing":
            {
                if (input.Length == 0 || input.Length % 384 != 0) return EngineStatus.BadLength;
                int n = input.Length / 384;
                var g1 = new G1Affine[n];
                var g2 = new G2Affine[n];
                for (int i = 0; i < n; i++)
                {
                    EngineStatus s = Eip2537Encoding.DecodeG1(input.AsSpan(384 * i, 128), true, out g1[i]);
                    if (s == EngineStatus.Ok) s = Eip2537Encoding.DecodeG2(input.AsSpan(384 * i + 128, 256), true, out g2[i]);
                    if (s != EngineStatus.Ok) return s;
                }
                output = new byte[32];
                output[31] = OptimalAte.Check(g1, g2) ? (byte)1 : (byte)0;
                return EngineStatus.Ok;
            }
            case "MapG1":
            {
                if (input.Length != 64) return EngineStatus.BadLength;
                EngineStatus s = Eip2537Encoding.DecodeFp(input, out Fp u);
                if (s != EngineStatus.Ok) return s;
                output = new byte[128];
                Eip2537Encoding.EncodeG1(HashToGroup.MapToG1(u).ToAffine(), output);
                return EngineStatus.Ok;
            }
            case "MapG2":
            {
                if (input.Length != 128) return EngineStatus.BadLength;
                EngineStatus s = Eip2537Encoding.DecodeFp2(input, out Fp2 u);
                if (s != EngineStatus.Ok) return s;
                output = new byte[256];
                Eip2537Encoding.EncodeG2(HashToGroup.MapToG2(u).ToAffine(), output);
                return EngineStatus.Ok;
            }
            default:
                throw new ArgumentException("Unknown precompile " + precompile);
        }
    }

    /// <summary>go-ethereum's error text → the engine's status.</summary>
    public static EngineStatus StatusFor(string expectedError) => expectedError switch
    {
        "invalid input length" => EngineStatus.BadLength,
        "invalid field element top bytes" => EngineStatus.NotCanonical,
        "invalid fp.Element encoding" => EngineStatus.NotCanonical,
        "invalid point: not on curve" => EngineStatus.NotOnCurve,
        "g1 point is not on correct subgroup" or "g2 point is not on correct subgroup" => EngineStatus.NotInSubgroup,
        _ => throw new ArgumentException("Unmapped error text: " + expectedError),
    };
}
