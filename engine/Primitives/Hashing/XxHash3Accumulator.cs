using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Engine.BigInt;

namespace Engine.Primitives.Hashing;

/// <summary>
/// The long-input path of XXH3 (inputs above 240 bytes): eight 64-bit accumulators fed one 64-byte stripe at a
/// time (each lane: acc[i ^ 1] += d, acc[i] += lo32(d ^ k)·hi32(d ^ k)), scrambled after each 1 KiB block, then
/// merged. The stripe step has an AVX-512 kernel (one vector holds all eight lanes), an AVX2 kernel (two
/// vectors) and the scalar reference; <see cref="Kernels.ForceScalar"/> and <see cref="Kernels.ForceNo512"/>
/// force the fallbacks for tests.
/// </summary>
internal static class XxHash3Accumulator
{
    private const int Lanes = 8, SecretConsumeRate = 8, LastAccStart = 7, MergeAccsStart = 11;

    [SkipLocalsInit]
    public static ulong HashLong(ReadOnlySpan<byte> data, ReadOnlySpan<byte> secret)
    {
        Span<ulong> acc = stackalloc ulong[Lanes];
        XxHash3.InitialAccumulators.CopyTo(acc);
        bool use512 = !Kernels.ForceScalar && !Kernels.ForceNo512 && Avx512F.IsSupported;
        bool use256 = !Kernels.ForceScalar && Avx2.IsSupported;
        if (use512) Run(data, secret, acc, Kind.Vector512);
        else if (use256) Run(data, secret, acc, Kind.Vector256);
        else Run(data, secret, acc, Kind.Scalar);

        ulong result = (ulong)data.Length * XxHash64.Prime1;
        for (int i = 0; i < 4; i++)
            result += XxHash3.MulFold64(acc[2 * i] ^ XxHash3.Read64(secret, MergeAccsStart + 16 * i),
                                        acc[2 * i + 1] ^ XxHash3.Read64(secret, MergeAccsStart + 16 * i + 8));
        return XxHash3.Avalanche(result);
    }

    internal enum Kind { Scalar, Vector256, Vector512 }

    /// <summary>All stripes and scrambles of one input with the chosen kernel (internal for the parity tests).</summary>
    internal static void Run(ReadOnlySpan<byte> data, ReadOnlySpan<byte> secret, Span<ulong> acc, Kind kind)
    {
        int stripesPerBlock = (secret.Length - XxHash3.StripeLength) / SecretConsumeRate;
        int blockLength = XxHash3.StripeLength * stripesPerBlock;
        int blocks = (data.Length - 1) / blockLength;
        ReadOnlySpan<byte> scrambleKey = secret[(secret.Length - XxHash3.StripeLength)..];
        for (int n = 0; n < blocks; n++)
        {
            Accumulate(acc, data.Slice(n * blockLength, blockLength), secret, stripesPerBlock, kind);
            Scramble(acc, scrambleKey, kind);
        }
        int lastStripes = (data.Length - 1 - blockLength * blocks) / XxHash3.StripeLength;
        Accumulate(acc, data[(blocks * blockLength)..], secret, lastStripes, kind);
        // The last stripe always ends at the end of the input (it may overlap the previous one).
        Stripe(acc, data[^XxHash3.StripeLength..], secret[(secret.Length - XxHash3.StripeLength - LastAccStart)..], kind);
    }

    private static void Accumulate(Span<ulong> acc, ReadOnlySpan<byte> data, ReadOnlySpan<byte> secret, int stripes, Kind kind)
    {
        for (int n = 0; n < stripes; n++)
            Stripe(acc, data.Slice(n * XxHash3.StripeLength, XxHash3.StripeLength), secret[(n * SecretConsumeRate)..], kind);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Stripe(Span<ulong> acc, ReadOnlySpan<byte> stripe, ReadOnlySpan<byte> key, Kind kind)
    {
        switch (kind)
        {
            case Kind.Vector512: StripeVector512(acc, stripe, key); break;
            case Kind.Vector256: StripeVector256(acc, stripe, key); break;
            default: StripeScalar(acc, stripe, key); break;
        }
    }

    private static void Scramble(Span<ulong> acc, ReadOnlySpan<byte> key, Kind kind)
    {
        if (kind == Kind.Vector512) ScrambleVector512(acc, key);
        else ScrambleScalar(acc, key);
    }

    internal static void StripeScalar(Span<ulong> acc, ReadOnlySpan<byte> stripe, ReadOnlySpan<byte> key)
    {
        for (int i = 0; i < Lanes; i++)
        {
            ulong value = XxHash3.Read64(stripe, 8 * i);
            ulong keyed = value ^ XxHash3.Read64(key, 8 * i);
            acc[i ^ 1] += value;
            acc[i] += (keyed & 0xFFFF_FFFF) * (keyed >> 32);
        }
    }

    internal static void ScrambleScalar(Span<ulong> acc, ReadOnlySpan<byte> key)
    {
        for (int i = 0; i < Lanes; i++)
        {
            ulong a = acc[i];
            a ^= a >> 47;
            a ^= XxHash3.Read64(key, 8 * i);
            acc[i] = a * XxHash3.ScramblePrime;
        }
    }

    internal static void StripeVector512(Span<ulong> acc, ReadOnlySpan<byte> stripe, ReadOnlySpan<byte> key)
    {
        ref ulong a = ref MemoryMarshal.GetReference(acc);
        Vector512<ulong> value = Vector512.Create(stripe[..64]).AsUInt64();
        Vector512<ulong> keyed = value ^ Vector512.Create(key[..64]).AsUInt64();
        // vpmuludq multiplies the low 32 bits of each lane: lo32(keyed) · lo32(keyed >> 32).
        Vector512<ulong> product = Avx512F.Multiply(keyed.AsUInt32(), (keyed >>> 32).AsUInt32());
        // Swap the two 64-bit halves of each 128-bit lane (pshufd 0x4E) to add value into acc[i ^ 1].
        Vector512<ulong> swapped = Avx512F.Shuffle(value.AsUInt32(), 0x4E).AsUInt64();
        (Vector512.LoadUnsafe(ref a) + product + swapped).StoreUnsafe(ref a);
    }

    internal static void StripeVector256(Span<ulong> acc, ReadOnlySpan<byte> stripe, ReadOnlySpan<byte> key)
    {
        ref ulong a = ref MemoryMarshal.GetReference(acc);
        for (int half = 0; half < 2; half++)
        {
            Vector256<ulong> value = Vector256.Create(stripe.Slice(32 * half, 32)).AsUInt64();
            Vector256<ulong> keyed = value ^ Vector256.Create(key.Slice(32 * half, 32)).AsUInt64();
            Vector256<ulong> product = Avx2.Multiply(keyed.AsUInt32(), (keyed >>> 32).AsUInt32());
            Vector256<ulong> swapped = Avx2.Shuffle(value.AsUInt32(), 0x4E).AsUInt64();
            (Vector256.LoadUnsafe(ref a, (nuint)(4 * half)) + product + swapped).StoreUnsafe(ref a, (nuint)(4 * half));
        }
    }

    internal static void ScrambleVector512(Span<ulong> acc, ReadOnlySpan<byte> key)
    {
        ref ulong a = ref MemoryMarshal.GetReference(acc);
        Vector512<ulong> v = Vector512.LoadUnsafe(ref a);
        v ^= v >>> 47;
        v ^= Vector512.Create(key[..64]).AsUInt64();
        // 64 × 32-bit multiply by the 32-bit prime: lo·P + (hi·P << 32).
        Vector512<uint> prime = Vector512.Create((uint)XxHash3.ScramblePrime);
        Vector512<ulong> lo = Avx512F.Multiply(v.AsUInt32(), prime);
        Vector512<ulong> hi = Avx512F.Multiply((v >>> 32).AsUInt32(), prime);
        (lo + (hi << 32)).StoreUnsafe(ref a);
    }
}
