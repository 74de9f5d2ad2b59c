using System.Runtime.CompilerServices;

namespace Engine.BigInt;

/// <summary>
/// Multi-exponentiation Π bases[i]^exponents[i] under one modulus, for public exponents (proof verification,
/// batch signature checks). Few terms use Straus' interleaved windows (one shared chain of squarings); many
/// terms use Pippenger's bucket method, whose cost per term falls as the count grows.
/// </summary>
public static class MultiExp
{
    /// <summary>Term count from which the bucket method is used.</summary>
    internal static int PippengerThreshold { get; set; } = 32;

    /// <summary>resultMont = Π basesMont[i]^exponents[i].</summary>
    /// <param name="ctx">The modulus' context.</param>
    /// <param name="basesMont">count × n limbs, Montgomery form.</param>
    /// <param name="exponents">count × <paramref name="exponentLimbs"/> limbs.</param>
    /// <param name="exponentLimbs">Limbs per exponent.</param>
    /// <param name="resultMont">n limbs.</param>
    /// <remarks>Variable time in the exponents; use only with public exponents.</remarks>
    /// <exception cref="ArgumentException">The span lengths do not describe the same number of terms.</exception>
    public static void PowVarTime(MontgomeryContext ctx, ReadOnlySpan<ulong> basesMont, ReadOnlySpan<ulong> exponents,
                                  int exponentLimbs, Span<ulong> resultMont)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(exponentLimbs);
        int n = ctx.LimbCount;
        int count = basesMont.Length / n;
        if (basesMont.Length != count * n || exponents.Length != count * exponentLimbs || resultMont.Length != n)
            throw new ArgumentException("Expected count × LimbCount base limbs, count × exponentLimbs exponent limbs and LimbCount result limbs.");
        int bits = 0;
        for (int i = 0; i < count; i++) bits = Math.Max(bits, Limbs.BitLengthVarTime(exponents.Slice(i * exponentLimbs, exponentLimbs)));
        if (count == 0 || bits == 0) { ctx.One.CopyTo(resultMont); return; }
        if (count < PippengerThreshold) Straus(ctx, basesMont, exponents, exponentLimbs, count, bits, resultMont);
        else Pippenger(ctx, basesMont, exponents, exponentLimbs, count, bits, resultMont);
    }

    // Straus: per base a table of base^0..base^(2^w−1), then one pass of windows from the top, sharing the squarings.
    [SkipLocalsInit]
    private static void Straus(MontgomeryContext ctx, ReadOnlySpan<ulong> bases, ReadOnlySpan<ulong> exponents,
                               int exponentLimbs, int count, int bits, Span<ulong> result)
    {
        int n = ctx.LimbCount;
        const int w = 4, entries = 1 << w;
        Span<ulong> scratch = ScratchLease.Rent(count * entries * n + 3 * n + 2, stackalloc ulong[MontgomeryContext.StackLimbs], out ScratchLease lease);
        using (lease)
        {
            Span<ulong> tables = scratch.Slice(0, count * entries * n);
            Span<ulong> acc = scratch.Slice(count * entries * n, n);
            Span<ulong> t = scratch.Slice(count * entries * n + n, 2 * n + 2);
            for (int i = 0; i < count; i++)
                ctx.BuildPowerTable(bases.Slice(i * n, n), tables.Slice(i * entries * n, entries * n), entries, t);

            bool started = false;
            for (int k = (bits - 1) / w; k >= 0; k--)
            {
                if (started) for (int s = 0; s < w; s++) ctx.SquareCore(acc, acc, t);
                for (int i = 0; i < count; i++)
                {
                    int d = (int)Limbs.GetBits(exponents.Slice(i * exponentLimbs, exponentLimbs), k * w, w);
                    if (d == 0) continue;
                    ReadOnlySpan<ulong> entry = tables.Slice((i * entries + d) * n, n);
                    if (started) ctx.MulCore(acc, entry, acc, t);
                    else { entry.CopyTo(acc); started = true; }
                }
            }
            if (!started) ctx.One.CopyTo(acc);
            acc.CopyTo(result);
        }
    }

    // Pippenger: per window of c bits, drop each base into the bucket of its digit, then Σ d·bucket_d by a
    // running product from the top bucket down (2·2^c multiplications), then shift the accumulator by c squarings.
    [SkipLocalsInit]
    private static void Pippenger(MontgomeryContext ctx, ReadOnlySpan<ulong> bases, ReadOnlySpan<ulong> exponents,
                                  int exponentLimbs, int count, int bits, Span<ulong> result)
    {
        int n = ctx.LimbCount;
        int c = Math.Clamp((int)Math.Log2(count) - 1, 2, 12);
        int buckets = (1 << c) - 1;                              // digits 1..2^c − 1
        Span<ulong> scratch = ScratchLease.Rent(buckets * n + 5 * n + 2, stackalloc ulong[MontgomeryContext.StackLimbs], out ScratchLease lease);
        Span<bool> filled = buckets <= 1024 ? stackalloc bool[buckets] : new bool[buckets];
        using (lease)
        {
            Span<ulong> bucket = scratch.Slice(0, buckets * n);
            Span<ulong> acc = scratch.Slice(buckets * n, n);
            Span<ulong> running = scratch.Slice(buckets * n + n, n);
            Span<ulong> sum = scratch.Slice(buckets * n + 2 * n, n);
            Span<ulong> t = scratch.Slice(buckets * n + 3 * n, 2 * n + 2);
            bool accStarted = false;
            for (int k = (bits - 1) / c; k >= 0; k--)
            {
                if (accStarted) for (int s = 0; s < c; s++) ctx.SquareCore(acc, acc, t);
                filled.Clear();
                for (int i = 0; i < count; i++)
                {
                    int d = (int)Limbs.GetBits(exponents.Slice(i * exponentLimbs, exponentLimbs), k * c, c);
                    if (d == 0) continue;
                    Span<ulong> slot = bucket.Slice((d - 1) * n, n);
                    if (filled[d - 1]) ctx.MulCore(slot, bases.Slice(i * n, n), slot, t);
                    else { bases.Slice(i * n, n).CopyTo(slot); filled[d - 1] = true; }
                }
                bool runStarted = false, sumStarted = false;
                for (int d = buckets; d >= 1; d--)
                {
                    if (filled[d - 1])
                    {
                        if (runStarted) ctx.MulCore(running, bucket.Slice((d - 1) * n, n), running, t);
                        else { bucket.Slice((d - 1) * n, n).CopyTo(running); runStarted = true; }
                    }
                    if (!runStarted) continue;
                    if (sumStarted) ctx.MulCore(sum, running, sum, t);
                    else { running.CopyTo(sum); sumStarted = true; }
                }
                if (!sumStarted) continue;
                if (accStarted) ctx.MulCore(acc, sum, acc, t);
                else { sum.CopyTo(acc); accStarted = true; }
            }
            if (!accStarted) ctx.One.CopyTo(acc);
            acc.CopyTo(result);
        }
    }
}
