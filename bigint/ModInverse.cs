using System.Runtime.CompilerServices;

namespace Engine.BigInt;

/// <summary>Modular inverses: constant time for prime moduli (Fermat), variable time for any odd modulus.</summary>
public static class ModInverse
{
    /// <summary>
    /// resultMont = aMont⁻¹ for a <b>prime</b> modulus p, by Fermat's little theorem a^(p−2). The exponent p − 2
    /// is public, so the variable-time exponentiation leaks nothing about a (zkcrypto's <c>invert</c> argues the
    /// same). Zero maps to zero; a composite modulus gives a meaningless result.
    /// </summary>
    /// <remarks>Constant time in a.</remarks>
    [SkipLocalsInit]
    public static void InvertPrime(MontgomeryContext ctx, ReadOnlySpan<ulong> aMont, Span<ulong> resultMont)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        Span<ulong> e = stackalloc ulong[ctx.LimbCount];
        ctx.Modulus.CopyTo(e);
        Limbs.SubWord(e, 2);
        ctx.PowVarTime(aMont, e, resultMont);
    }

    /// <summary>
    /// result = a⁻¹ mod m (normal form) for an odd modulus m &gt; 1 and a &lt; m, by the binary extended Euclidean
    /// algorithm. Returns false when gcd(a, m) ≠ 1.
    /// </summary>
    /// <remarks>Variable time: public values only.</remarks>
    /// <exception cref="ArgumentException">The modulus is even or ≤ 1, or the spans differ in length.</exception>
    public static bool TryInvertVarTime(ReadOnlySpan<ulong> a, ReadOnlySpan<ulong> modulus, Span<ulong> result)
    {
        int n = modulus.Length;
        if (a.Length != n || result.Length != n) throw new ArgumentException("a, modulus and result must have the same length.");
        if ((modulus.IsEmpty || (modulus[0] & 1) == 0) || Limbs.CompareVarTime(modulus, [1UL]) <= 0)
            throw new ArgumentException("The modulus must be odd and greater than 1.", nameof(modulus));

        // Invariants: x1·a ≡ u (mod m), x2·a ≡ v (mod m); halve whichever of u, v is even, subtract the smaller.
        ulong[] u = a.ToArray(), v = modulus.ToArray(), x1 = new ulong[n], x2 = new ulong[n];
        x1[0] = 1;
        if (Limbs.IsZeroVarTime(u)) return false;
        while (!IsOne(u) && !IsOne(v))
        {
            while ((u[0] & 1) == 0) { Limbs.ShiftRight(u, 1); HalveMod(x1, modulus); }
            while ((v[0] & 1) == 0) { Limbs.ShiftRight(v, 1); HalveMod(x2, modulus); }
            if (Limbs.CompareVarTime(u, v) >= 0) { Limbs.Sub(u, u, v); SubMod(x1, x2, modulus); }
            else { Limbs.Sub(v, v, u); SubMod(x2, x1, modulus); }
            if (Limbs.IsZeroVarTime(u) || Limbs.IsZeroVarTime(v)) return false;   // gcd > 1
        }
        (IsOne(u) ? x1 : x2).CopyTo(result);
        return true;
    }

    private static bool IsOne(ReadOnlySpan<ulong> x) => x[0] == 1 && x[1..].IndexOfAnyExcept(0UL) < 0;

    // x = x / 2 mod m (m odd): add m when x is odd, then shift, keeping the carry.
    private static void HalveMod(Span<ulong> x, ReadOnlySpan<ulong> m)
    {
        ulong carry = (x[0] & 1) != 0 ? Limbs.Add(x, x, m) : 0;
        Limbs.ShiftRight(x, 1);
        x[^1] |= carry << 63;
    }

    private static void SubMod(Span<ulong> x, ReadOnlySpan<ulong> y, ReadOnlySpan<ulong> m)
    {
        if (Limbs.Sub(x, x, y) != 0) Limbs.Add(x, x, m);
    }
}
