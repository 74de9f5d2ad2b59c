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
        int n = secrets.Count, b = layout.BlockSize;
        if (n < 2 || n > SetupLayout.Slots) throw new ArgumentOutOfRangeException(nameof(secrets), "A path has 1 to 8 relays plus the destination.");
        var bodies = new byte[n][];
        for (int i = 0; i < n; i++)
        {
            bodies[i] = new byte[b - SetupLayout.MacSize];
            if (i < n - 1) WriteBody(layout, bodies[i], clBlocks[i + 1], FlagForward, handles[i + 1], expiresAtUnixMs);
            else WriteBody(layout, bodies[i], finalPayload, FlagFinal, handle: null, expiresAtUnixMs);
        }
        clBlocks[0].CopyTo(header);
        SphinxHeader.Build(b, secrets.Select(s => s.HeaderStream).ToList(), secrets.Select(s => s.HeaderMac).ToList(),
                           nonce: 0, bodies, header[layout.ClBlockSize..]);
    }

    private static void WriteBody(SetupLayout layout, Span<byte> body, ReadOnlySpan<byte> clOrPayload, byte flag, string? handle, long expiresAtUnixMs)
    {
        int o = layout.ClBlockSize;
        body[..o].Clear();
        clOrPayload.CopyTo(body);
        body[o++] = flag;
        Span<byte> h = body.Slice(o, SetupLayout.HandleSize);
        if (handle is null) h.Clear(); else Convert.FromHexString(handle, h, out _, out _);
        o += SetupLayout.HandleSize;
        BinaryPrimitives.WriteInt64BigEndian(body[o..], expiresAtUnixMs);
    }

    /// <summary>
    /// A node's step on a header (CL ‖ β ‖ γ): recover Y from the CL block, K = Y^x, check γ, decrypt and shift.
    /// On success <paramref name="nextHeader"/> holds the header for the next hop (same size), <paramref name="y"/> the
    /// validated Y_j in working form (kept for the ACK, so it is not validated twice), and
    /// <paramref name="finalPayload"/> the destination's 2E-byte payload area when the block is final.
    /// Statuses: decoding statuses of Y, <see cref="EngineStatus.VerificationFailed"/> (γ), <see cref="EngineStatus.Malformed"/> (flag).
    /// </summary>
    public static EngineStatus Peel(SetupLayout layout, CertificatelessPrivateKey key, ReadOnlySpan<byte> header, Span<byte> nextHeader,
                                    Span<byte> finalPayload, Span<byte> encodedY, Span<ulong> y, out RoutingInfo routing, out HopSecrets? secrets)
    {
        routing = default;
        secrets = null;
        PrimeOrderGroup group = key.PublicKey.Parameters.Group;
        int e = layout.ElementSize, b = layout.BlockSize, t = layout.BetaSize, cl = layout.ClBlockSize;
        ReadOnlySpan<byte> clBlock = header[..cl];

        EngineStatus status = CertificatelessEncryption.Decrypt(key, clBlock, encodedY, CertificatelessMode.Xor);
        if (status != EngineStatus.Ok) return status;
        Span<ulong> k = stackalloc ulong[group.ElementLimbs];
        status = group.Decode(encodedY, y);
        if (status != EngineStatus.Ok) return status;
        group.Pow(y, key.Secret, k);                                  // K_j = Y_j^x_j
        byte[] encodedK = new byte[e];
        group.Encode(k, encodedK);
        var hop = new HopSecrets(encodedK, encodedY);
        CryptographicOperations.ZeroMemory(encodedK);
        k.Clear();

        byte[] body = new byte[b - SetupLayout.MacSize];
        byte[] rest = new byte[t + SetupLayout.MacSize];
        if (!SphinxHeader.Peel(b, hop.HeaderStream.Span, hop.HeaderMac.Span, 0, header[cl..], body, rest))
        {
            hop.Dispose();
            return EngineStatus.VerificationFailed;
        }
        byte flag = body[cl];
        if (flag > FlagFinal)
        {
            hop.Dispose();
            return EngineStatus.Malformed;
        }
        string handle = Convert.ToHexStringLower(body.AsSpan(cl + 1, SetupLayout.HandleSize));
        long expires = BinaryPrimitives.ReadInt64BigEndian(body.AsSpan(cl + 1 + SetupLayout.HandleSize));
        routing = new RoutingInfo(flag == FlagFinal, handle, expires);
        if (flag == FlagFinal)
        {
            body.AsSpan(0, cl).CopyTo(finalPayload);
        }
        else
        {
            body.AsSpan(0, cl).CopyTo(nextHeader);                         // CL_{j+1}
            rest.CopyTo(nextHeader[cl..]);                                  // β_{j+1} ‖ γ_{j+1}
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
