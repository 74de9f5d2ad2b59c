using System.Numerics;
using Engine.BigInt;
using Engine.Interop.Reference;

namespace Engine.Tests.Support;

/// <summary>Conversions to and from the independent oracles (System.Numerics.BigInteger, GMP) and random inputs.</summary>
internal static class Oracles
{
    /// <summary>The size classes of the differential suites (bits).</summary>
    public static readonly int[] SizeClasses = [64, 256, 521, 1024, 2048, 3072, 4096, 6144, 8192];

    /// <summary>Random cases per size class for every differential operation.</summary>
    public const int CasesPerSize = 10_000;

    public static BigInteger ToBig(ReadOnlySpan<ulong> limbs)
    {
        var bytes = new byte[limbs.Length * 8];
        for (int i = 0; i < limbs.Length; i++) BitConverter.TryWriteBytes(bytes.AsSpan(i * 8), limbs[i]);
        return new BigInteger(bytes, isUnsigned: true, isBigEndian: false);
    }

    public static ulong[] ToLimbs(BigInteger value, int limbs)
    {
        var result = new ulong[limbs];
        byte[] bytes = value.ToByteArray(isUnsigned: true, isBigEndian: false);
        if (bytes.Length > limbs * 8 && bytes.AsSpan(limbs * 8).IndexOfAnyExcept((byte)0) >= 0)
            throw new ArgumentException("Value does not fit.");
        var padded = new byte[limbs * 8];
        bytes.AsSpan(0, Math.Min(bytes.Length, padded.Length)).CopyTo(padded);
        for (int i = 0; i < limbs; i++) result[i] = BitConverter.ToUInt64(padded, i * 8);
        return result;
    }

    /// <summary>A random odd modulus of exactly <paramref name="bits"/> bits.</summary>
    public static ulong[] RandomOddModulus(Random rng, int bits)
    {
        int n = (bits + 63) / 64;
        var m = RandomLimbs(rng, n);
        int top = bits - 64 * (n - 1);
        if (top < 64) m[n - 1] &= (1UL << top) - 1;
        m[n - 1] |= 1UL << (top - 1);
        m[0] |= 1;
        return m;
    }

    public static ulong[] RandomLimbs(Random rng, int n)
    {
        var r = new ulong[n];
        for (int i = 0; i < n; i++) r[i] = (ulong)rng.NextInt64() ^ ((ulong)rng.Next() << 33);
        return r;
    }

    /// <summary>A random value below the modulus, biased towards edge cases one time in eight.</summary>
    public static ulong[] RandomBelow(Random rng, ReadOnlySpan<ulong> m)
    {
        BigInteger big = ToBig(m);
        int pick = rng.Next(16);
        BigInteger v = pick switch
        {
            0 => BigInteger.Zero,
            1 => BigInteger.One,
            2 => big - 1,
            3 => (BigInteger.One << 64) - 1 < big ? (BigInteger.One << 64) - 1 : big - 2,
            _ => BigInteger.Remainder(new BigInteger(RandomBytes(rng, m.Length * 8 + 8), isUnsigned: true), big),
        };
        return ToLimbs(v, m.Length);
    }

    /// <summary>A random exponent of a random length up to <paramref name="maxBits"/>, in limbs.</summary>
    public static ulong[] RandomExponent(Random rng, int maxBits, out int bits)
    {
        bits = rng.Next(maxBits + 1);
        var e = RandomLimbs(rng, Math.Max(1, (maxBits + 63) / 64));
        for (int i = 0; i < e.Length; i++)
        {
            int low = i * 64;
            if (low >= bits) e[i] = 0;
            else if (low + 64 > bits) e[i] &= (1UL << (bits - low)) - 1;
        }
        if (bits > 0) e[(bits - 1) / 64] |= 1UL << ((bits - 1) % 64);
        return e;
    }

    public static byte[] RandomBytes(Random rng, int count)
    {
        var b = new byte[count];
        rng.NextBytes(b);
        return b;
    }

    /// <summary>Largest exponent length the modexp differential suites draw for a modulus size, so that
    /// 10 000 cases per size class fit the default test budget; full-length exponents have their own tests.</summary>
    public static int ExponentBitsFor(int modulusBits) => modulusBits switch
    {
        <= 521 => 256,
        <= 1024 => 128,
        <= 3072 => 48,
        _ => 16,
    };

    public static BigInteger GmpPowMod(BigInteger b, BigInteger e, BigInteger m)
    {
        using var gb = GmpInteger.FromBigEndian(b.ToByteArray(true, true));
        using var ge = GmpInteger.FromBigEndian(e.ToByteArray(true, true));
        using var gm = GmpInteger.FromBigEndian(m.ToByteArray(true, true));
        using var r = new GmpInteger();
        Gmp.PowMod(r, gb, ge, gm);
        var bytes = new byte[m.GetByteCount(true)];
        r.WriteBigEndian(bytes);
        return new BigInteger(bytes, true, true);
    }

    public static BigInteger GmpInvert(BigInteger a, BigInteger m)
    {
        using var ga = GmpInteger.FromBigEndian(a.ToByteArray(true, true));
        using var gm = GmpInteger.FromBigEndian(m.ToByteArray(true, true));
        using var r = new GmpInteger();
        if (!Gmp.InvertMod(r, ga, gm)) throw new ArgumentException("not invertible");
        var bytes = new byte[m.GetByteCount(true)];
        r.WriteBigEndian(bytes);
        return new BigInteger(bytes, true, true);
    }
}
