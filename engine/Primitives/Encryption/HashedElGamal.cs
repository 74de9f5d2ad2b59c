using System.Security.Cryptography;
using Engine.Primitives.Groups;

namespace Engine.Primitives.Encryption;

/// <summary>
/// Hashed ElGamal public-key encryption with AES-256-GCM ("ECIES-style", SPEC.md §3.1), in any
/// <see cref="PrimeOrderGroup"/> (BLS12-381 G1 in Protocol 3): e ← Z_q, E = g^e, Z = pk^e,
/// key = HKDF-SHA256(IKM = Enc(Z), salt = Enc(E) ‖ pk, info = "ENGINE-V1/ecies/aes-256-gcm"), and the ciphertext
/// Enc(E) ‖ AES-256-GCM(key, nonce = 0^12, plaintext, associated data) ‖ tag. Each key encrypts one message, so the
/// fixed nonce never repeats under a key.
/// </summary>
/// <remarks>Encryption and decryption are constant time in e and in the secret key; E is validated before use.</remarks>
public static class HashedElGamal
{
    /// <summary>Bytes of the AES-GCM tag.</summary>
    public const int TagSize = 16;

    private static ReadOnlySpan<byte> Info => "ENGINE-V1/ecies/aes-256-gcm"u8;

    /// <summary>Bytes a ciphertext adds to its plaintext.</summary>
    public static int Overhead(PrimeOrderGroup group) => group.ElementSizeInBytes + TagSize;

    /// <summary>
    /// Encrypts <paramref name="plaintext"/> to <paramref name="publicKey"/>; <paramref name="ciphertext"/> is exactly
    /// plaintext + <see cref="Overhead"/> bytes. Returns the public key's decoding status (nothing is written on failure).
    /// </summary>
    public static EngineStatus Encrypt(PrimeOrderGroup group, ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> plaintext,
                                       ReadOnlySpan<byte> associatedData, Span<byte> ciphertext)
    {
        if (ciphertext.Length != plaintext.Length + Overhead(group)) return EngineStatus.DestinationTooSmall;
        int n = group.ElementLimbs, size = group.ElementSizeInBytes;
        Span<ulong> pk = stackalloc ulong[n], point = stackalloc ulong[n], e = stackalloc ulong[PrimeOrderGroup.ScalarLimbs];
        EngineStatus status = group.Decode(publicKey, pk);
        if (status != EngineStatus.Ok) return status;
        group.RandomScalar(e);
        group.PowGenerator(e, point);
        group.Encode(point, ciphertext[..size]);
        group.Pow(pk, e, point);
        Span<byte> key = stackalloc byte[32];
        DeriveKey(group, point, ciphertext[..size], publicKey, key);
        using (var aes = new AesGcm(key, TagSize))
        {
            aes.Encrypt(stackalloc byte[12], plaintext, ciphertext.Slice(size, plaintext.Length), ciphertext[(size + plaintext.Length)..], associatedData);
        }
        CryptographicOperations.ZeroMemory(key);
        e.Clear();
        point.Clear();
        return EngineStatus.Ok;
    }

    /// <summary>
    /// Decrypts; <paramref name="plaintext"/> is exactly ciphertext − <see cref="Overhead"/> bytes. Returns
    /// <see cref="EngineStatus.BadLength"/>, E's decoding status, <see cref="EngineStatus.VerificationFailed"/>
    /// (wrong key, tampered bytes or associated data; the plaintext is cleared) or Ok.
    /// </summary>
    public static EngineStatus Decrypt(HashedElGamalKey key, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> associatedData, Span<byte> plaintext)
    {
        PrimeOrderGroup group = key.Group;
        int n = group.ElementLimbs, size = group.ElementSizeInBytes;
        if (ciphertext.Length < Overhead(group) || plaintext.Length != ciphertext.Length - Overhead(group)) return EngineStatus.BadLength;
        Span<ulong> point = stackalloc ulong[n];
        EngineStatus status = group.Decode(ciphertext[..size], point);
        if (status != EngineStatus.Ok) return status;
        group.Pow(point, key.Secret, point);
        Span<byte> aesKey = stackalloc byte[32];
        DeriveKey(group, point, ciphertext[..size], key.PublicKey, aesKey);
        point.Clear();
        try
        {
            using var aes = new AesGcm(aesKey, TagSize);
            aes.Decrypt(stackalloc byte[12], ciphertext.Slice(size, plaintext.Length), ciphertext[(size + plaintext.Length)..], plaintext, associatedData);
            return EngineStatus.Ok;
        }
        catch (AuthenticationTagMismatchException)
        {
            CryptographicOperations.ZeroMemory(plaintext);
            return EngineStatus.VerificationFailed;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(aesKey);
        }
    }

    private static void DeriveKey(PrimeOrderGroup group, ReadOnlySpan<ulong> shared, ReadOnlySpan<byte> ephemeral, ReadOnlySpan<byte> publicKey, Span<byte> key)
    {
        int size = group.ElementSizeInBytes;
        Span<byte> ikm = stackalloc byte[size];
        Span<byte> salt = stackalloc byte[2 * size];
        group.Encode(shared, ikm);
        ephemeral.CopyTo(salt);
        publicKey.CopyTo(salt[size..]);
        HKDF.DeriveKey(HashAlgorithmName.SHA256, ikm, key, salt, Info);
        CryptographicOperations.ZeroMemory(ikm);
    }
}
