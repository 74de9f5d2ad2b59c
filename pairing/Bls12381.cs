using Engine.Pairing.Fields;

namespace Engine.Pairing;

/// <summary>
/// The BLS12-381 curve (Bowe, "BLS12-381: New zk-SNARK Elliptic Curve Construction", 2017; the parameters as in
/// draft-irtf-cfrg-pairing-friendly-curves §4.2.1): E: y² = x³ + 4 over F_p and its sextic M-twist
/// E': y² = x³ + 4(1 + u) over F_p², both of prime order r on the subgroups G1 and G2.
/// </summary>
public static class Bls12381
{
    /// <summary>p, the base-field modulus, big-endian hex.</summary>
    public const string ModulusHex = "1a0111ea397fe69a4b1ba7b6434bacd764774b84f38512bf6730d2a0f6b0f6241eabfffeb153ffffb9feffffffffaaab";

    /// <summary>r, the prime order of G1, G2 and Gt, big-endian hex.</summary>
    public const string OrderHex = "73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001";

    /// <summary>|x| for the curve parameter x = −0xd201000000010000 (p = (x − 1)²(x⁴ − x² + 1)/3 + x, r = x⁴ − x² + 1).</summary>
    public const ulong AbsX = 0xd201_0000_0001_0000;

    /// <summary>x is negative.</summary>
    public const bool XIsNegative = true;

    /// <summary>b = 4 in E: y² = x³ + b.</summary>
    internal static Fp B => Fp.FromUInt64(4);

    /// <summary>3b = 12, the constant of the Renes–Costello–Batina formulas for G1.</summary>
    internal static readonly Fp B3G1 = Fp.FromUInt64(12);

    /// <summary>b' = 4(1 + u) for the twist E'.</summary>
    internal static readonly Fp2 BG2 = new(Fp.FromUInt64(4), Fp.FromUInt64(4));

    /// <summary>3b' = 12(1 + u).</summary>
    internal static readonly Fp2 B3G2 = new(Fp.FromUInt64(12), Fp.FromUInt64(12));

    /// <summary>G1 generator x (the standard generator; zcash-serialization vector 1 encodes it).</summary>
    internal const string G1XHex = "17f1d3a73197d7942695638c4fa9ac0fc3688c4f9774b905a14e3a3f171bac586c55e83ff97a1aeffb3af00adb22c6bb";

    /// <summary>G1 generator y.</summary>
    internal const string G1YHex = "08b3f481e3aaa0f1a09e30ed741d8ae4fcf5e095d5d00af600db18cb2c04b3edd03cc744a2888ae40caa232946c5e7e1";

    /// <summary>G2 generator x = x0 + x1·u.</summary>
    internal const string G2X0Hex = "024aa2b2f08f0a91260805272dc51051c6e47ad4fa403b02b4510b647ae3d1770bac0326a805bbefd48056c8c121bdb8";
    internal const string G2X1Hex = "13e02b6052719f607dacd3a088274f65596bd0d09920b61ab5da61bbdc7f5049334cf11213945d57e5ac7d055d042b7e";

    /// <summary>G2 generator y = y0 + y1·u.</summary>
    internal const string G2Y0Hex = "0ce5d527727d6e118cc9cdc6da2e351aadfd9baa8cbdd3a76d429a695160d12c923ac9cc3baca289e193548608b82801";
    internal const string G2Y1Hex = "0606c4a02ea734cc32acd2b02bc28b99cb3e287e85a763af267492ab572e99ab3f370d275cec1da1aaa9075ff05f79be";

    /// <summary>Parses a public 48-byte hex constant (type initialisation only).</summary>
    internal static Fp FpFromHex(string hex)
    {
        Span<byte> bytes = stackalloc byte[Fp.SizeInBytes];
        hex = hex.StartsWith("0x", StringComparison.Ordinal) ? hex[2..] : hex;
        Convert.FromHexString(hex.PadLeft(2 * Fp.SizeInBytes, '0'), bytes, out _, out _);
        if (Fp.Decode(bytes, out Fp value) != Engine.EngineStatus.Ok) throw new InvalidOperationException("Bad constant " + hex);
        return value;
    }
}
