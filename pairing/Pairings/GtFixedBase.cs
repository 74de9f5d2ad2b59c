using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Engine.BigInt;
using Engine.Pairing.Fields;

namespace Engine.Pairing.Pairings;

/// <summary>
/// Precomputed powers of a long-lived Gt element z (e(g1, g2), an authority's e(g1, g2)^α): entry (i, j) = z^(j·16^i)
/// for the 64 four-bit windows of a scalar, so z^k costs 64 F_p¹² products and no squarings instead of 256 cyclotomic
/// squarings and 64 products. 576 KiB per element; immutable and thread-safe.
/// </summary>
/// <remarks>Constant time: each window's entry is read with a masked scan of all 16 entries.</remarks>
public sealed class GtFixedBase
{
    private const int Window = 4, Digits = 1 << Window, Windows = 256 / Window;
    private readonly Fp12[] _entries = new Fp12[Windows * Digits];

    /// <summary>Builds the table (about 1 000 products and 256 squarings).</summary>
    public GtFixedBase(in Gt element)
    {
        Fp12 windowBase = element.Value;
        for (int i = 0; i < Windows; i++)
        {
            _entries[i * Digits] = Fp12.One;
            for (int j = 1; j < Digits; j++) _entries[i * Digits + j] = _entries[i * Digits + j - 1] * windowBase;
            for (int d = 0; d < Window; d++) windowBase = windowBase.CyclotomicSquare();
        }
        Element = element;
    }

    /// <summary>The element whose powers the table holds.</summary>
    public Gt Element { get; }

    /// <summary>Memory held by the table.</summary>
    public int SizeInBytes => _entries.Length * Unsafe.SizeOf<Fp12>();

    /// <summary>The table of e(g1, g2), built on first use.</summary>
    public static GtFixedBase Generator => GeneratorHolder.Table;

    /// <summary>z^k for a secret scalar, constant time.</summary>
    [SkipLocalsInit]
    public Gt Pow(in Fr scalar)
    {
        Span<ulong> k = stackalloc ulong[4];
        scalar.ToCanonicalLimbs(k);
        ReadOnlySpan<Fp12> entries = _entries;
        Fp12 acc = Fp12.One;
        for (int i = 0; i < Windows; i++)
        {
            ulong digit = Limbs.GetBits(k, i * Window, Window);
            ReadOnlySpan<Fp12> window = entries.Slice(i * Digits, Digits);
            Fp12 entry = window[0];
            for (int j = 1; j < Digits; j++) entry = Fp12.Select(window[j], entry, Ct.EqualMask((ulong)j, digit));
            acc *= entry;
        }
        CryptographicOperations.ZeroMemory(System.Runtime.InteropServices.MemoryMarshal.AsBytes(k));
        return new Gt(acc);
    }

    private static class GeneratorHolder
    {
        public static readonly GtFixedBase Table = new(Gt.Generator);
    }
}
