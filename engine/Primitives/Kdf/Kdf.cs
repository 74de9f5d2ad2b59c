using System.Security.Cryptography;
using System.Text;

namespace Engine.Primitives.Kdf;

/// <summary>
/// HKDF-SHA256 (RFC 5869, the BCL's <see cref="HKDF"/>) with the engine's labelling rule: the info string is
/// "ENGINE-V1/" + label + 0x00 + context, so keys derived for different purposes or sessions never coincide.
/// </summary>
public static class Kdf
{
    private static ReadOnlySpan<byte> Prefix => "ENGINE-V1/"u8;

    /// <summary>Fills <paramref name="output"/> (1…8160 bytes) from the input keying material.</summary>
    /// <param name="ikm">Secret input (a Diffie–Hellman value, a master key).</param>
    /// <param name="salt">Optional public salt (may be empty).</param>
    /// <param name="label">ASCII purpose, e.g. "onion/hop-key".</param>
    /// <param name="context">Public context bound into the key (link id, hop index, transcript hash).</param>
    /// <param name="output">The derived key.</param>
    /// <exception cref="ArgumentException">The label is empty or the output size is out of range.</exception>
    public static void Derive(ReadOnlySpan<byte> ikm, ReadOnlySpan<byte> salt, string label, ReadOnlySpan<byte> context, Span<byte> output)
    {
        if (string.IsNullOrEmpty(label)) throw new ArgumentException("A label is required.", nameof(label));
        if (output.Length is 0 or > 255 * 32) throw new ArgumentException("Output must be 1 to 8160 bytes.", nameof(output));
        int labelBytes = Encoding.ASCII.GetByteCount(label);
        int infoLength = Prefix.Length + labelBytes + 1 + context.Length;
        byte[]? rented = null;
        Span<byte> info = infoLength <= 256 ? stackalloc byte[256] : (rented = System.Buffers.ArrayPool<byte>.Shared.Rent(infoLength));
        info = info[..infoLength];
        Prefix.CopyTo(info);
        Encoding.ASCII.GetBytes(label, info[Prefix.Length..]);
        info[Prefix.Length + labelBytes] = 0;
        context.CopyTo(info[(Prefix.Length + labelBytes + 1)..]);
        Span<byte> prk = stackalloc byte[32];
        HKDF.Extract(HashAlgorithmName.SHA256, ikm, salt, prk);
        HKDF.Expand(HashAlgorithmName.SHA256, prk, output, info);
        CryptographicOperations.ZeroMemory(prk);
        if (rented is not null) System.Buffers.ArrayPool<byte>.Shared.Return(rented);
    }
}
