using System.Runtime.CompilerServices;

namespace Engine.Pairing.Fields;

/// <summary>
/// Exponentiation by a public exponent, shared by F_p and F_p² (inversion, square roots, Legendre symbols,
/// Frobenius constants). Left-to-right sliding windows of up to 5 bits over a table of odd powers: about
/// bits/6 multiplications instead of bits/2. The exponents used here are fixed public constants, so the sequence of
/// operations is the same for every base: constant time in the base.
/// </summary>
internal static class Exponentiation
{
    private const int Window = 5;

    [SkipLocalsInit]
    public static F PowVarTime<F>(in F value, ReadOnlySpan<ulong> exponent) where F : unmanaged, IField<F>
    {
        Span<F> odd = stackalloc F[1 << (Window - 1)];       // value^1, value^3, …, value^31
        odd[0] = value;
        F square = value.Square();
        for (int i = 1; i < odd.Length; i++) odd[i] = odd[i - 1] * square;

        F result = F.One;
        int bit = exponent.Length * 64 - 1;
        while (bit >= 0 && Bit(exponent, bit) == 0) bit--;
        while (bit >= 0)
        {
            if (Bit(exponent, bit) == 0)
            {
                result = result.Square();
                bit--;
                continue;
            }
            // Longest window [bit … low] of at most Window bits that ends in a 1.
            int low = Math.Max(bit - Window + 1, 0);
            while (Bit(exponent, low) == 0) low++;
            int digit = 0;
            for (int i = bit; i >= low; i--)
            {
                result = result.Square();
                digit = (digit << 1) | (int)Bit(exponent, i);
            }
            result *= odd[digit >> 1];
            bit = low - 1;
        }
        return result;
    }

    private static ulong Bit(ReadOnlySpan<ulong> e, int i) => (e[i >> 6] >> (i & 63)) & 1;
}
