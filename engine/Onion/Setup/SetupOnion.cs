using System.Buffers.Binary;
using System.Security.Cryptography;
using Engine.Onion.Keys;
using Engine.Primitives.Aead;
using Engine.Primitives.Batching;
using Engine.Primitives.Groups;

namespace Engine.Onion.Setup;

/// <summary>What a node learns from its routing block.</summary>
internal readonly record struct RoutingInfo(bool IsFinal, string NextHandle, long ExpiresAtUnixMs);

/// <summary>The outcome of a hop's step on a setup header: on Ok, the routing block and the hop's secrets.</summary>
internal readonly record struct PeelResult(EngineStatus Status, RoutingInfo Routing, HopSecrets? Secrets);

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
    /// A node's step on a header (CL ‖ β ‖ γ): Z = W^x recovers Y from the CL block, K = Y^x, then γ is checked and
    /// β decrypted and shifted. Both exponentiations (and the membership checks of W and Y) go through
    /// <paramref name="batcher"/> when there is one, so concurrent setups share the batched lanes; without one the
    /// task completes synchronously. On success <paramref name="nextHeader"/> holds the header for the next hop
    /// (same size), <paramref name="y"/> the validated Y_j in working form (kept for the ACK, so it is not validated
    /// twice), and <paramref name="finalPayload"/> the destination's 2E-byte payload area when the block is final.
    /// Statuses: decoding statuses of W and Y, <see cref="EngineStatus.VerificationFailed"/> (γ),
    /// <see cref="EngineStatus.Malformed"/> (flag).
    /// </summary>
    public static async ValueTask<PeelResult> PeelAsync(SetupLayout layout, CertificatelessPrivateKey key, ReadOnlyMemory<byte> header,
                                                        Memory<byte> nextHeader, Memory<byte> finalPayload, Memory<byte> encodedY,
                                                        Memory<ulong> y, ModExpBatcher? batcher)
    {
        PrimeOrderGroup group = key.PublicKey.Parameters.Group;
        int n = group.ElementLimbs, e = layout.ElementSize, cl = layout.ClBlockSize;
        ulong[] work = new ulong[2 * n];                                      // W then K; Z
        try
        {
            // Z = W^x_j (the CL decryption of SPEC §1.1), then Y_j = H2(Z) ⊕ c3.
            ValueTask<EngineStatus> first = group.DecodeAndPowAsync(header.Span[..e], key.Secret, work.AsMemory(0, n), work.AsMemory(n, n), batcher);
            EngineStatus status = await first.ConfigureAwait(false);
            if (status != EngineStatus.Ok) return new PeelResult(status, default, null);
            CertificatelessEncryption.Open(key.PublicKey.Parameters, key.PublicKey.Id, header.Span[..e], work.AsSpan(n, n),
                                           header.Span[e..cl], encodedY.Span, CertificatelessMode.Xor);

            // K_j = Y_j^x_j.
            ValueTask<EngineStatus> second = group.DecodeAndPowAsync(encodedY.Span, key.Secret, y, work.AsMemory(0, n), batcher);
            status = await second.ConfigureAwait(false);
            if (status != EngineStatus.Ok) return new PeelResult(status, default, null);
            return Unwrap(layout, group, work.AsSpan(0, n), header.Span, nextHeader.Span, finalPayload.Span, encodedY.Span);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(System.Runtime.InteropServices.MemoryMarshal.AsBytes(work.AsSpan()));
        }
    }

    /// <summary>The symmetric part of a hop's step, once K_j is known.</summary>
    private static PeelResult Unwrap(SetupLayout layout, PrimeOrderGroup group, ReadOnlySpan<ulong> k, ReadOnlySpan<byte> header,
                                     Span<byte> nextHeader, Span<byte> finalPayload, ReadOnlySpan<byte> encodedY)
    {
        int b = layout.BlockSize, t = layout.BetaSize, cl = layout.ClBlockSize;
        byte[] encodedK = new byte[layout.ElementSize];
        group.Encode(k, encodedK);
        var hop = new HopSecrets(encodedK, encodedY);
        CryptographicOperations.ZeroMemory(encodedK);

        byte[] body = new byte[b - SetupLayout.MacSize];
        byte[] rest = new byte[t + SetupLayout.MacSize];
        if (!SphinxHeader.Peel(b, hop.HeaderStream.Span, hop.HeaderMac.Span, 0, header[cl..], body, rest))
        {
            hop.Dispose();
            return new PeelResult(EngineStatus.VerificationFailed, default, null);
        }
        byte flag = body[cl];
        if (flag > FlagFinal)
        {
            hop.Dispose();
            return new PeelResult(EngineStatus.Malformed, default, null);
        }
        string handle = Convert.ToHexStringLower(body.AsSpan(cl + 1, SetupLayout.HandleSize));
        long expires = BinaryPrimitives.ReadInt64BigEndian(body.AsSpan(cl + 1 + SetupLayout.HandleSize));
        if (flag == FlagFinal)
        {
            body.AsSpan(0, cl).CopyTo(finalPayload);
        }
        else
        {
            body.AsSpan(0, cl).CopyTo(nextHeader);                         // CL_{j+1}
            rest.CopyTo(nextHeader[cl..]);                                  // β_{j+1} ‖ γ_{j+1}
        }
        return new PeelResult(EngineStatus.Ok, new RoutingInfo(flag == FlagFinal, handle, expires), hop);
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
