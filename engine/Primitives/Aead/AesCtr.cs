using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Security.Cryptography;
using Engine.BigInt;
using Engine.Primitives.Xor;
using Sse2 = System.Runtime.Intrinsics.X86.Sse2;
using X86Aes = System.Runtime.Intrinsics.X86.Aes;

namespace Engine.Primitives.Aead;

/// <summary>
/// AES-256 in counter mode as a keystream (NIST SP 800-38A): block i is AES_K(nonce ‖ i), nonce and block counter
/// 64-bit big-endian. Used for the length-preserving layers of the onion packets: setup keys are used once (nonce
/// 0), data keys once per packet sequence number (the nonce). Integrity comes from the MAC beside each layer.
/// </summary>
/// <remarks>
/// With AES-NI the key schedule is expanded on the stack for every call (about 60 instructions, cheaper than a
/// table lookup per link) and eight counter blocks are encrypted at a time, so a call allocates nothing. Without
/// AES-NI, or when <see cref="Kernels.ForceScalar"/> is set, the portable path uses .NET's
/// <see cref="System.Security.Cryptography.Aes"/> (OpenSSL underneath), which allocates a little per call.
/// </remarks>
internal static class AesCtr
{
    private const int BlockSize = 16, Rounds = 14, Interleave = 8;

    /// <summary>True when the AES-NI path is taken.</summary>
    public static bool UsesAesNi => X86Aes.IsSupported && !Kernels.ForceScalar;

    /// <summary>destination ^= keystream(key)[offset … offset + destination.Length).</summary>
    public static void Xor(ReadOnlySpan<byte> key, long offset, Span<byte> destination, ulong nonce = 0)
    {
        if (key.Length != 32) throw new ArgumentException("AES-256 takes a 32-byte key.", nameof(key));
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        if (destination.IsEmpty) return;
        if (UsesAesNi) XorAesNi(key, offset, destination, nonce);
        else XorPortable(key, offset, destination, nonce);
    }

    private static void XorAesNi(ReadOnlySpan<byte> key, long offset, Span<byte> destination, ulong nonce)
    {
        Span<Vector128<byte>> roundKeys = stackalloc Vector128<byte>[Rounds + 1];
        ExpandKey(key, roundKeys);
        ulong counter = (ulong)(offset / BlockSize);
        int skip = (int)(offset % BlockSize);
        ulong nonceBe = BinaryPrimitives.ReverseEndianness(nonce);
        Span<byte> partial = stackalloc byte[BlockSize];

        if (skip != 0)
        {
            // A keystream that starts inside a block: take the block's tail.
            Encrypt1(roundKeys, CounterBlock(nonceBe, counter++)).CopyTo(partial);
            int take = Math.Min(BlockSize - skip, destination.Length);
            XorKernels.XorInPlace(destination[..take], partial.Slice(skip, take));
            destination = destination[take..];
        }

        ref byte d = ref MemoryMarshal.GetReference(destination);
        int blocks = destination.Length / BlockSize, i = 0;
        for (; i + Interleave <= blocks; i += Interleave, counter += Interleave)
            Encrypt8Xor(roundKeys, nonceBe, counter, ref Unsafe.Add(ref d, i * BlockSize));
        for (; i < blocks; i++, counter++)
        {
            ref byte at = ref Unsafe.Add(ref d, i * BlockSize);
            Vector128.StoreUnsafe(Encrypt1(roundKeys, CounterBlock(nonceBe, counter)) ^ Vector128.LoadUnsafe(ref at), ref at);
        }
        int tail = destination.Length - blocks * BlockSize;
        if (tail != 0)
        {
            Encrypt1(roundKeys, CounterBlock(nonceBe, counter)).CopyTo(partial);
            XorKernels.XorInPlace(destination[(blocks * BlockSize)..], partial[..tail]);
        }
        partial.Clear();
        roundKeys.Clear();
    }

    /// <summary>nonce ‖ counter, both big-endian (nonceBe is already byte-swapped).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<byte> CounterBlock(ulong nonceBe, ulong counter)
        => Vector128.Create(nonceBe, BinaryPrimitives.ReverseEndianness(counter)).AsByte();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<byte> Encrypt1(ReadOnlySpan<Vector128<byte>> rk, Vector128<byte> block)
    {
        block ^= rk[0];
        for (int r = 1; r < Rounds; r++) block = X86Aes.Encrypt(block, rk[r]);
        return X86Aes.EncryptLast(block, rk[Rounds]);
    }

    /// <summary>Eight independent blocks per round, so the AES unit's pipeline stays full.</summary>
    private static void Encrypt8Xor(ReadOnlySpan<Vector128<byte>> rk, ulong nonceBe, ulong counter, ref byte data)
    {
        Vector128<byte> k = rk[0];
        Vector128<byte> b0 = CounterBlock(nonceBe, counter) ^ k, b1 = CounterBlock(nonceBe, counter + 1) ^ k;
        Vector128<byte> b2 = CounterBlock(nonceBe, counter + 2) ^ k, b3 = CounterBlock(nonceBe, counter + 3) ^ k;
        Vector128<byte> b4 = CounterBlock(nonceBe, counter + 4) ^ k, b5 = CounterBlock(nonceBe, counter + 5) ^ k;
        Vector128<byte> b6 = CounterBlock(nonceBe, counter + 6) ^ k, b7 = CounterBlock(nonceBe, counter + 7) ^ k;
        for (int r = 1; r < Rounds; r++)
        {
            k = rk[r];
            b0 = X86Aes.Encrypt(b0, k); b1 = X86Aes.Encrypt(b1, k); b2 = X86Aes.Encrypt(b2, k); b3 = X86Aes.Encrypt(b3, k);
            b4 = X86Aes.Encrypt(b4, k); b5 = X86Aes.Encrypt(b5, k); b6 = X86Aes.Encrypt(b6, k); b7 = X86Aes.Encrypt(b7, k);
        }
        k = rk[Rounds];
        XorStore(X86Aes.EncryptLast(b0, k), ref data, 0); XorStore(X86Aes.EncryptLast(b1, k), ref data, 1);
        XorStore(X86Aes.EncryptLast(b2, k), ref data, 2); XorStore(X86Aes.EncryptLast(b3, k), ref data, 3);
        XorStore(X86Aes.EncryptLast(b4, k), ref data, 4); XorStore(X86Aes.EncryptLast(b5, k), ref data, 5);
        XorStore(X86Aes.EncryptLast(b6, k), ref data, 6); XorStore(X86Aes.EncryptLast(b7, k), ref data, 7);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void XorStore(Vector128<byte> stream, ref byte data, int block)
    {
        ref byte at = ref Unsafe.Add(ref data, block * BlockSize);
        Vector128.StoreUnsafe(stream ^ Vector128.LoadUnsafe(ref at), ref at);
    }

    /// <summary>
    /// The AES-256 key schedule (FIPS 197 §5.2) with AESKEYGENASSIST: even round keys take RotWord∘SubWord of the
    /// previous key's last word and a round constant, odd ones SubWord alone. The round constant must be an
    /// immediate, hence the unrolled calls.
    /// </summary>
    internal static void ExpandKey(ReadOnlySpan<byte> key, Span<Vector128<byte>> rk)
    {
        Vector128<byte> a = Vector128.Create(key[..16]), b = Vector128.Create(key[16..32]);
        rk[0] = a;
        rk[1] = b;
        a = NextEven(a, X86Aes.KeygenAssist(b, 0x01)); rk[2] = a; b = NextOdd(b, X86Aes.KeygenAssist(a, 0)); rk[3] = b;
        a = NextEven(a, X86Aes.KeygenAssist(b, 0x02)); rk[4] = a; b = NextOdd(b, X86Aes.KeygenAssist(a, 0)); rk[5] = b;
        a = NextEven(a, X86Aes.KeygenAssist(b, 0x04)); rk[6] = a; b = NextOdd(b, X86Aes.KeygenAssist(a, 0)); rk[7] = b;
        a = NextEven(a, X86Aes.KeygenAssist(b, 0x08)); rk[8] = a; b = NextOdd(b, X86Aes.KeygenAssist(a, 0)); rk[9] = b;
        a = NextEven(a, X86Aes.KeygenAssist(b, 0x10)); rk[10] = a; b = NextOdd(b, X86Aes.KeygenAssist(a, 0)); rk[11] = b;
        a = NextEven(a, X86Aes.KeygenAssist(b, 0x20)); rk[12] = a; b = NextOdd(b, X86Aes.KeygenAssist(a, 0)); rk[13] = b;
        rk[14] = NextEven(a, X86Aes.KeygenAssist(b, 0x40));
    }

    // w[i] = w[i−8] ⊕ f(w[i−1]) for the four words of a round key: a prefix XOR of the previous key's words.
    private static Vector128<byte> PrefixXor(Vector128<byte> x)
    {
        Vector128<byte> shifted = Sse2.ShiftLeftLogical128BitLane(x, 4);
        x ^= shifted;
        shifted = Sse2.ShiftLeftLogical128BitLane(shifted, 4);
        x ^= shifted;
        shifted = Sse2.ShiftLeftLogical128BitLane(shifted, 4);
        return x ^ shifted;
    }

    private static Vector128<byte> NextEven(Vector128<byte> previous, Vector128<byte> assist)
        => PrefixXor(previous) ^ Sse2.Shuffle(assist.AsUInt32(), 0xFF).AsByte();

    private static Vector128<byte> NextOdd(Vector128<byte> previous, Vector128<byte> assist)
        => PrefixXor(previous) ^ Sse2.Shuffle(assist.AsUInt32(), 0xAA).AsByte();

    /// <summary>The portable path: counter blocks encrypted with one ECB call through .NET's AES.</summary>
    internal static void XorPortable(ReadOnlySpan<byte> key, long offset, Span<byte> destination, ulong nonce)
    {
        long firstBlock = offset / BlockSize;
        int skip = (int)(offset % BlockSize);
        int blocks = (skip + destination.Length + BlockSize - 1) / BlockSize;
        byte[] stream = System.Buffers.ArrayPool<byte>.Shared.Rent(blocks * BlockSize);
        try
        {
            Span<byte> s = stream.AsSpan(0, blocks * BlockSize);
            for (int b = 0; b < blocks; b++)
            {
                BinaryPrimitives.WriteUInt64BigEndian(s.Slice(b * BlockSize, 8), nonce);
                BinaryPrimitives.WriteInt64BigEndian(s.Slice(b * BlockSize + 8, 8), firstBlock + b);
            }
            using System.Security.Cryptography.Aes aes = System.Security.Cryptography.Aes.Create();
            aes.SetKey(key);
            aes.EncryptEcb(s, s, PaddingMode.None);
            XorKernels.XorInPlace(destination, s.Slice(skip, destination.Length));
            CryptographicOperations.ZeroMemory(s);
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(stream);
        }
    }
}
