using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Engine.Primitives.Hashing;

/// <summary>
/// XXH64 (Yann Collet, xxHash specification v0.1.1, "XXH64 algorithm description"): a fast non-cryptographic
/// 64-bit hash. Used for fingerprints of public data only (replay caches, bucketing); never for secrets.
/// </summary>
public static class XxHash64
{
    internal const ulong Prime1 = 0x9E37_79B1_85EB_CA87, Prime2 = 0xC2B2_AE3D_27D4_EB4F, Prime3 = 0x1656_67B1_9E37_79F9,
                         Prime4 = 0x85EB_CA77_C2B2_AE63, Prime5 = 0x27D4_EB2F_1656_67C5;

    /// <summary>The hash of <paramref name="data"/> with <paramref name="seed"/>.</summary>
    public static ulong Hash(ReadOnlySpan<byte> data, ulong seed = 0)
    {
        int length = data.Length;
        ulong h;
        int offset = 0;
        if (length >= 32)
        {
            ulong v1 = seed + Prime1 + Prime2, v2 = seed + Prime2, v3 = seed, v4 = seed - Prime1;
            for (; offset <= length - 32; offset += 32)
            {
                v1 = Round(v1, BinaryPrimitives.ReadUInt64LittleEndian(data[offset..]));
                v2 = Round(v2, BinaryPrimitives.ReadUInt64LittleEndian(data[(offset + 8)..]));
                v3 = Round(v3, BinaryPrimitives.ReadUInt64LittleEndian(data[(offset + 16)..]));
                v4 = Round(v4, BinaryPrimitives.ReadUInt64LittleEndian(data[(offset + 24)..]));
            }
            h = BitOperations.RotateLeft(v1, 1) + BitOperations.RotateLeft(v2, 7) + BitOperations.RotateLeft(v3, 12) + BitOperations.RotateLeft(v4, 18);
            h = MergeRound(h, v1);
            h = MergeRound(h, v2);
            h = MergeRound(h, v3);
            h = MergeRound(h, v4);
        }
        else
        {
            h = seed + Prime5;
        }
        h += (ulong)length;

        for (; offset <= length - 8; offset += 8)
        {
            h ^= Round(0, BinaryPrimitives.ReadUInt64LittleEndian(data[offset..]));
            h = BitOperations.RotateLeft(h, 27) * Prime1 + Prime4;
        }
        if (offset <= length - 4)
        {
            h ^= BinaryPrimitives.ReadUInt32LittleEndian(data[offset..]) * Prime1;
            h = BitOperations.RotateLeft(h, 23) * Prime2 + Prime3;
            offset += 4;
        }
        for (; offset < length; offset++)
        {
            h ^= data[offset] * Prime5;
            h = BitOperations.RotateLeft(h, 11) * Prime1;
        }
        return Avalanche(h);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Round(ulong acc, ulong input) => BitOperations.RotateLeft(acc + input * Prime2, 31) * Prime1;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong MergeRound(ulong acc, ulong value) => (acc ^ Round(0, value)) * Prime1 + Prime4;

    /// <summary>The final mix of XXH64, also used by XXH3 for short inputs.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ulong Avalanche(ulong h)
    {
        h ^= h >> 33;
        h *= Prime2;
        h ^= h >> 29;
        h *= Prime3;
        h ^= h >> 32;
        return h;
    }
}
