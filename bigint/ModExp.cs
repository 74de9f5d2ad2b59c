namespace Engine.BigInt;

/// <summary>
/// Modular exponentiation on big-endian byte strings, the convenient edge over
/// <see cref="MontgomeryContext.Pow"/> and <see cref="MontgomeryContext.PowVarTime"/>. Bases of any length are
/// reduced first; results are written as fixed-length big-endian residues of the modulus' byte length.
/// </summary>
public static class ModExp
{
    /// <summary>destination = base^exponent mod m for a public exponent. Writes exactly <c>ctx.ByteLength</c> bytes.</summary>
    /// <remarks>Variable time in the exponent; constant time in the base.</remarks>
    /// <exception cref="ArgumentException">The destination is not <c>ctx.ByteLength</c> bytes.</exception>
    public static void PowVarTime(MontgomeryContext ctx, ReadOnlySpan<byte> @base, ReadOnlySpan<byte> exponent, Span<byte> destination)
        => PowBytes(ctx, @base, exponent, destination, secret: false);

    /// <summary>destination = base^exponent mod m for a secret exponent, processing 8·exponent.Length bits.</summary>
    /// <remarks>Constant time in the base and the exponent's value; timing depends on the lengths only.</remarks>
    /// <exception cref="ArgumentException">The destination is not <c>ctx.ByteLength</c> bytes.</exception>
    public static void Pow(MontgomeryContext ctx, ReadOnlySpan<byte> @base, ReadOnlySpan<byte> exponent, Span<byte> destination)
        => PowBytes(ctx, @base, exponent, destination, secret: true);

    /// <summary>
    /// destination = base^exponent mod modulus for a public exponent and any odd modulus of up to
    /// <see cref="MontgomeryContext.MaxBits"/> bits. Returns false only when the destination is shorter than the
    /// modulus' byte length; <paramref name="bytesWritten"/> is that length.
    /// </summary>
    /// <exception cref="ArgumentException">The modulus is even, ≤ 1 or too large.</exception>
    public static bool TryPowVarTime(ReadOnlySpan<byte> @base, ReadOnlySpan<byte> exponent, ReadOnlySpan<byte> modulus,
                                     Span<byte> destination, out int bytesWritten)
        => TryPowBytes(@base, exponent, modulus, destination, out bytesWritten, secret: false);

    /// <summary>As <see cref="TryPowVarTime"/>, constant time in the base and the exponent.</summary>
    /// <exception cref="ArgumentException">The modulus is even, ≤ 1 or too large.</exception>
    public static bool TryPow(ReadOnlySpan<byte> @base, ReadOnlySpan<byte> exponent, ReadOnlySpan<byte> modulus,
                              Span<byte> destination, out int bytesWritten)
        => TryPowBytes(@base, exponent, modulus, destination, out bytesWritten, secret: true);

    private static bool TryPowBytes(ReadOnlySpan<byte> @base, ReadOnlySpan<byte> exponent, ReadOnlySpan<byte> modulus,
                                    Span<byte> destination, out int bytesWritten, bool secret)
    {
        var ctx = MontgomeryContext.FromBigEndian(modulus);
        bytesWritten = 0;
        if (destination.Length < ctx.ByteLength) return false;
        PowBytes(ctx, @base, exponent, destination.Slice(0, ctx.ByteLength), secret);
        bytesWritten = ctx.ByteLength;
        return true;
    }

    private static void PowBytes(MontgomeryContext ctx, ReadOnlySpan<byte> @base, ReadOnlySpan<byte> exponent,
                                 Span<byte> destination, bool secret)
    {
        if (destination.Length != ctx.ByteLength)
            throw new ArgumentException($"The destination must be exactly {ctx.ByteLength} bytes.", nameof(destination));
        int n = ctx.LimbCount;
        int baseLimbs = BigEndian.LimbsForBytes(Math.Max(@base.Length, 1));
        int expLimbs = BigEndian.LimbsForBytes(Math.Max(exponent.Length, 1));
        Span<ulong> scratch = ScratchLease.Rent(baseLimbs + expLimbs + 2 * n, stackalloc ulong[MontgomeryContext.StackLimbs], out ScratchLease lease);
        using (lease)
        {
            Span<ulong> b = scratch.Slice(0, baseLimbs);
            Span<ulong> e = scratch.Slice(baseLimbs, expLimbs);
            Span<ulong> x = scratch.Slice(baseLimbs + expLimbs, n);
            Span<ulong> y = scratch.Slice(baseLimbs + expLimbs + n, n);
            BigEndian.TryToLimbs(@base, b);
            BigEndian.TryToLimbs(exponent, e);
            ctx.Reduce(b, x);
            ctx.ToMontgomery(x, x);
            if (secret) ctx.Pow(x, e, exponent.Length * 8, y);
            else ctx.PowVarTime(x, e, y);
            ctx.FromMontgomery(y, y);
            BigEndian.TryFromLimbs(y, destination);
            scratch.Clear();
        }
    }
}
