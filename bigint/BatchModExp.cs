using System.Runtime.Intrinsics;

namespace Engine.BigInt;

/// <summary>
/// Many independent exponentiations b_k^e_k mod m under one modulus, computed together: eight at a time in
/// 512-bit lanes (generated IFMA products on 52-bit digits where the CPU has AVX-512 IFMA, else managed AVX-512F
/// products on 28-bit digits), four at a time in 256-bit lanes (AVX2), or one at a time on the scalar path. Every
/// path gives results identical to <see cref="MontgomeryContext.Pow"/>. Bases and results are in normal form
/// (not Montgomery form), fully reduced.
/// </summary>
public static partial class BatchModExp
{
    /// <summary>
    /// results[k] = bases[k]^exponents[k] mod m for secret exponents: fixed windows over
    /// <paramref name="exponentBits"/> bits and masked table reads in every lane.
    /// </summary>
    /// <param name="ctx">The modulus' context.</param>
    /// <param name="bases">count × n limbs, each &lt; m.</param>
    /// <param name="exponents">count × <paramref name="exponentLimbs"/> limbs; bits at or above
    /// <paramref name="exponentBits"/> must be zero.</param>
    /// <param name="exponentLimbs">Limbs per exponent.</param>
    /// <param name="exponentBits">Public bound on the exponents' length.</param>
    /// <param name="results">count × n limbs; must not overlap the bases.</param>
    /// <remarks>Constant time in the bases and exponents.</remarks>
    /// <exception cref="ArgumentException">Lengths disagree or a base is not reduced.</exception>
    public static void Pow(MontgomeryContext ctx, ReadOnlySpan<ulong> bases, ReadOnlySpan<ulong> exponents, int exponentLimbs,
                           int exponentBits, Span<ulong> results)
        => Run(ctx, bases, exponents, exponentLimbs, exponentBits, results, constantTime: true);

    /// <summary>As <see cref="Pow"/> for public exponents: each lane reads only its own table entry, and the
    /// window count follows the longest exponent of each group of lanes.</summary>
    /// <remarks>Variable time in the exponents; constant time in the bases.</remarks>
    /// <exception cref="ArgumentException">Lengths disagree or a base is not reduced.</exception>
    public static void PowVarTime(MontgomeryContext ctx, ReadOnlySpan<ulong> bases, ReadOnlySpan<ulong> exponents, int exponentLimbs,
                                  Span<ulong> results)
        => Run(ctx, bases, exponents, exponentLimbs, exponentLimbs * 64, results, constantTime: false);

    /// <summary>Items processed together on the active tier: 8, 4 or 1 (see <see cref="LaneCountFor"/> for a modulus).</summary>
    public static int LaneCount => Kernels.Use512 ? Lanes512.Lanes : Kernels.Use256 ? Lanes256.Lanes : 1;

    /// <summary>Items processed together for <paramref name="ctx"/>: 1 where its generated kernel beats the lanes.</summary>
    public static int LaneCountFor(MontgomeryContext ctx) => Kernels.Use512 ? Lanes512.Lanes : Kernels.Use256 && !PrefersNativeSingles(ctx) ? Lanes256.Lanes : 1;

    private static void Run(MontgomeryContext ctx, ReadOnlySpan<ulong> bases, ReadOnlySpan<ulong> exponents, int exponentLimbs,
                            int exponentBits, Span<ulong> results, bool constantTime)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(exponentLimbs);
        ArgumentOutOfRangeException.ThrowIfNegative(exponentBits);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(exponentBits, exponentLimbs * 64);
        int n = ctx.LimbCount, count = bases.Length / n;
        if (bases.Length != count * n || exponents.Length != count * exponentLimbs || results.Length != count * n)
            throw new ArgumentException("Expected count × LimbCount base and result limbs and count × exponentLimbs exponent limbs.");
        ulong unreduced = 0;
        for (int k = 0; k < count; k++) unreduced |= ~Limbs.LessThanMask(bases.Slice(k * n, n), ctx.Modulus);
        if (unreduced != 0) throw new ArgumentException("Every base must be reduced (< m).", nameof(bases));

        if (Kernels.Use512 && IfmaKernel(ctx) is var ifma and not 0)
            RunLanes<Vector512<ulong>, Lanes512>(ctx, ctx.IfmaLanes, ifma, bases, exponents, exponentLimbs, exponentBits, results, constantTime);
        else if (Kernels.Use512)
            RunLanes<Vector512<ulong>, Lanes512>(ctx, ctx.Lanes, 0, bases, exponents, exponentLimbs, exponentBits, results, constantTime);
        else if (Kernels.Use256 && !PrefersNativeSingles(ctx))
            RunLanes<Vector256<ulong>, Lanes256>(ctx, ctx.Lanes, 0, bases, exponents, exponentLimbs, exponentBits, results, constantTime);
        else RunScalar(ctx, bases, exponents, exponentLimbs, exponentBits, results, constantTime);
    }

    /// <summary>
    /// With a generated Montgomery kernel, one item at a time beats the four AVX2 lanes (2026-12-02, AMD EPYC: 405 µs
    /// against 661 µs per 2048-bit exponentiation with a 256-bit exponent), so the AVX2 tier runs the items singly.
    /// The AVX-512 lanes are kept: on Zen 5 (2026-12-06) even the managed 28-bit lanes beat the mulx singles (239 µs
    /// against 290 µs per item) and the IFMA lanes take 46 µs. <see cref="Kernels.ForceNo512"/> keeps the AVX2 lanes,
    /// for their tests.
    /// </summary>
    internal static bool PrefersNativeSingles(MontgomeryContext ctx) => ctx.UsesNativeKernel && !Kernels.ForceNo512;

    /// <summary>
    /// The generated 8-lane IFMA product for <paramref name="ctx"/> (52-bit digits: 2026-12-06, AMD EPYC Zen 5, see
    /// bench/RESULTS.md for its speed against the 28-bit lanes), or 0 where the CPU, ENGINE_NATIVE or
    /// <see cref="Kernels.ForceNoIfma"/> rules it out.
    /// </summary>
    internal static nint IfmaKernel(MontgomeryContext ctx) => Kernels.ForceNoIfma ? 0 : ctx.IfmaKernel;

    private static void RunLanes<TVec, TOps>(MontgomeryContext ctx, LaneModulus lm, nint native, ReadOnlySpan<ulong> bases,
                                             ReadOnlySpan<ulong> exponents, int exponentLimbs, int exponentBits, Span<ulong> results,
                                             bool constantTime)
        where TVec : struct where TOps : struct, ILaneVector<TVec>
    {
        int n = ctx.LimbCount, lanes = TOps.Lanes, count = bases.Length / n;
        int full = count / lanes * lanes;
        for (int k = 0; k < full; k += lanes)
        {
            ReadOnlySpan<ulong> e = exponents.Slice(k * exponentLimbs, lanes * exponentLimbs);
            int bits = constantTime ? exponentBits : MaxBits(e, exponentLimbs);
            LaneKernel<TVec, TOps>.PowChunk(ctx, lm, native, bases.Slice(k * n, lanes * n), e, exponentLimbs, bits,
                                            results.Slice(k * n, lanes * n), constantTime);
        }
        if (full == count) return;

        // The last partial group: pad the unused lanes with base 1, exponent 0, and keep only the real results.
        int tail = count - full;
        Span<ulong> padded = ScratchLease.Rent(lanes * (2 * n + exponentLimbs), stackalloc ulong[1024], out ScratchLease lease);
        using (lease)
        {
            padded.Clear();
            Span<ulong> pb = padded.Slice(0, lanes * n), pr = padded.Slice(lanes * n, lanes * n), pe = padded.Slice(2 * lanes * n);
            bases.Slice(full * n, tail * n).CopyTo(pb);
            exponents.Slice(full * exponentLimbs, tail * exponentLimbs).CopyTo(pe);
            for (int k = tail; k < lanes; k++) pb[k * n] = 1;
            int bits = constantTime ? exponentBits : MaxBits(pe, exponentLimbs);
            LaneKernel<TVec, TOps>.PowChunk(ctx, lm, native, pb, pe, exponentLimbs, bits, pr, constantTime);
            pr.Slice(0, tail * n).CopyTo(results.Slice(full * n));
            padded.Clear();
        }
    }

    private static int MaxBits(ReadOnlySpan<ulong> exponents, int exponentLimbs)
    {
        int bits = 1;
        for (int k = 0; k < exponents.Length / exponentLimbs; k++)
            bits = Math.Max(bits, Limbs.BitLengthVarTime(exponents.Slice(k * exponentLimbs, exponentLimbs)));
        return bits;
    }
}
