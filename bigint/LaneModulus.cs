namespace Engine.BigInt;

/// <summary>
/// One modulus in the multi-lane representation: D digits of B bits (B ≤ 29) in 64-bit lanes, so that a
/// Montgomery product can add up to 2D digit products without propagating carries. The digit width is the
/// largest B with 2D·2^(2B) + 2^(64−B) &lt; 2^64 (the worst sum one 64-bit lane accumulates); R = 2^(B·D) &gt; 4m, so
/// values stay in [0, 2m) with no final subtraction inside an exponentiation (Walter 1999). The IFMA lanes take
/// 52-bit digits instead (<see cref="Native.IfmaLaneKernels"/>: the multiplier's width, its own overflow argument).
/// </summary>
internal sealed class LaneModulus
{
    /// <summary>The widest B-bit digits (B ≤ 29) whose 32×32-bit lane products cannot overflow.</summary>
    public LaneModulus(MontgomeryContext ctx) : this(ctx, WidestDigits(ctx.BitLength)) { }

    /// <summary>Digits of exactly <paramref name="digitBits"/> bits.</summary>
    public LaneModulus(MontgomeryContext ctx, int digitBits)
    {
        int bits = ctx.BitLength;
        DigitBits = digitBits;
        Digits = Math.Max(2, (bits + 2 + digitBits - 1) / digitBits);   // the kernel wants two digits at least
        DigitMask = (1UL << digitBits) - 1;

        Modulus = new ulong[Digits];
        ToDigits(ctx.Modulus, Modulus, digitBits);
        ulong m0 = Modulus[0], inv = m0;
        for (int i = 0; i < 5; i++) inv *= 2 - m0 * inv;              // m0⁻¹ mod 2^64, as in MontgomeryContext
        MInv = (0 - inv) & DigitMask;

        // R mod m and R² mod m for R = 2^(B·D), by modular doubling on 64-bit limbs (set-up only, public).
        int n = ctx.LimbCount;
        var x = new ulong[n];
        x[0] = 1;
        var one = new ulong[n];
        for (int i = 0; i < 2 * DigitBits * Digits; i++)
        {
            if (i == DigitBits * Digits) x.CopyTo(one, 0);
            ulong top = Limbs.ShiftLeft(x, 1);
            if (top != 0 || Limbs.CompareVarTime(x, ctx.Modulus) >= 0) Limbs.Sub(x, x, ctx.Modulus);
        }
        One = new ulong[Digits];
        ToDigits(one, One, digitBits);
        RSquared = new ulong[Digits];
        ToDigits(x, RSquared, digitBits);
    }

    public int DigitBits { get; }
    public int Digits { get; }
    public ulong DigitMask { get; }
    /// <summary>−m⁻¹ mod 2^B.</summary>
    public ulong MInv { get; }
    public ulong[] Modulus { get; }
    /// <summary>R mod m: 1 in the lanes' Montgomery form.</summary>
    public ulong[] One { get; }
    public ulong[] RSquared { get; }

    private static int WidestDigits(int bits)
    {
        int digitBits = 29;
        while (!Fits(bits, digitBits)) digitBits--;
        return digitBits;
    }

    private static bool Fits(int bits, int digitBits)
    {
        int digits = (bits + 2 + digitBits - 1) / digitBits;
        double worst = 2.0 * digits * Math.Pow(2, 2 * digitBits) + Math.Pow(2, 64 - digitBits);
        return worst < Math.Pow(2, 64) * 0.999;
    }

    /// <summary>Splits little-endian 64-bit limbs into B-bit digits (missing bits are zero).</summary>
    public static void ToDigits(ReadOnlySpan<ulong> limbs, Span<ulong> digits, int digitBits)
    {
        for (int j = 0; j < digits.Length; j++) digits[j] = Limbs.GetBits(limbs, j * digitBits, digitBits);
    }

    /// <summary>Joins normalised B-bit digits into 64-bit limbs.</summary>
    public static void FromDigits(ReadOnlySpan<ulong> digits, Span<ulong> limbs, int digitBits)
    {
        limbs.Clear();
        for (int j = 0; j < digits.Length; j++)
        {
            int bit = j * digitBits, limb = bit >> 6, shift = bit & 63;
            if (limb < limbs.Length) limbs[limb] |= digits[j] << shift;
            if (shift + digitBits > 64 && limb + 1 < limbs.Length) limbs[limb + 1] |= digits[j] >> (64 - shift);
        }
    }
}
