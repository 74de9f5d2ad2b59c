using System.Security.Cryptography;
using Engine.Primitives.Aead;

namespace Engine.Onion.Setup;

/// <summary>
/// The length-preserving layered header shared by link setup and data packets (Danezis and Goldberg, "Sphinx",
/// IEEE S&amp;P 2009, §3): β is <see cref="SetupLayout.Slots"/> blocks under per-hop AES-CTR keystreams and γ is
/// HMAC-SHA256(nonce ‖ β) under the hop's MAC key. A block is a caller-defined body followed by the next hop's γ.
/// The nonce (the packet's sequence number for data packets, 0 for single-use setup keys) is under the MAC, so a
/// header cannot be replayed under another sequence number.
/// </summary>
internal static class SphinxHeader
{
    private const int MacSize = SetupLayout.MacSize;

    /// <summary>Bytes of β ‖ γ for a block size.</summary>
    public static int Size(int blockSize) => SetupLayout.Slots * blockSize + MacSize;

    /// <summary>
    /// Builds β₀ ‖ γ₀ for n hops from each hop's block body (blockSize − 32 bytes); the last body is the final
    /// hop's. Fillers make each hop's shifted tail match the next hop's MAC (φ_i = (φ_{i−1} ‖ 0^b) ⊕
    /// PRG_{i−1}[T − (i−1)b, T + b)).
    /// </summary>
    public static void Build(int blockSize, IReadOnlyList<ReadOnlyMemory<byte>> streamKeys, IReadOnlyList<ReadOnlyMemory<byte>> macKeys, ulong nonce,
                             IReadOnlyList<byte[]> bodies, Span<byte> header)
    {
        int n = bodies.Count, b = blockSize, t = SetupLayout.Slots * b;
        byte[] filler = [];
        for (int i = 1; i < n; i++)
        {
            byte[] next = new byte[i * b];
            filler.CopyTo(next, 0);
            AesCtr.Xor(streamKeys[i - 1].Span, t - (i - 1) * b, next, nonce);
            filler = next;
        }

        byte[] beta = new byte[t];
        Span<byte> head = beta.AsSpan(0, t - (n - 1) * b);
        RandomNumberGenerator.Fill(head);
        bodies[n - 1].CopyTo(head);
        head.Slice(b - MacSize, MacSize).Clear();
        AesCtr.Xor(streamKeys[n - 1].Span, 0, head, nonce);
        filler.CopyTo(beta, t - (n - 1) * b);
        byte[] mac = new byte[MacSize];
        Mac(macKeys[n - 1].Span, nonce, beta, mac);

        for (int i = n - 2; i >= 0; i--)
        {
            byte[] outer = new byte[t];
            bodies[i].CopyTo(outer, 0);
            mac.CopyTo(outer, b - MacSize);
            beta.AsSpan(0, t - b).CopyTo(outer.AsSpan(b));
            AesCtr.Xor(streamKeys[i].Span, 0, outer, nonce);
            beta = outer;
            Mac(macKeys[i].Span, nonce, beta, mac);
        }
        beta.CopyTo(header);
        mac.CopyTo(header[t..]);
    }

    /// <summary>
    /// One hop's step: checks γ (false if it does not match, and nothing is written), then writes its block body
    /// to <paramref name="body"/> and the next hop's β ‖ γ to <paramref name="next"/>.
    /// </summary>
    public static bool Peel(int blockSize, ReadOnlySpan<byte> streamKey, ReadOnlySpan<byte> macKey, ulong nonce,
                            ReadOnlySpan<byte> header, Span<byte> body, Span<byte> next)
    {
        int b = blockSize, t = SetupLayout.Slots * b;
        if (!MacMatches(macKey, nonce, header)) return false;
        byte[] shifted = new byte[t + b];
        header[..t].CopyTo(shifted);
        AesCtr.Xor(streamKey, 0, shifted, nonce);
        shifted.AsSpan(0, b - MacSize).CopyTo(body);
        shifted.AsSpan(b, t).CopyTo(next);
        shifted.AsSpan(b - MacSize, MacSize).CopyTo(next[t..]);
        return true;
    }

    /// <summary>γ = HMAC(nonce ‖ β) checked in constant time against the header's last 32 bytes.</summary>
    private static bool MacMatches(ReadOnlySpan<byte> macKey, ulong nonce, ReadOnlySpan<byte> header)
    {
        int t = header.Length - MacSize;
        Span<byte> mac = stackalloc byte[MacSize];
        Mac(macKey, nonce, header[..t], mac);
        return CryptographicOperations.FixedTimeEquals(mac, header[t..]);
    }

    /// <summary>
    /// Decrypts only the first block body (the caller checks γ first): a hop can read its flags and expiry and
    /// refuse the packet before it changes a byte.
    /// </summary>
    public static void ReadBody(ReadOnlySpan<byte> streamKey, ulong nonce, ReadOnlySpan<byte> header, Span<byte> body)
    {
        header[..body.Length].CopyTo(body);
        AesCtr.Xor(streamKey, 0, body, nonce);
    }

    /// <summary>
    /// The same step as <see cref="Peel"/> done in place, without allocating, on a header whose γ has been checked:
    /// β is decrypted, shifted left by one block, the block of keystream past β's end becomes its tail, and the
    /// next hop's γ moves into place.
    /// </summary>
    public static void ShiftInPlace(int blockSize, ReadOnlySpan<byte> streamKey, ulong nonce, Span<byte> header)
    {
        int b = blockSize, t = SetupLayout.Slots * b;
        Span<byte> nextMac = stackalloc byte[MacSize];
        Span<byte> tail = stackalloc byte[b];
        tail.Clear();
        AesCtr.Xor(streamKey, 0, header[..t], nonce);
        AesCtr.Xor(streamKey, t, tail, nonce);
        header.Slice(b - MacSize, MacSize).CopyTo(nextMac);
        header[b..t].CopyTo(header);                                // overlapping move to the left
        tail.CopyTo(header[(t - b)..t]);
        nextMac.CopyTo(header[t..]);
        tail.Clear();
    }

    /// <summary>
    /// HMAC-SHA256(key, nonce ‖ β) with the one-shot API (no IncrementalHash object): the input is assembled in a
    /// stack buffer for data headers and a pooled one for the larger setup headers.
    /// </summary>
    private static void Mac(ReadOnlySpan<byte> key, ulong nonce, ReadOnlySpan<byte> beta, Span<byte> mac)
    {
        int length = 8 + beta.Length;
        byte[]? rented = length > 1024 ? System.Buffers.ArrayPool<byte>.Shared.Rent(length) : null;
        Span<byte> input = rented is null ? stackalloc byte[length] : rented.AsSpan(0, length);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(input, nonce);
        beta.CopyTo(input[8..]);
        HMACSHA256.HashData(key, input, mac);
        if (rented is not null) System.Buffers.ArrayPool<byte>.Shared.Return(rented);
    }
}
