using System.Buffers;
using System.Security.Cryptography;

namespace Engine.Pairing.HashToCurve;

/// <summary>expand_message_xmd with SHA-256 (RFC 9380 §5.3.1), including the oversize-DST rule of §5.3.3.</summary>
public static class ExpandMessageXmd
{
    private const int HashBytes = 32, BlockBytes = 64;

    /// <summary>Largest output: 255 hash blocks.</summary>
    public const int MaxOutputBytes = 255 * HashBytes;

    /// <summary>
    /// Fills <paramref name="destination"/> (1…8160 bytes) with uniform bytes derived from msg and DST.
    /// A DST longer than 255 bytes is replaced by SHA-256("H2C-OVERSIZE-DST-" ‖ DST).
    /// </summary>
    /// <exception cref="ArgumentException">The output length is 0 or above 8160, or the DST is empty.</exception>
    public static void Expand(ReadOnlySpan<byte> message, ReadOnlySpan<byte> dst, Span<byte> destination)
    {
        int length = destination.Length;
        if (length is 0 or > MaxOutputBytes) throw new ArgumentException("Output must be 1 to 8160 bytes.", nameof(destination));
        if (dst.IsEmpty) throw new ArgumentException("The domain separation tag must not be empty.", nameof(dst));

        Span<byte> dstHash = stackalloc byte[HashBytes];
        scoped ReadOnlySpan<byte> tag = dst;
        if (dst.Length > 255)
        {
            ReadOnlySpan<byte> prefix = "H2C-OVERSIZE-DST-"u8;
            byte[] joined = ArrayPool<byte>.Shared.Rent(prefix.Length + dst.Length);
            prefix.CopyTo(joined);
            dst.CopyTo(joined.AsSpan(prefix.Length));
            SHA256.HashData(joined.AsSpan(0, prefix.Length + dst.Length), dstHash);
            ArrayPool<byte>.Shared.Return(joined);
            tag = dstHash;
        }

        // msg_prime = Z_pad ‖ msg ‖ I2OSP(len, 2) ‖ 0x00 ‖ DST ‖ I2OSP(len(DST), 1)
        int primeLength = BlockBytes + message.Length + 3 + tag.Length + 1;
        byte[]? rented = null;
        Span<byte> prime = primeLength <= 512 ? stackalloc byte[512] : (rented = ArrayPool<byte>.Shared.Rent(primeLength));
        prime = prime[..primeLength];
        prime[..BlockBytes].Clear();
        message.CopyTo(prime[BlockBytes..]);
        int o = BlockBytes + message.Length;
        prime[o++] = (byte)(length >> 8);
        prime[o++] = (byte)length;
        prime[o++] = 0;
        tag.CopyTo(prime[o..]);
        prime[o + tag.Length] = (byte)tag.Length;

        Span<byte> b0 = stackalloc byte[HashBytes];
        SHA256.HashData(prime, b0);
        // msg_prime holds the message, which may be secret: wipe it before the buffer goes back.
        CryptographicOperations.ZeroMemory(prime);
        if (rented is not null) ArrayPool<byte>.Shared.Return(rented);

        // b_i = H((b0 XOR b_{i−1}) ‖ I2OSP(i, 1) ‖ DST ‖ I2OSP(len(DST), 1)), b_0 XOR b_0 = 0 for i = 1.
        Span<byte> input = stackalloc byte[HashBytes + 1 + 255 + 1];
        input = input[..(HashBytes + 1 + tag.Length + 1)];
        tag.CopyTo(input[(HashBytes + 1)..]);
        input[^1] = (byte)tag.Length;
        Span<byte> previous = stackalloc byte[HashBytes];
        previous.Clear();
        int blocks = (length + HashBytes - 1) / HashBytes;
        for (int i = 1; i <= blocks; i++)
        {
            for (int j = 0; j < HashBytes; j++) input[j] = (byte)(b0[j] ^ previous[j]);
            input[HashBytes] = (byte)i;
            SHA256.HashData(input, previous);
            int offset = (i - 1) * HashBytes;
            previous[..Math.Min(HashBytes, length - offset)].CopyTo(destination[offset..]);
        }
        CryptographicOperations.ZeroMemory(b0);
        CryptographicOperations.ZeroMemory(previous);
        CryptographicOperations.ZeroMemory(input[..HashBytes]);
    }
}
