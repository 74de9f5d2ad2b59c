using System.Buffers.Binary;

namespace Engine.Revocation.Abe;

/// <summary>The container of a whole ciphertext: header length (4, big-endian) ‖ header ‖ the DEM's sealed chunks.</summary>
public static class AbeCiphertextFile
{
    /// <summary>Writes the length-prefixed header.</summary>
    public static void WriteHeader(Stream output, AbeCiphertextHeader header)
    {
        byte[] encoded = header.Encode();
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, encoded.Length);
        output.Write(length);
        output.Write(encoded);
    }

    /// <summary>Reads and validates the header, leaving <paramref name="input"/> at the first sealed chunk.</summary>
    /// <exception cref="EngineException">The header is truncated, too large or invalid (the status and reason say which).</exception>
    public static AbeCiphertextHeader ReadHeader(Stream input)
    {
        Span<byte> lengthBytes = stackalloc byte[4];
        if (input.ReadAtLeast(lengthBytes, 4, throwOnEndOfStream: false) != 4)
            throw new EngineException(EngineStatus.BadLength, "The ciphertext is truncated before its header.");
        int length = BinaryPrimitives.ReadInt32BigEndian(lengthBytes);
        if (length <= 0 || length > AbeCiphertextHeader.MaxEncodedSize)
            throw new EngineException(EngineStatus.FrameTooLarge, $"The ciphertext header claims {length} bytes (at most {AbeCiphertextHeader.MaxEncodedSize}).");
        byte[] encoded = new byte[length];
        if (input.ReadAtLeast(encoded, length, throwOnEndOfStream: false) != length)
            throw new EngineException(EngineStatus.BadLength, "The ciphertext header is truncated.");
        EngineStatus status = AbeCiphertextHeader.Decode(encoded, out AbeCiphertextHeader? header, out string? error);
        if (status != EngineStatus.Ok) throw new EngineException(status, $"The ciphertext header is invalid: {error ?? status.ToString()}.");
        return header!;
    }
}
