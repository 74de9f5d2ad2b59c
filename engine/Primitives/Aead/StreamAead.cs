using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Engine.Primitives.Aead;

/// <summary>
/// The STREAM construction (Hoang, Reyhanitabar, Rogaway and Vizár, 2015) over AES-256-GCM: a payload of any size is
/// cut into chunks of <c>chunkSize</c> bytes, chunk i is sealed under the nonce 0⁷ ‖ i (4 bytes, big-endian) ‖ last,
/// where last is 1 only on the final chunk, and each sealed chunk is its ciphertext followed by its 16-byte tag.
/// Memory stays at two chunks whatever the payload size. Reordered or dropped chunks fail their tag (the counter),
/// a stream cut at a chunk boundary fails (the final chunk it ends on was sealed with last = 0), and chunks spliced in
/// from another stream fail (another key or AAD).
/// </summary>
/// <remarks>
/// The key must be used for one stream only (the protocols derive a fresh key per message); that is why the nonce
/// needs no random prefix. Decryption writes each chunk's plaintext only after its tag verified, so what a failed
/// decryption wrote is a verified prefix: callers that must not act on a prefix write to a temporary place first.
/// </remarks>
public static class StreamAead
{
    /// <summary>Bytes of tag per chunk.</summary>
    public const int TagSize = 16;

    /// <summary>The default chunk size, 64 KiB (SPEC §4.2).</summary>
    public const int DefaultChunkSize = 64 * 1024;

    /// <summary>Largest chunk size accepted (also from headers read off the wire).</summary>
    public const int MaxChunkSize = 16 * 1024 * 1024;

    /// <summary>The length of the sealed stream of a <paramref name="plaintextLength"/>-byte payload.</summary>
    public static long SealedLength(long plaintextLength, int chunkSize)
    {
        CheckChunkSize(chunkSize);
        long chunks = plaintextLength / chunkSize + 1;                   // a full last chunk is followed by none: see Seal
        if (plaintextLength > 0 && plaintextLength % chunkSize == 0) chunks--;
        return plaintextLength + chunks * TagSize;
    }

    /// <summary>Seals everything <paramref name="plaintext"/> yields into <paramref name="sealedOutput"/>; returns the bytes written.</summary>
    /// <exception cref="ArgumentException">The key is not 32 bytes or the chunk size is out of range.</exception>
    public static long Seal(ReadOnlySpan<byte> key, ReadOnlySpan<byte> aad, Stream plaintext, Stream sealedOutput, int chunkSize = DefaultChunkSize)
    {
        CheckChunkSize(chunkSize);
        using var aes = new AesGcm(key, TagSize);
        byte[] current = ArrayPool<byte>.Shared.Rent(chunkSize + TagSize), next = ArrayPool<byte>.Shared.Rent(chunkSize + TagSize);
        Span<byte> nonce = stackalloc byte[12];
        long written = 0;
        try
        {
            int length = Fill(plaintext, current, chunkSize);
            for (uint counter = 0; ; counter++)
            {
                int nextLength = length == chunkSize ? Fill(plaintext, next, chunkSize) : 0;
                bool last = length < chunkSize || nextLength == 0;
                MakeNonce(nonce, counter, last);
                // In place: the chunk becomes its ciphertext and the tag follows it.
                aes.Encrypt(nonce, current.AsSpan(0, length), current.AsSpan(0, length), current.AsSpan(length, TagSize), aad);
                sealedOutput.Write(current, 0, length + TagSize);
                written += length + TagSize;
                if (last) return written;
                if (counter == uint.MaxValue) throw new ArgumentException("The payload has more than 2^32 chunks; use a larger chunk size.", nameof(plaintext));
                (current, next) = (next, current);
                length = nextLength;
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(current);
            CryptographicOperations.ZeroMemory(next);
            ArrayPool<byte>.Shared.Return(current);
            ArrayPool<byte>.Shared.Return(next);
        }
    }

    /// <summary>
    /// Opens a sealed stream into <paramref name="plaintextOutput"/> chunk by chunk; returns the plaintext bytes written.
    /// </summary>
    /// <exception cref="EngineException"><see cref="EngineStatus.VerificationFailed"/>: a chunk failed its tag, or the
    /// stream was cut, reordered or spliced. Chunks before the bad one have been written.</exception>
    public static long Open(ReadOnlySpan<byte> key, ReadOnlySpan<byte> aad, Stream sealedInput, Stream plaintextOutput, int chunkSize = DefaultChunkSize)
    {
        CheckChunkSize(chunkSize);
        using var aes = new AesGcm(key, TagSize);
        int sealedSize = chunkSize + TagSize;
        byte[] current = ArrayPool<byte>.Shared.Rent(sealedSize), next = ArrayPool<byte>.Shared.Rent(sealedSize);
        Span<byte> nonce = stackalloc byte[12];
        long written = 0;
        try
        {
            int length = Fill(sealedInput, current, sealedSize);
            for (uint counter = 0; ; counter++)
            {
                if (length < TagSize) throw new EngineException(EngineStatus.VerificationFailed, "The encrypted payload is truncated.");
                int nextLength = length == sealedSize ? Fill(sealedInput, next, sealedSize) : 0;
                bool last = length < sealedSize || nextLength == 0;
                MakeNonce(nonce, counter, last);
                int plainLength = length - TagSize;
                try
                {
                    aes.Decrypt(nonce, current.AsSpan(0, plainLength), current.AsSpan(plainLength, TagSize), current.AsSpan(0, plainLength), aad);
                }
                catch (AuthenticationTagMismatchException)
                {
                    throw new EngineException(EngineStatus.VerificationFailed, $"Chunk {counter} of the encrypted payload failed authentication (tampered, reordered, truncated or from another payload).");
                }
                plaintextOutput.Write(current, 0, plainLength);
                written += plainLength;
                if (last) return written;
                if (counter == uint.MaxValue) throw new EngineException(EngineStatus.VerificationFailed, "The encrypted payload has too many chunks.");
                (current, next) = (next, current);
                length = nextLength;
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(current);
            CryptographicOperations.ZeroMemory(next);
            ArrayPool<byte>.Shared.Return(current);
            ArrayPool<byte>.Shared.Return(next);
        }
    }

    /// <summary>
    /// Seals an in-memory payload into <paramref name="destination"/> (exactly <see cref="SealedLength"/> bytes), chunk
    /// by chunk from source to destination with no intermediate copy; the same format as the stream overload.
    /// </summary>
    /// <exception cref="ArgumentException">The destination has the wrong length.</exception>
    public static void Seal(ReadOnlySpan<byte> key, ReadOnlySpan<byte> aad, ReadOnlySpan<byte> plaintext, Span<byte> destination, int chunkSize = DefaultChunkSize)
    {
        if (destination.Length != SealedLength(plaintext.Length, chunkSize)) throw new ArgumentException("The destination must be SealedLength bytes.", nameof(destination));
        using var aes = new AesGcm(key, TagSize);
        Span<byte> nonce = stackalloc byte[12];
        int offset = 0, written = 0;
        for (uint counter = 0; ; counter++)
        {
            int length = Math.Min(chunkSize, plaintext.Length - offset);
            bool last = offset + length == plaintext.Length;
            MakeNonce(nonce, counter, last);
            aes.Encrypt(nonce, plaintext.Slice(offset, length), destination.Slice(written, length), destination.Slice(written + length, TagSize), aad);
            offset += length;
            written += length + TagSize;
            if (last) return;
        }
    }

    /// <summary>Seals an in-memory payload into a new array.</summary>
    public static byte[] Seal(ReadOnlySpan<byte> key, ReadOnlySpan<byte> aad, ReadOnlySpan<byte> plaintext, int chunkSize = DefaultChunkSize)
    {
        byte[] sealedPayload = new byte[SealedLength(plaintext.Length, chunkSize)];
        Seal(key, aad, plaintext, sealedPayload, chunkSize);
        return sealedPayload;
    }

    /// <summary>Opens an in-memory sealed payload (chunk by chunk, no intermediate copy).</summary>
    /// <exception cref="EngineException">See the stream overload.</exception>
    public static byte[] Open(ReadOnlySpan<byte> key, ReadOnlySpan<byte> aad, ReadOnlySpan<byte> sealedPayload, int chunkSize = DefaultChunkSize)
    {
        CheckChunkSize(chunkSize);
        int sealedSize = chunkSize + TagSize;
        long chunks = Math.Max(1, (sealedPayload.Length + sealedSize - 1) / sealedSize);
        if (sealedPayload.Length < TagSize || sealedPayload.Length - chunks * TagSize < 0)
            throw new EngineException(EngineStatus.VerificationFailed, "The encrypted payload is truncated.");
        byte[] plaintext = new byte[sealedPayload.Length - chunks * TagSize];
        using var aes = new AesGcm(key, TagSize);
        Span<byte> nonce = stackalloc byte[12];
        int offset = 0, written = 0;
        for (uint counter = 0; ; counter++)
        {
            int length = Math.Min(sealedSize, sealedPayload.Length - offset);
            if (length < TagSize) throw new EngineException(EngineStatus.VerificationFailed, "The encrypted payload is truncated.");
            bool last = offset + length == sealedPayload.Length;
            MakeNonce(nonce, counter, last);
            try
            {
                aes.Decrypt(nonce, sealedPayload.Slice(offset, length - TagSize), sealedPayload.Slice(offset + length - TagSize, TagSize), plaintext.AsSpan(written, length - TagSize), aad);
            }
            catch (AuthenticationTagMismatchException)
            {
                CryptographicOperations.ZeroMemory(plaintext);
                throw new EngineException(EngineStatus.VerificationFailed, $"Chunk {counter} of the encrypted payload failed authentication (tampered, reordered, truncated or from another payload).");
            }
            offset += length;
            written += length - TagSize;
            if (last) return plaintext;
        }
    }

    /// <summary>Throws unless 1 KiB ≤ <paramref name="chunkSize"/> ≤ <see cref="MaxChunkSize"/>.</summary>
    public static void CheckChunkSize(int chunkSize)
    {
        if (chunkSize < 1024 || chunkSize > MaxChunkSize)
            throw new ArgumentOutOfRangeException(nameof(chunkSize), $"Chunk sizes run from 1 KiB to {MaxChunkSize >> 20} MiB.");
    }

    private static void MakeNonce(Span<byte> nonce, uint counter, bool last)
    {
        nonce.Clear();
        BinaryPrimitives.WriteUInt32BigEndian(nonce[7..], counter);
        nonce[11] = last ? (byte)1 : (byte)0;
    }

    private static int Fill(Stream input, byte[] buffer, int count) => input.ReadAtLeast(buffer.AsSpan(0, count), count, throwOnEndOfStream: false);
}
