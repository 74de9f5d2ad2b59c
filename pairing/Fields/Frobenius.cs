using System.Numerics;

namespace Engine.Pairing.Fields;

/// <summary>
/// Frobenius coefficients of the tower F_p¹² = F_p²[w]/(w⁶ − ξ), ξ = 1 + u (with v = w²).
/// </summary>
/// <remarks>
/// For a coefficient c at w^k, (c·w^k)^(p^n) = conj^n(c)·w^k·γ(n, k) with γ(n, k) = ξ^(k·(p^n − 1)/6), because
/// w^(p^n) = w·(w⁶)^((p^n − 1)/6). The table is derived from that formula once, at type initialisation, instead of
/// being transcribed: a wrong digit cannot hide in it, and the pairing vectors check the result.
/// </remarks>
internal static class Frobenius
{
    /// <summary>γ(n, k) for n = 1, 2, 3 (index n − 1) and k = 0…5.</summary>
    private static readonly Fp2[] Gamma = Build();

    public static ref readonly Fp2 Coefficient(int power, int k) => ref Gamma[(power - 1) * 6 + k];

    private static Fp2[] Build()
    {
        BigInteger p = BigInteger.Parse("01a0111ea397fe69a4b1ba7b6434bacd764774b84f38512bf6730d2a0f6b0f6241eabfffeb153ffffb9feffffffffaaab",
                                        System.Globalization.NumberStyles.HexNumber);
        Fp2 xi = new(Fp.One, Fp.One);
        var table = new Fp2[18];
        for (int n = 1; n <= 3; n++)
        {
            BigInteger e = (BigInteger.Pow(p, n) - 1) / 6;
            Fp2 step = xi.PowVarTime(ToLimbs(e));
            Fp2 acc = Fp2.One;
            for (int k = 0; k < 6; k++)
            {
                table[(n - 1) * 6 + k] = acc;
                acc *= step;
            }
        }
        return table;
    }

    internal static ulong[] ToLimbs(BigInteger value)
    {
        byte[] bytes = value.ToByteArray(isUnsigned: true, isBigEndian: false);
        var limbs = new ulong[(bytes.Length + 7) / 8];
        for (int i = 0; i < bytes.Length; i++) limbs[i / 8] |= (ulong)bytes[i] << (8 * (i % 8));
        return limbs;
    }
}
