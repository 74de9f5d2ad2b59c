using System.Buffers.Binary;
using System.Security.Cryptography;
using Engine.Onion.Keys;
using Engine.Primitives.Aead;
using Engine.Primitives.Groups;

namespace Engine.Onion.Setup;

/// <summary>What a node learns from its routing block.</summary>
internal readonly record struct RoutingInfo(bool IsFinal, string NextHandle, long ExpiresAtUnixMs);

/// <summary>
/// The Sphinx-style setup header of SPEC.md §1.2 (Danezis and Goldberg, "Sphinx: a compact and provably secure mix
/// format", IEEE S&amp;P 2009, §3, with the per-hop group element replaced by the paper's certificateless block
/// CLEnc(pk_j, Y_j)). Each hop decrypts β with its keystream after checking γ, reads its routing block from the
/// front and shifts the rest left; the sender's precomputed filler makes the bytes that appear at the end exactly
/// what the next hop's MAC expects, so the packet size never changes and no hop learns its position.
/// </summary>
internal static class SetupOnion
{
    private const byte FlagForward = 0, FlagFinal = 1;

    /// <summary>
    /// Builds the header (CL₀ ‖ β₀ ‖ γ₀) for hops 0…n−1 (the last is the destination) whose secrets and encoded
    /// CL blocks the caller has prepared. <paramref name="finalPayload"/> (at most 2E bytes) rides in the
    /// destination's block.
    /// </summary>
    public static void Build(SetupLayout layout, IReadOnlyList<HopSecrets> secrets, IReadOnlyList<byte[]> clBlocks,
                             IReadOnlyList<string> handles, long expiresAtUnixMs, ReadOnlySpan<byte> finalPayload, Span<byte> header)
    {
        int n = secrets.Count, b = layout.BlockSize, t = layout.BetaSize;
        if (n < 2 || n > SetupLayout.Slots) throw new ArgumentOutOfRangeException(nameof(secrets), "A path has 1 to 8 relays plus the destination.");

        // Fillers: φ_i = (φ_{i−1} ‖ 0^b) ⊕ PRG_{i−1}[T − (i−1)b, T + b).
        byte[] filler = [];
        for (int i = 1; i < n; i++)
        {
            byte[] next = new byte[i * b];
            filler.CopyTo(next, 0);
            AesCtr.Xor(secrets[i - 1].HeaderStream, t - (i - 1) * b, next);
            filler = next;
        }

        // The destination's β: (final block ‖ random) ⊕ PRG, then the filler.
        byte[] beta = new byte[t];
        Span<byte> head = beta.AsSpan(0, t - (n - 1) * b);
        RandomNumberGenerator.Fill(head);
        WriteBlock(layout, head[..b], finalPayload, FlagFinal, handle: null, expiresAtUnixMs, nextMac: default);
        AesCtr.Xor(secrets[n - 1].HeaderStream, 0, head);
        filler.CopyTo(beta, t - (n - 1) * b);
        byte[] mac = new byte[SetupLayout.MacSize];
        HMACSHA256.HashData(secrets[n - 1].HeaderMac, beta, mac);

        // Wrap outwards: β_i = (block_i ‖ β_{i+1}[0, T − b)) ⊕ PRG_i[0, T); γ_i = MAC_i(β_i).
        for (int i = n - 2; i >= 0; i--)
        {
            byte[] outer = new byte[t];
            WriteBlock(layout, outer.AsSpan(0, b), clBlocks[i + 1], FlagForward, handles[i + 1], expiresAtUnixMs, mac);
            beta.AsSpan(0, t - b).CopyTo(outer.AsSpan(b));
            AesCtr.Xor(secrets[i].HeaderStream, 0, outer);
            beta = outer;
            HMACSHA256.HashData(secrets[i].HeaderMac, beta, mac);
        }

        clBlocks[0].CopyTo(header);
        beta.CopyTo(header[layout.ClBlockSize..]);
        mac.CopyTo(header[(layout.ClBlockSize + t)..]);
    }

    private static void WriteBlock(SetupLayout layout, Span<byte> block, ReadOnlySpan<byte> clOrPayload, byte flag, string? handle,
                                   long expiresAtUnixMs, ReadOnlySpan<byte> nextMac)
    {
        int o = 0;
        block[..layout.ClBlockSize].Clear();
        clOrPayload.CopyTo(block);
        o += layout.ClBlockSize;
        block[o++] = flag;
        Span<byte> h = block.Slice(o, SetupLayout.HandleSize);
        if (handle is null) h.Clear(); else Convert.FromHexString(handle, h, out _, out _);
        o += SetupLayout.HandleSize;
        BinaryPrimitives.WriteInt64BigEndian(block[o..], expiresAtUnixMs);
        o += 8;
        Span<byte> m = block.Slice(o, SetupLayout.MacSize);
        if (nextMac.IsEmpty) m.Clear(); else nextMac.CopyTo(m);
    }

    /// <summary>
    /// A node's step on a header (CL ‖ β ‖ γ): recover Y from the CL block, K = Y^x, check γ, decrypt and shift.
    /// On success <paramref name="nextHeader"/> holds the header for the next hop (same size) and
    /// <paramref name="finalPayload"/> the destination's 2E-byte payload area when the block is final.
    /// Statuses: decoding statuses of Y, <see cref="EngineStatus.VerificationFailed"/> (γ), <see cref="EngineStatus.Malformed"/> (flag).
    /// </summary>
    public static EngineStatus Peel(SetupLayout layout, CertificatelessPrivateKey key, ReadOnlySpan<byte> header, Span<byte> nextHeader,
                                    Span<byte> finalPayload, Span<byte> encodedY, out RoutingInfo routing, out HopSecrets? secrets)
    {
        routing = default;
        secrets = null;
        PrimeOrderGroup group = key.PublicKey.Parameters.Group;
        int e = layout.ElementSize, b = layout.BlockSize, t = layout.BetaSize, cl = layout.ClBlockSize;
        ReadOnlySpan<byte> clBlock = header[..cl], beta = header.Slice(cl, t), gamma = header.Slice(cl + t, SetupLayout.MacSize);

        EngineStatus status = CertificatelessEncryption.Decrypt(key, clBlock, encodedY, CertificatelessMode.Xor);
        if (status != EngineStatus.Ok) return status;
        Span<ulong> y = stackalloc ulong[group.ElementLimbs], k = stackalloc ulong[group.ElementLimbs];
        status = group.Decode(encodedY, y);
        if (status != EngineStatus.Ok) return status;
        group.Pow(y, key.Secret, k);                                  // K_j = Y_j^x_j
        byte[] encodedK = new byte[e];
        group.Encode(k, encodedK);
        var hop = new HopSecrets(encodedK, encodedY);
        CryptographicOperations.ZeroMemory(encodedK);
        k.Clear();

        Span<byte> mac = stackalloc byte[SetupLayout.MacSize];
        HMACSHA256.HashData(hop.HeaderMac, beta, mac);
        if (!CryptographicOperations.FixedTimeEquals(mac, gamma))
        {
            hop.Dispose();
            return EngineStatus.VerificationFailed;
        }

        byte[] shifted = new byte[t + b];
        beta.CopyTo(shifted);
        AesCtr.Xor(hop.HeaderStream, 0, shifted);
        ReadOnlySpan<byte> block = shifted.AsSpan(0, b);
        byte flag = block[cl];
        if (flag > FlagFinal)
        {
            hop.Dispose();
            return EngineStatus.Malformed;
        }
        string handle = Convert.ToHexStringLower(block.Slice(cl + 1, SetupLayout.HandleSize));
        long expires = BinaryPrimitives.ReadInt64BigEndian(block[(cl + 1 + SetupLayout.HandleSize)..]);
        routing = new RoutingInfo(flag == FlagFinal, handle, expires);
        if (flag == FlagFinal)
        {
            block[..cl].CopyTo(finalPayload);
        }
        else
        {
            block[..cl].CopyTo(nextHeader);                                        // CL_{j+1}
            shifted.AsSpan(b, t).CopyTo(nextHeader[cl..]);                          // β_{j+1}
            block.Slice(cl + 1 + SetupLayout.HandleSize + 8, SetupLayout.MacSize).CopyTo(nextHeader[(cl + t)..]); // γ_{j+1}
        }
        secrets = hop;
        return EngineStatus.Ok;
    }

    /// <summary>An ACK slot: enc(Y') ‖ HMAC(ack MAC key, "onion/ack" ‖ enc(Y')).</summary>
    public static void WriteAckSlot(HopSecrets secrets, ReadOnlySpan<byte> encodedYPrime, Span<byte> slot)
    {
        encodedYPrime.CopyTo(slot);
        AckMac(secrets, encodedYPrime, slot[encodedYPrime.Length..]);
    }

    public static void AckMac(HopSecrets secrets, ReadOnlySpan<byte> encodedYPrime, Span<byte> mac)
    {
        ReadOnlySpan<byte> label = "onion/ack"u8;
        byte[] input = new byte[label.Length + encodedYPrime.Length];
        label.CopyTo(input);
        encodedYPrime.CopyTo(input.AsSpan(label.Length));
        HMACSHA256.HashData(secrets.AckMac, input, mac);
    }
}
