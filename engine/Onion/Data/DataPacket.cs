using System.Buffers.Binary;
using System.Security.Cryptography;
using Engine.Onion.Setup;

namespace Engine.Onion.Data;

/// <summary>
/// Data packets of SPEC.md §1.3. Forward: link id (16) ‖ sequence (8) ‖ header (Sphinx, block body = flags ‖
/// expiry) ‖ payload length (4) ‖ payload (AES-256-GCM under the destination's key: ciphertext ‖ tag) ‖ σ (Schnorr
/// under the per-link key, over SHA-256(m) ‖ sequence). Backward: link id (16) ‖ sequence (8) ‖ body length (4) ‖
/// body (AES-256-GCM of expiry ‖ m' under the destination's key, plus one keystream layer per relay).
/// Sizes never change along the path.
/// </summary>
internal static class DataPacket
{
    public const byte FlagFinal = 1, FlagReencrypt = 2;
    public const int SequenceSize = 8, LengthSize = 4, TagSize = 16;
    public const int BlockBodySize = 1 + 8;
    public const int BlockSize = BlockBodySize + SetupLayout.MacSize;
    public static readonly int HeaderSize = SphinxHeader.Size(BlockSize);
    public static readonly int PayloadOffset = SetupLayout.LinkIdSize + SequenceSize + HeaderSize + LengthSize;
    public const int MaxMessageBytes = 1 << 20;

    public static int ForwardSize(int messageLength, int signatureSize) => PayloadOffset + messageLength + TagSize + signatureSize;

    public static int BackwardSize(int messageLength) => SetupLayout.LinkIdSize + SequenceSize + LengthSize + 8 + messageLength + TagSize;

    /// <summary>GCM nonce: direction byte, three zero bytes, the 64-bit sequence number.</summary>
    public static void Nonce(byte direction, ulong sequence, Span<byte> nonce)
    {
        nonce.Clear();
        nonce[0] = direction;
        BinaryPrimitives.WriteUInt64BigEndian(nonce[4..], sequence);
    }

    public const int SignedDigestSize = 32 + SequenceSize;

    /// <summary>What σ signs: SHA-256(m) ‖ sequence.</summary>
    public static void SignedDigest(ReadOnlySpan<byte> message, ulong sequence, Span<byte> digest)
    {
        SHA256.HashData(message, digest);
        BinaryPrimitives.WriteUInt64BigEndian(digest[32..], sequence);
    }
}
