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
        Span<byte> mac = stackalloc byte[MacSize];
        Mac(macKey, nonce, header[..t], mac);
        if (!CryptographicOperations.FixedTimeEquals(mac, header.Slice(t, MacSize))) return false;
        byte[] shifted = new byte[t + b];
        header[..t].CopyTo(shifted);
        AesCtr.Xor(streamKey, 0, shifted, nonce);
        shifted.AsSpan(0, b - MacSize).CopyTo(body);
        shifted.AsSpan(b, t).CopyTo(next);
        shifted.AsSpan(b - MacSize, MacSize).CopyTo(next[t..]);
        return true;
    }

    private static void Mac(ReadOnlySpan<byte> key, ulong nonce, ReadOnlySpan<byte> beta, Span<byte> mac)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key);
        Span<byte> n = stackalloc byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(n, nonce);
        hmac.AppendData(n);
        hmac.AppendData(beta);
        hmac.GetHashAndReset(mac);
    }
}
