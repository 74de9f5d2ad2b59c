using System.Security.Cryptography;
using System.Text;

namespace Engine.Storage;

/// <summary>
/// Seals the secrets a durable store keeps (issue #15: "secrets at rest sealed under a key file, never written in the
/// clear"): AES-256-GCM under a 32-byte key the operator keeps apart from the data (a key file), a fresh 96-bit nonce
/// per seal, and the row's context ("kgc/master", "kgc/node/ID", …) as associated data, so a sealed value copied to
/// another row, or altered, does not open. Layout: nonce (12) ‖ ciphertext ‖ tag (16).
/// </summary>
/// <remarks>Thread-safe; the key is pinned and wiped on <see cref="Dispose"/>.</remarks>
public sealed class SecretSealer : IDisposable
{
    /// <summary>Bytes of the key.</summary>
    public const int KeySize = 32;

    /// <summary>Bytes a seal adds to its plaintext.</summary>
    public const int Overhead = NonceSize + TagSize;

    private const int NonceSize = 12, TagSize = 16;
    private readonly byte[] _key = GC.AllocateArray<byte>(KeySize, pinned: true);

    /// <summary>A sealer under <paramref name="key"/> (copied; the caller wipes its own).</summary>
    /// <exception cref="ArgumentException">Not 32 bytes.</exception>
    public SecretSealer(ReadOnlySpan<byte> key)
    {
        if (key.Length != KeySize) throw new ArgumentException($"A sealing key has {KeySize} bytes.", nameof(key));
        key.CopyTo(_key);
    }

    /// <summary>Seals <paramref name="plaintext"/> for the row named <paramref name="context"/>.</summary>
    public byte[] Seal(ReadOnlySpan<byte> plaintext, string context)
    {
        byte[] sealedValue = new byte[Overhead + plaintext.Length];
        Span<byte> nonce = sealedValue.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key, TagSize);
        aes.Encrypt(nonce, plaintext, sealedValue.AsSpan(NonceSize, plaintext.Length), sealedValue.AsSpan(NonceSize + plaintext.Length), Context(context));
        return sealedValue;
    }

    /// <summary>
    /// Opens a sealed value into <paramref name="plaintext"/> (its length: the sealed length − <see cref="Overhead"/>):
    /// <see cref="EngineStatus.BadLength"/>, <see cref="EngineStatus.VerificationFailed"/> (another key, another row,
    /// or altered bytes; the destination is then wiped), or Ok.
    /// </summary>
    public EngineStatus Open(ReadOnlySpan<byte> sealedValue, string context, Span<byte> plaintext)
    {
        if (sealedValue.Length < Overhead || plaintext.Length != sealedValue.Length - Overhead) return EngineStatus.BadLength;
        using var aes = new AesGcm(_key, TagSize);
        try
        {
            aes.Decrypt(sealedValue[..NonceSize], sealedValue[NonceSize..^TagSize], sealedValue[^TagSize..], plaintext, Context(context));
            return EngineStatus.Ok;
        }
        catch (AuthenticationTagMismatchException)
        {
            plaintext.Clear();
            return EngineStatus.VerificationFailed;
        }
    }

    private static byte[] Context(string context) => Encoding.UTF8.GetBytes("ENGINE-SEALED-V1/" + context);

    /// <summary>Wipes the key.</summary>
    public void Dispose() => CryptographicOperations.ZeroMemory(_key);
}
