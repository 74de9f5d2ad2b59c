using System.Runtime.CompilerServices;

namespace Engine.BigInt;

public sealed partial class MontgomeryContext
{
    /// <summary>
    /// result = base^exponent in Montgomery form, for a secret exponent: a fixed window over exactly
    /// <paramref name="exponentBits"/> bits (a public bound), table entries read with <see cref="Ct.Lookup"/>, and
    /// the same squarings and multiplications whatever the exponent's value.
    /// </summary>
    /// <param name="baseMont">The base in Montgomery form (&lt; m).</param>
    /// <param name="exponent">Little-endian limbs; bits at or above <paramref name="exponentBits"/> must be zero.</param>
    /// <param name="exponentBits">Public bit length to process (0..64·exponent.Length).</param>
    /// <param name="resultMont">Receives the power in Montgomery form; may alias the base.</param>
    /// <remarks>Constant time in the base and the exponent; timing depends on <paramref name="exponentBits"/>.</remarks>
    [SkipLocalsInit]
    public void Pow(ReadOnlySpan<ulong> baseMont, ReadOnlySpan<ulong> exponent, int exponentBits, Span<ulong> resultMont)
    {
        CheckLength(baseMont, nameof(baseMont)); CheckLength(resultMont, nameof(resultMont));
        ArgumentOutOfRangeException.ThrowIfNegative(exponentBits);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(exponentBits, exponent.Length * 64);
        int n = LimbCount;
        if (exponentBits == 0) { _one.CopyTo(resultMont); return; }

        int w = ConstantTimeWindow(exponentBits);
        int entries = 1 << w;
        Span<ulong> scratch = ScratchLease.Rent(entries * n + 4 * n + 2, stackalloc ulong[StackLimbs], out ScratchLease lease);
        using (lease)
        {
            Span<ulong> table = scratch.Slice(0, entries * n);
            Span<ulong> acc = scratch.Slice(entries * n, n);
            Span<ulong> pick = scratch.Slice(entries * n + n, n);
            Span<ulong> t = scratch.Slice(entries * n + 2 * n, 2 * n + 2);
            BuildPowerTable(baseMont, table, entries, t);

            int windows = (exponentBits + w - 1) / w;
            int top = (windows - 1) * w;
            Ct.Lookup(acc, table, n, Limbs.GetBits(exponent, top, Math.Min(w, exponentBits - top)));
            for (int k = windows - 2; k >= 0; k--)
            {
                for (int s = 0; s < w; s++) SquareCore(acc, acc, t);
                Ct.Lookup(pick, table, n, Limbs.GetBits(exponent, k * w, w));
                MulCore(acc, pick, acc, t);
            }
            acc.CopyTo(resultMont);
            scratch.Clear();
        }
    }

    /// <summary>
    /// result = base^exponent in Montgomery form, for a public exponent: left-to-right sliding window over the
    /// exponent's actual bits, odd powers precomputed.
    /// </summary>
    /// <remarks>Variable time in the exponent: use it only when the exponent is public. Constant time in the base.</remarks>
    [SkipLocalsInit]
    public void PowVarTime(ReadOnlySpan<ulong> baseMont, ReadOnlySpan<ulong> exponent, Span<ulong> resultMont)
    {
        CheckLength(baseMont, nameof(baseMont)); CheckLength(resultMont, nameof(resultMont));
        int n = LimbCount;
        int bits = Limbs.BitLengthVarTime(exponent);
        if (bits == 0) { _one.CopyTo(resultMont); return; }

        int w = SlidingWindow(bits);
        int odd = 1 << (w - 1);
        Span<ulong> scratch = ScratchLease.Rent(odd * n + 2 * n + 2 + n, stackalloc ulong[StackLimbs], out ScratchLease lease);
        using (lease)
        {
            Span<ulong> table = scratch.Slice(0, odd * n);          // base^1, base^3, …, base^(2^w − 1)
            Span<ulong> t = scratch.Slice(odd * n, 2 * n + 2);
            Span<ulong> acc = scratch.Slice(odd * n + 2 * n + 2, n);
            baseMont.CopyTo(table);
            if (odd > 1)
            {
                SquareCore(baseMont, acc, t);                        // acc = base², the step between odd powers
                for (int k = 1; k < odd; k++) MulCore(table.Slice((k - 1) * n, n), acc, table.Slice(k * n, n), t);
            }

            bool started = false;
            int i = bits - 1;
            while (i >= 0)
            {
                if (Limbs.GetBit(exponent, i) == 0)
                {
                    SquareCore(acc, acc, t);                         // never before `started`: the top bit is 1
                    i--;
                    continue;
                }
                int low = Math.Max(i - w + 1, 0);
                while (Limbs.GetBit(exponent, low) == 0) low++;
                int digit = (int)Limbs.GetBits(exponent, low, i - low + 1);   // odd
                ReadOnlySpan<ulong> entry = table.Slice((digit >> 1) * n, n);
                if (started)
                {
                    for (int s = low; s <= i; s++) SquareCore(acc, acc, t);
                    MulCore(acc, entry, acc, t);
                }
                else
                {
                    entry.CopyTo(acc);
                    started = true;
                }
                i = low - 1;
            }
            acc.CopyTo(resultMont);
            scratch.Clear();
        }
    }

    /// <summary>
    /// results[k] = base^exponents[k] for several public exponents of one base, sharing the squarings: the
    /// powers base^(2^(w·j)) are computed once, then each exponent costs about (bits / w) + 2^w multiplications
    /// by Yao's method instead of a full exponentiation.
    /// </summary>
    /// <param name="baseMont">The base in Montgomery form.</param>
    /// <param name="exponents">count × <paramref name="exponentLimbs"/> limbs, little-endian per exponent.</param>
    /// <param name="exponentLimbs">Limbs per exponent.</param>
    /// <param name="resultsMont">count × <see cref="LimbCount"/> limbs.</param>
    /// <remarks>Variable time in the exponents.</remarks>
    [SkipLocalsInit]
    public void PowManyVarTime(ReadOnlySpan<ulong> baseMont, ReadOnlySpan<ulong> exponents, int exponentLimbs, Span<ulong> resultsMont)
    {
        CheckLength(baseMont, nameof(baseMont));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(exponentLimbs);
        int n = LimbCount;
        int count = exponents.Length / exponentLimbs;
        if (exponents.Length != count * exponentLimbs || resultsMont.Length != count * n)
            throw new ArgumentException("Expected count × exponentLimbs exponent limbs and count × LimbCount result limbs.");
        if (count == 0) return;

        int bits = 1;
        for (int k = 0; k < count; k++)
            bits = Math.Max(bits, Limbs.BitLengthVarTime(exponents.Slice(k * exponentLimbs, exponentLimbs)));
        int w = count < 4 ? 4 : count < 64 ? 5 : 6;
        int positions = (bits + w - 1) / w;
        Span<ulong> scratch = ScratchLease.Rent(positions * n + 4 * n + 2, stackalloc ulong[StackLimbs], out ScratchLease lease);
        using (lease)
        {
            Span<ulong> powers = scratch.Slice(0, positions * n);   // base^(2^(w·j))
            Span<ulong> a = scratch.Slice(positions * n, n);
            Span<ulong> b = scratch.Slice(positions * n + n, n);
            Span<ulong> t = scratch.Slice(positions * n + 2 * n, 2 * n + 2);
            baseMont.CopyTo(powers);
            for (int j = 1; j < positions; j++)
            {
                Span<ulong> p = powers.Slice(j * n, n);
                powers.Slice((j - 1) * n, n).CopyTo(p);
                for (int s = 0; s < w; s++) SquareCore(p, p, t);
            }

            for (int k = 0; k < count; k++)
            {
                ReadOnlySpan<ulong> e = exponents.Slice(k * exponentLimbs, exponentLimbs);
                // Yao: result = Π_d (Π_{j: e_j = d} P_j)^d, as b accumulates the inner products from the top digit
                // down and a multiplies in b once per digit value.
                bool aOne = true, bOne = true;
                for (int d = (1 << w) - 1; d >= 1; d--)
                {
                    for (int j = 0; j < positions; j++)
                    {
                        if ((int)Limbs.GetBits(e, j * w, w) != d) continue;
                        if (bOne) { powers.Slice(j * n, n).CopyTo(b); bOne = false; }
                        else MulCore(b, powers.Slice(j * n, n), b, t);
                    }
                    if (bOne) continue;
                    if (aOne) { b.CopyTo(a); aOne = false; }
                    else MulCore(a, b, a, t);
                }
                if (aOne) _one.CopyTo(a);
                a.CopyTo(resultsMont.Slice(k * n, n));
            }
            scratch.Clear();
        }
    }

    // table[k] = base^k for k in 0..entries−1, in Montgomery form.
    internal void BuildPowerTable(ReadOnlySpan<ulong> baseMont, Span<ulong> table, int entries, Span<ulong> t)
    {
        int n = LimbCount;
        _one.CopyTo(table);
        baseMont.CopyTo(table.Slice(n, n));
        for (int k = 2; k < entries; k++)
        {
            if ((k & 1) == 0) SquareCore(table.Slice((k / 2) * n, n), table.Slice(k * n, n), t);
            else MulCore(table.Slice((k - 1) * n, n), baseMont, table.Slice(k * n, n), t);
        }
    }

    // Window widths that minimise squarings + multiplications + table cost for a given exponent size. A 256-bit
    // exponent takes 4 bits, as OpenSSL's BN_window_bits_for_ctime_exponent_size does up to 306 bits: 63 products
    // and a 16-entry table (15 products, 16 entries read per window) against 51 and 32 (31, 32 read) with 5 bits.
    internal static int ConstantTimeWindow(int bits) => bits switch
    {
        <= 8 => 1,
        <= 32 => 3,
        <= 306 => 4,
        <= 1024 => 5,
        _ => 6,
    };

    private static int SlidingWindow(int bits) => bits switch
    {
        <= 16 => 1,
        <= 64 => 3,
        <= 240 => 4,
        <= 768 => 5,
        _ => 6,
    };
}
