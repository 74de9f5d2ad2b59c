using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Engine.Primitives.Aead;

/// <summary>
/// AES-256 in counter mode as a keystream (NIST SP 800-38A): block i is AES_K(nonce ‖ i), nonce and block counter
/// 64-bit big-endian. Used for the length-preserving layers of the onion packets: setup keys are used once (nonce
/// 0), data keys once per packet sequence number (the nonce). Integrity comes from the MAC beside each layer.
/// </summary>
internal static class AesCtr
{
    private const int BlockSize = 16;

    /// <summary>destination ^= keystream(key)[offset … offset + destination.Length).</summary>
    public static void Xor(ReadOnlySpan<byte> key, long offset, Span<byte> destination, ulong nonce = 0)
    {
        if (destination.IsEmpty) return;
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
            using Aes aes = Aes.Create();
            aes.SetKey(key);
            aes.EncryptEcb(s, s, PaddingMode.None);
            Engine.Primitives.Xor.XorKernels.XorInPlace(destination, s.Slice(skip, destination.Length));
            CryptographicOperations.ZeroMemory(s);
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(stream);
        }
    }
}
