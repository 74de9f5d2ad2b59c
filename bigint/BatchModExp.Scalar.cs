using System.Runtime.CompilerServices;

namespace Engine.BigInt;

public static partial class BatchModExp
{
    // The portable path and the reference for the lane kernels: one Montgomery exponentiation per item.
    [SkipLocalsInit]
    private static void RunScalar(MontgomeryContext ctx, ReadOnlySpan<ulong> bases, ReadOnlySpan<ulong> exponents, int exponentLimbs,
                                  int exponentBits, Span<ulong> results, bool constantTime)
    {
        int n = ctx.LimbCount, count = bases.Length / n;
        Span<ulong> x = stackalloc ulong[n];
        for (int k = 0; k < count; k++)
        {
            Span<ulong> r = results.Slice(k * n, n);
            ReadOnlySpan<ulong> e = exponents.Slice(k * exponentLimbs, exponentLimbs);
            ctx.ToMontgomery(bases.Slice(k * n, n), x);
            if (constantTime) ctx.Pow(x, e, exponentBits, r);
            else ctx.PowVarTime(x, e, r);
            ctx.FromMontgomery(r, r);
        }
        x.Clear();
    }
}
