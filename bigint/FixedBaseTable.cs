using System.Runtime.CompilerServices;

namespace Engine.BigInt;

/// <summary>
/// Precomputed powers of one long-lived base (a group generator, a public key) for exponents of up to
/// <see cref="MaxExponentBits"/> bits: entry (j, d) = base^(d·2^(w·j)) for every window position j and digit d.
/// An exponentiation is then one table read and one multiplication per window, with no squarings at all
/// (the fixed-base windowing method, Brickell–Gordon–McCurley–Wilson; a comb with one tooth per window).
/// Immutable and thread-safe once built.
/// </summary>
public sealed class FixedBaseTable
{
    private readonly MontgomeryContext _ctx;
    private readonly ulong[] _table;          // positions × 2^w × n limbs
    private readonly int _window;
    private readonly int _positions;

    /// <summary>Builds the table for <paramref name="baseMont"/> (Montgomery form).</summary>
    /// <param name="ctx">The modulus' context.</param>
    /// <param name="baseMont">The base in Montgomery form.</param>
    /// <param name="maxExponentBits">Largest exponent length the table serves (for example 256 for |q| = 256).</param>
    /// <param name="window">Window width w, 1..8: memory grows as 2^w / w, time falls as 1 / w.</param>
    public FixedBaseTable(MontgomeryContext ctx, ReadOnlySpan<ulong> baseMont, int maxExponentBits, int window = 6)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxExponentBits);
        ArgumentOutOfRangeException.ThrowIfLessThan(window, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(window, 8);
        if (baseMont.Length != ctx.LimbCount) throw new ArgumentException("The base must have LimbCount limbs.", nameof(baseMont));
        _ctx = ctx;
        _window = window;
        _positions = (maxExponentBits + window - 1) / window;
        MaxExponentBits = maxExponentBits;
        int n = ctx.LimbCount, entries = 1 << window;
        _table = new ulong[_positions * entries * n];
        Span<ulong> t = new ulong[2 * n + 2];
        Span<ulong> step = new ulong[n];
        baseMont.CopyTo(step);                                   // base^(2^(w·j)) for the current j
        for (int j = 0; j < _positions; j++)
        {
            Span<ulong> row = _table.AsSpan(j * entries * n, entries * n);
            ctx.BuildPowerTable(step, row, entries, t);
            for (int s = 0; s < window; s++) ctx.SquareCore(step, step, t);
        }
    }

    /// <summary>The context this table belongs to.</summary>
    public MontgomeryContext Context => _ctx;

    /// <summary>The largest exponent length served.</summary>
    public int MaxExponentBits { get; }

    /// <summary>Bytes held by the table.</summary>
    public long SizeInBytes => (long)_table.Length * sizeof(ulong);

    /// <summary>resultMont = base^exponent for a secret exponent: every window reads its whole row.</summary>
    /// <param name="exponent">Little-endian limbs; bits at or above <see cref="MaxExponentBits"/> must be zero.</param>
    /// <param name="resultMont">Receives the power in Montgomery form.</param>
    /// <remarks>Constant time in the exponent.</remarks>
    /// <exception cref="ArgumentException">The exponent has bits beyond <see cref="MaxExponentBits"/>.</exception>
    [SkipLocalsInit]
    public void Pow(ReadOnlySpan<ulong> exponent, Span<ulong> resultMont)
    {
        int n = _ctx.LimbCount, entries = 1 << _window;
        CheckExponent(exponent);
        if (resultMont.Length != n) throw new ArgumentException("The result must have LimbCount limbs.", nameof(resultMont));
        Span<ulong> scratch = stackalloc ulong[MontgomeryContext.MaxLimbs * 2 + 2];
        Span<ulong> pick = scratch.Slice(0, n);
        Span<ulong> t = scratch.Slice(n, n + 2);
        Ct.Lookup(resultMont, _table.AsSpan(0, entries * n), n, Limbs.GetBits(exponent, 0, _window));
        for (int j = 1; j < _positions; j++)
        {
            Ct.Lookup(pick, _table.AsSpan(j * entries * n, entries * n), n, Limbs.GetBits(exponent, j * _window, _window));
            _ctx.MulCore(resultMont, pick, resultMont, t);
        }
        scratch.Clear();
    }

    /// <summary>resultMont = base^exponent for a public exponent: reads only the entries it needs.</summary>
    /// <remarks>Variable time in the exponent.</remarks>
    /// <exception cref="ArgumentException">The exponent has bits beyond <see cref="MaxExponentBits"/>.</exception>
    [SkipLocalsInit]
    public void PowVarTime(ReadOnlySpan<ulong> exponent, Span<ulong> resultMont)
    {
        int n = _ctx.LimbCount, entries = 1 << _window;
        CheckExponent(exponent);
        if (resultMont.Length != n) throw new ArgumentException("The result must have LimbCount limbs.", nameof(resultMont));
        Span<ulong> t = stackalloc ulong[MontgomeryContext.MaxLimbs + 2];
        bool started = false;
        for (int j = 0; j < _positions; j++)
        {
            int d = (int)Limbs.GetBits(exponent, j * _window, _window);
            if (d == 0) continue;
            ReadOnlySpan<ulong> entry = _table.AsSpan((j * entries + d) * n, n);
            if (started) _ctx.MulCore(resultMont, entry, resultMont, t);
            else { entry.CopyTo(resultMont); started = true; }
        }
        if (!started) _ctx.One.CopyTo(resultMont);
    }

    private void CheckExponent(ReadOnlySpan<ulong> exponent)
    {
        // Limbs past MaxExponentBits must be zero. This reads the high part of a secret with an OR-fold, and the
        // answer (the exponent is in range) is public.
        ulong high = 0;
        for (int i = 0; i < exponent.Length; i++)
        {
            int lowBit = i * 64;
            if (lowBit >= MaxExponentBits) high |= exponent[i];
            else if (lowBit + 64 > MaxExponentBits) high |= exponent[i] >> (MaxExponentBits - lowBit);
        }
        if (high != 0) throw new ArgumentException($"The exponent exceeds {MaxExponentBits} bits.", nameof(exponent));
    }
}
