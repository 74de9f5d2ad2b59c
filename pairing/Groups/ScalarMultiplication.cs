using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Runtime.InteropServices;
using Engine.BigInt;
using Engine.Pairing.Fields;

namespace Engine.Pairing.Groups;

/// <summary>Scalar multiplication on <see cref="Projective{F}"/>, shared by G1 and G2.</summary>
internal static class ScalarMultiplication
{
    private const int CtWindow = 4;

    /// <summary>
    /// [k]P for a secret k given as little-endian limbs of <paramref name="bits"/> bits: fixed 4-bit windows from the
    /// top, each window read from a 16-entry table with a masked scan (every entry touched), then one complete
    /// addition (adding the identity for a zero window is fine with complete formulas). Constant time in k and P.
    /// </summary>
    [SkipLocalsInit]
    public static Projective<F> Multiply<F>(in Projective<F> p, ReadOnlySpan<ulong> k, int bits, in F b3)
        where F : unmanaged, IField<F>
    {
        Span<Projective<F>> table = stackalloc Projective<F>[1 << CtWindow];
        table[0] = Projective<F>.Identity;
        table[1] = p;
        for (int i = 2; i < table.Length; i++)
            table[i] = (i & 1) == 0 ? table[i / 2].Double(b3) : Projective<F>.Add(table[i - 1], p, b3);

        int windows = (bits + CtWindow - 1) / CtWindow;
        Projective<F> acc = Projective<F>.Identity;
        for (int w = windows - 1; w >= 0; w--)
        {
            for (int d = 0; d < CtWindow; d++) acc = acc.Double(b3);
            ulong digit = Limbs.GetBits(k, w * CtWindow, CtWindow);
            acc = Projective<F>.Add(acc, Lookup(table, digit), b3);
        }
        CryptographicOperations.ZeroMemory(MemoryMarshal.AsBytes(table));
        return acc;
    }

    /// <summary>table[index] read by scanning every entry (no secret-dependent address).</summary>
    internal static Projective<F> Lookup<F>(ReadOnlySpan<Projective<F>> table, ulong index) where F : unmanaged, IField<F>
    {
        Projective<F> result = table[0];
        for (int i = 1; i < table.Length; i++)
            result = Projective<F>.Select(table[i], result, Ct.EqualMask((ulong)i, index));
        return result;
    }

    /// <summary>
    /// [k]P for a public k: width-5 NAF, odd multiples P, 3P, …, 15P. Timing depends on k.
    /// </summary>
    [SkipLocalsInit]
    public static Projective<F> MultiplyVarTime<F>(in Projective<F> p, ReadOnlySpan<ulong> k, in F b3)
        where F : unmanaged, IField<F>
    {
        const int Width = 5;
        Span<sbyte> naf = stackalloc sbyte[k.Length * 64 + 1];
        int length = WNaf.Encode(k, Width, naf);
        if (length == 0) return Projective<F>.Identity;

        Span<Projective<F>> odd = stackalloc Projective<F>[1 << (Width - 2)];
        odd[0] = p;
        Projective<F> twice = p.Double(b3);
        for (int i = 1; i < odd.Length; i++) odd[i] = Projective<F>.Add(odd[i - 1], twice, b3);

        Projective<F> acc = Projective<F>.Identity;
        for (int i = length - 1; i >= 0; i--)
        {
            acc = acc.Double(b3);
            int d = naf[i];
            if (d > 0) acc = Projective<F>.Add(acc, odd[d >> 1], b3);
            else if (d < 0) acc = Projective<F>.Add(acc, odd[(-d) >> 1].Negate(), b3);
        }
        return acc;
    }

    /// <summary>[|x|]P for the public curve parameter |x| = 0xd201000000010000 (six set bits): double and add.</summary>
    public static Projective<F> MultiplyByAbsX<F>(in Projective<F> p, in F b3) where F : unmanaged, IField<F>
    {
        Projective<F> acc = p;                       // top bit of |x|
        for (int i = 62; i >= 0; i--)
        {
            acc = acc.Double(b3);
            if (((Bls12381.AbsX >> i) & 1) != 0) acc = Projective<F>.Add(acc, p, b3);
        }
        return acc;
    }
}

/// <summary>Width-w non-adjacent form of a public scalar.</summary>
internal static class WNaf
{
    /// <summary>Writes digits (odd, |d| &lt; 2^(w−1), or 0) least significant first; returns the digit count.</summary>
    public static int Encode(ReadOnlySpan<ulong> k, int width, Span<sbyte> digits)
    {
        Span<ulong> e = stackalloc ulong[k.Length + 1];
        k.CopyTo(e);
        e[k.Length] = 0;
        int mod = 1 << width, half = mod >> 1;
        int i = 0, last = 0;
        while (!Limbs.IsZeroVarTime(e))
        {
            int d = 0;
            if ((e[0] & 1) != 0)
            {
                d = (int)(e[0] & (ulong)(mod - 1));
                if (d >= half) d -= mod;
                if (d > 0) Limbs.SubWord(e, (ulong)d); else Limbs.AddWord(e, (ulong)(-d));
            }
            digits[i] = (sbyte)d;
            if (d != 0) last = i + 1;
            i++;
            Limbs.ShiftRight(e, 1);
        }
        return last;
    }
}
