using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Engine.Primitives.Hashing;

/// <summary>
/// XXH3-64 (xxHash v0.8, Yann Collet; the algorithm of the reference <c>xxhash.h</c>): the 64-bit variant with
/// the default 192-byte secret, optionally seeded. Non-cryptographic: fingerprints of public data only.
/// </summary>
/// <remarks>
/// Inputs up to 240 bytes take one of five short paths; longer ones run the striped accumulator
/// (<see cref="XxHash3Accumulator"/>), which has AVX-512, AVX2 and scalar kernels tested against each other.
/// Checked against Debian's <c>xxhsum -H3</c> and the published sanity vectors of <c>xsum_sanity_check.c</c>.
/// </remarks>
public static class XxHash3
{
    internal const int SecretSize = 192, StripeLength = 64, MidSizeMax = 240;
    private const ulong Prime32_1 = 0x9E37_79B1, Prime32_2 = 0x85EB_CA77, Prime32_3 = 0xC2B2_AE3D;
    private const ulong PrimeMx1 = 0x1656_6791_9E37_79F9, PrimeMx2 = 0x9FB2_1C65_1E98_DF25;

    /// <summary>kSecret of the reference implementation (192 bytes), a constant of the algorithm.</summary>
    internal static ReadOnlySpan<byte> DefaultSecret =>
    [
        0xb8, 0xfe, 0x6c, 0x39, 0x23, 0xa4, 0x4b, 0xbe, 0x7c, 0x01, 0x81, 0x2c, 0xf7, 0x21, 0xad, 0x1c,
        0xde, 0xd4, 0x6d, 0xe9, 0x83, 0x90, 0x97, 0xdb, 0x72, 0x40, 0xa4, 0xa4, 0xb7, 0xb3, 0x67, 0x1f,
        0xcb, 0x79, 0xe6, 0x4e, 0xcc, 0xc0, 0xe5, 0x78, 0x82, 0x5a, 0xd0, 0x7d, 0xcc, 0xff, 0x72, 0x21,
        0xb8, 0x08, 0x46, 0x74, 0xf7, 0x43, 0x24, 0x8e, 0xe0, 0x35, 0x90, 0xe6, 0x81, 0x3a, 0x26, 0x4c,
        0x3c, 0x28, 0x52, 0xbb, 0x91, 0xc3, 0x00, 0xcb, 0x88, 0xd0, 0x65, 0x8b, 0x1b, 0x53, 0x2e, 0xa3,
        0x71, 0x64, 0x48, 0x97, 0xa2, 0x0d, 0xf9, 0x4e, 0x38, 0x19, 0xef, 0x46, 0xa9, 0xde, 0xac, 0xd8,
        0xa8, 0xfa, 0x76, 0x3f, 0xe3, 0x9c, 0x34, 0x3f, 0xf9, 0xdc, 0xbb, 0xc7, 0xc7, 0x0b, 0x4f, 0x1d,
        0x8a, 0x51, 0xe0, 0x4b, 0xcd, 0xb4, 0x59, 0x31, 0xc8, 0x9f, 0x7e, 0xc9, 0xd9, 0x78, 0x73, 0x64,
        0xea, 0xc5, 0xac, 0x83, 0x34, 0xd3, 0xeb, 0xc3, 0xc5, 0x81, 0xa0, 0xff, 0xfa, 0x13, 0x63, 0xeb,
        0x17, 0x0d, 0xdd, 0x51, 0xb7, 0xf0, 0xda, 0x49, 0xd3, 0x16, 0x55, 0x26, 0x29, 0xd4, 0x68, 0x9e,
        0x2b, 0x16, 0xbe, 0x58, 0x7d, 0x47, 0xa1, 0xfc, 0x8f, 0xf8, 0xb8, 0xd1, 0x7a, 0xd0, 0x31, 0xce,
        0x45, 0xcb, 0x3a, 0x8f, 0x95, 0x16, 0x04, 0x28, 0xaf, 0xd7, 0xfb, 0xca, 0xbb, 0x4b, 0x40, 0x7e,
    ];

    /// <summary>XXH3_64bits_withSeed; seed 0 is XXH3_64bits.</summary>
    [SkipLocalsInit]
    public static ulong Hash(ReadOnlySpan<byte> data, ulong seed = 0)
    {
        ReadOnlySpan<byte> secret = DefaultSecret;
        int length = data.Length;
        if (length <= 16) return HashUpTo16(data, secret, seed);
        if (length <= 128) return Hash17To128(data, secret, seed);
        if (length <= MidSizeMax) return Hash129To240(data, secret, seed);
        if (seed == 0) return XxHash3Accumulator.HashLong(data, secret);
        // Long seeded inputs use a secret derived from the seed (XXH3_initCustomSecret).
        Span<byte> custom = stackalloc byte[SecretSize];
        for (int i = 0; i < SecretSize; i += 16)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(custom[i..], Read64(secret, i) + seed);
            BinaryPrimitives.WriteUInt64LittleEndian(custom[(i + 8)..], Read64(secret, i + 8) - seed);
        }
        return XxHash3Accumulator.HashLong(data, custom);
    }

    private static ulong HashUpTo16(ReadOnlySpan<byte> data, ReadOnlySpan<byte> secret, ulong seed)
    {
        int length = data.Length;
        if (length > 8)
        {
            ulong bitflip1 = (Read64(secret, 24) ^ Read64(secret, 32)) + seed;
            ulong bitflip2 = (Read64(secret, 40) ^ Read64(secret, 48)) - seed;
            ulong lo = Read64(data, 0) ^ bitflip1;
            ulong hi = Read64(data, length - 8) ^ bitflip2;
            ulong acc = (ulong)length + BinaryPrimitives.ReverseEndianness(lo) + hi + MulFold64(lo, hi);
            return Avalanche(acc);
        }
        if (length >= 4)
        {
            seed ^= (ulong)BinaryPrimitives.ReverseEndianness((uint)seed) << 32;
            ulong input1 = Read32(data, 0), input2 = Read32(data, length - 4);
            ulong bitflip = (Read64(secret, 8) ^ Read64(secret, 16)) - seed;
            ulong keyed = (input2 + (input1 << 32)) ^ bitflip;
            return Rrmxmx(keyed, (ulong)length);
        }
        if (length > 0)
        {
            uint combined = ((uint)data[0] << 16) | ((uint)data[length >> 1] << 24) | data[length - 1] | ((uint)length << 8);
            ulong bitflip = (Read32(secret, 0) ^ Read32(secret, 4)) + seed;
            return XxHash64.Avalanche(combined ^ bitflip);
        }
        return XxHash64.Avalanche(seed ^ Read64(secret, 56) ^ Read64(secret, 64));
    }

    private static ulong Hash17To128(ReadOnlySpan<byte> data, ReadOnlySpan<byte> secret, ulong seed)
    {
        int length = data.Length;
        ulong acc = (ulong)length * XxHash64.Prime1;
        if (length > 32)
        {
            if (length > 64)
            {
                if (length > 96)
                {
                    acc += Mix16(data, 48, secret, 96, seed);
                    acc += Mix16(data, length - 64, secret, 112, seed);
                }
                acc += Mix16(data, 32, secret, 64, seed);
                acc += Mix16(data, length - 48, secret, 80, seed);
            }
            acc += Mix16(data, 16, secret, 32, seed);
            acc += Mix16(data, length - 32, secret, 48, seed);
        }
        acc += Mix16(data, 0, secret, 0, seed);
        acc += Mix16(data, length - 16, secret, 16, seed);
        return Avalanche(acc);
    }

    private static ulong Hash129To240(ReadOnlySpan<byte> data, ReadOnlySpan<byte> secret, ulong seed)
    {
        const int StartOffset = 3, LastOffset = 17, SecretSizeMin = 136;
        int length = data.Length;
        ulong acc = (ulong)length * XxHash64.Prime1;
        int rounds = length / 16;
        for (int i = 0; i < 8; i++) acc += Mix16(data, 16 * i, secret, 16 * i, seed);
        acc = Avalanche(acc);
        for (int i = 8; i < rounds; i++) acc += Mix16(data, 16 * i, secret, 16 * (i - 8) + StartOffset, seed);
        acc += Mix16(data, length - 16, secret, SecretSizeMin - LastOffset, seed);
        return Avalanche(acc);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Mix16(ReadOnlySpan<byte> data, int offset, ReadOnlySpan<byte> secret, int secretOffset, ulong seed)
        => MulFold64(Read64(data, offset) ^ (Read64(secret, secretOffset) + seed),
                     Read64(data, offset + 8) ^ (Read64(secret, secretOffset + 8) - seed));

    /// <summary>Low and high halves of the 128-bit product, xored.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ulong MulFold64(ulong a, ulong b)
    {
        ulong hi = Math.BigMul(a, b, out ulong lo);
        return lo ^ hi;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ulong Avalanche(ulong h)
    {
        h ^= h >> 37;
        h *= PrimeMx1;
        return h ^ (h >> 32);
    }

    private static ulong Rrmxmx(ulong h, ulong length)
    {
        h ^= BitOperations.RotateLeft(h, 49) ^ BitOperations.RotateLeft(h, 24);
        h *= PrimeMx2;
        h ^= (h >> 35) + length;
        h *= PrimeMx2;
        return h ^ (h >> 28);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ulong Read64(ReadOnlySpan<byte> s, int offset) => BinaryPrimitives.ReadUInt64LittleEndian(s[offset..]);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Read32(ReadOnlySpan<byte> s, int offset) => BinaryPrimitives.ReadUInt32LittleEndian(s[offset..]);

    internal static ReadOnlySpan<ulong> InitialAccumulators => [Prime32_3, XxHash64.Prime1, XxHash64.Prime2, XxHash64.Prime3,
                                                                XxHash64.Prime4, Prime32_2, XxHash64.Prime5, Prime32_1];

    internal const ulong ScramblePrime = Prime32_1;
}
