using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Engine.BigInt;

namespace Engine.TwoServer.Records;

/// <summary>
/// Σ a_i·b_i over many pairs of big integers, exactly (no modular reduction): the left side of the batched record
/// check. With AVX-512 eight pairs are multiplied at once in 26-bit digits, one pair per 64-bit lane, columns
/// accumulated without carries (each column stays below 2^64 for up to <see cref="MaxPairs"/> pairs, see the bound
/// below); the carries are propagated once at the end. Without AVX-512 it is the schoolbook product per pair.
/// </summary>
/// <remarks>Constant time in the values: the work depends only on the counts and lengths.</remarks>
internal static class SumOfProducts
{
    /// <summary>Most pairs per call: 32 per lane keeps every column below 2^64 (32 · 84 · (2^26)² &lt; 2^63.4).</summary>
    public const int MaxPairs = 256;

    private const int DigitBits = 26;
    private const ulong DigitMask = (1UL << DigitBits) - 1;

    /// <summary>Limbs of the result for operands of these lengths.</summary>
    public static int ResultLimbs(int aLimbs, int bLimbs) => aLimbs + bLimbs + 1;

    /// <summary>
    /// result = Σ_{i &lt; count} a[i·aLimbs ..]·b[i·bLimbs ..]; <paramref name="result"/> has
    /// <see cref="ResultLimbs"/> limbs (enough for 2^64 pairs, far more than <see cref="MaxPairs"/>).
    /// </summary>
    public static void Compute(ReadOnlySpan<ulong> a, int aLimbs, ReadOnlySpan<ulong> b, int bLimbs, int count, Span<ulong> result)
    {
        Debug.Assert(count <= MaxPairs && a.Length >= count * aLimbs && b.Length >= count * bLimbs && result.Length == ResultLimbs(aLimbs, bLimbs));
        if (Kernels.Use512 && aLimbs <= 40 && bLimbs <= 40) ComputeVector512(a, aLimbs, b, bLimbs, count, result);
        else ComputeScalar(a, aLimbs, b, bLimbs, count, result);
    }

    internal static void ComputeScalar(ReadOnlySpan<ulong> a, int aLimbs, ReadOnlySpan<ulong> b, int bLimbs, int count, Span<ulong> result)
    {
        result.Clear();
        Span<ulong> product = stackalloc ulong[aLimbs + bLimbs];
        for (int i = 0; i < count; i++)
        {
            Limbs.Multiply(product, a.Slice(i * aLimbs, aLimbs), b.Slice(i * bLimbs, bLimbs));
            Limbs.AddWord(result[product.Length..], Limbs.Add(result[..product.Length], result[..product.Length], product));
        }
        product.Clear();
    }

    [SkipLocalsInit]
    internal static void ComputeVector512(ReadOnlySpan<ulong> a, int aLimbs, ReadOnlySpan<ulong> b, int bLimbs, int count, Span<ulong> result)
    {
        int da = (aLimbs * 64 + DigitBits - 1) / DigitBits, db = (bLimbs * 64 + DigitBits - 1) / DigitBits, columns = da + db;
        Span<Vector512<ulong>> acc = stackalloc Vector512<ulong>[columns];
        Span<Vector512<ulong>> av = stackalloc Vector512<ulong>[da];
        Span<Vector512<ulong>> bv = stackalloc Vector512<ulong>[db];
        Span<ulong> lanes = stackalloc ulong[8 * Math.Max(da, db)];
        acc.Clear();
        for (int start = 0; start < count; start += 8)
        {
            int group = Math.Min(8, count - start);
            Transpose(a, aLimbs, start, group, da, lanes, av);
            Transpose(b, bLimbs, start, group, db, lanes, bv);
            // Column k += Σ_{i+j=k} a_i·b_j, lane by lane: vpmuludq of the low 32 bits (digits are below 2^26).
            ref Vector512<ulong> accRef = ref MemoryMarshal.GetReference(acc), bRef = ref MemoryMarshal.GetReference(bv);
            for (int i = 0; i < da; i++)
            {
                Vector512<uint> ai = av[i].AsUInt32();
                ref Vector512<ulong> column = ref Unsafe.Add(ref accRef, i);
                for (int j = 0; j < db; j++)
                    Unsafe.Add(ref column, j) += Avx512F.Multiply(ai, Unsafe.Add(ref bRef, j).AsUInt32());
            }
        }
        // Fold the lanes and propagate the carries: value = Σ_k column_k · 2^(26k).
        result.Clear();
        UInt128 carry = 0;
        int bit = 0;
        for (int k = 0; k < columns || carry != 0; k++)
        {
            UInt128 t = carry;
            if (k < columns)
                for (int lane = 0; lane < 8; lane++) t += acc[k].GetElement(lane);
            AddBits(result, bit, (ulong)t & DigitMask);
            carry = t >> DigitBits;
            bit += DigitBits;
            if (bit >= 64 * result.Length) break;
        }
        // Every buffer held digits of products of the records' secret fields.
        acc.Clear();
        lanes.Clear();
        av.Clear();
        bv.Clear();
    }

    /// <summary>Pairs start..start+group of <paramref name="source"/> in 26-bit digits, digit d of pair p in lane p of vector d (unused lanes zero).</summary>
    private static void Transpose(ReadOnlySpan<ulong> source, int limbs, int start, int group, int digits, Span<ulong> lanes, Span<Vector512<ulong>> vectors)
    {
        lanes[..(8 * digits)].Clear();
        for (int p = 0; p < group; p++)
        {
            // Stream the limbs through a bit buffer: a refill when fewer than 26 bits are left, no per-digit search.
            ReadOnlySpan<ulong> value = source.Slice((start + p) * limbs, limbs);
            ulong buffer = 0;
            int bits = 0, next = 0;
            for (int d = 0; d < digits; d++)
            {
                ulong digit;
                if (bits >= DigitBits)
                {
                    digit = buffer & DigitMask;
                    buffer >>= DigitBits;
                    bits -= DigitBits;
                }
                else
                {
                    ulong limb = next < value.Length ? value[next++] : 0;
                    digit = (buffer | (limb << bits)) & DigitMask;
                    buffer = limb >> (DigitBits - bits);
                    bits += 64 - DigitBits;
                }
                lanes[d * 8 + p] = digit;
            }
        }
        for (int d = 0; d < digits; d++) vectors[d] = Vector512.Create<ulong>(lanes.Slice(d * 8, 8));
    }

    /// <summary>result += digit · 2^position (digit below 2^26; the result's bits there are still zero).</summary>
    private static void AddBits(Span<ulong> result, int position, ulong digit)
    {
        int limb = position >> 6, shift = position & 63;
        if (limb < result.Length) result[limb] |= digit << shift;
        if (shift > 64 - DigitBits && limb + 1 < result.Length) result[limb + 1] |= digit >> (64 - shift);
    }
}
