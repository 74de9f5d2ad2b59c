using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using Engine.Onion.Keys;
using Engine.Pairing.HashToCurve;
using Engine.Primitives.Groups;
using Engine.Primitives.Xor;

namespace Engine.Onion;

/// <summary>How a certificateless ciphertext protects its payload.</summary>
public enum CertificatelessMode
{
    /// <summary>The paper's scheme: c3 = H2(Z) ⊕ m. Malleable; kept because it is what the paper specifies and measures.</summary>
    Xor,

    /// <summary>SPEC.md §1.1 [beyond]: AES-256-GCM under H2(W ‖ Z ‖ ID); what the onion protocol uses.</summary>
    Authenticated,
}

/// <summary>
/// Certificateless encryption of SPEC.md §1.1 (paper §III with the u-binding repair): Encrypt picks ω, sends
/// W = g^ω and derives Z = P_ID^ω; the holder of x_ID recomputes Z = W^x_ID with one exponentiation.
/// Ciphertext: enc(W) ‖ c3 (XOR mode) or enc(W) ‖ AES-256-GCM(m) ‖ tag (authenticated mode).
/// </summary>
/// <remarks>
/// Both Encrypt (in ω) and Decrypt (in x_ID) are constant time; the received W is validated first. H2 is
/// expand_message_xmd, so an XOR-mode message is at most 8160 bytes.
/// </remarks>
public static class CertificatelessEncryption
{
    private const int TagSize = 16;

    /// <summary>Largest XOR-mode message (one expand_message_xmd output).</summary>
    public const int MaxXorMessageBytes = ExpandMessageXmd.MaxOutputBytes;

    /// <summary>Ciphertext size for a message of <paramref name="messageLength"/> bytes.</summary>
    public static int CiphertextSize(OnionParameters parameters, CertificatelessMode mode, int messageLength)
        => parameters.Group.ElementSizeInBytes + messageLength + (mode == CertificatelessMode.Authenticated ? TagSize : 0);

    /// <summary>Encrypts to a public key (its P_ID is precomputed).</summary>
    /// <exception cref="ArgumentException">Wrong destination size, or an XOR-mode message over 8160 bytes.</exception>
    public static void Encrypt(CertificatelessPublicKey recipient, ReadOnlySpan<byte> message, Span<byte> destination, CertificatelessMode mode)
    {
        OnionParameters parameters = recipient.Parameters;
        PrimeOrderGroup group = parameters.Group;
        if (destination.Length != CiphertextSize(parameters, mode, message.Length)) throw new ArgumentException("Destination has the wrong size.", nameof(destination));
        if (mode == CertificatelessMode.Xor && message.Length > MaxXorMessageBytes) throw new ArgumentException("XOR mode carries at most 8160 bytes.", nameof(message));
        int n = group.ElementLimbs, e = group.ElementSizeInBytes;
        Span<ulong> omega = stackalloc ulong[PrimeOrderGroup.ScalarLimbs];
        ulong[] rented = ArrayPool<ulong>.Shared.Rent(2 * n);
        try
        {
            Span<ulong> w = rented.AsSpan(0, n), z = rented.AsSpan(n, n);
            group.RandomScalar(omega);
            group.PowGenerator(omega, w);                     // W = g^ω (fixed base)
            group.Pow(recipient.Precomputed, omega, z);       // Z = P_ID^ω
            group.Encode(w, destination[..e]);
            Seal(parameters, recipient.Id, destination[..e], z, message, destination[e..], mode);
        }
        finally
        {
            omega.Clear();
            CryptographicOperations.ZeroMemory(System.Runtime.InteropServices.MemoryMarshal.AsBytes(rented.AsSpan(0, 2 * n)));
            ArrayPool<ulong>.Shared.Return(rented);
        }
    }

    /// <summary>
    /// Decrypts: <see cref="EngineStatus.BadLength"/>, the decoding status of W (validated before any secret
    /// work), <see cref="EngineStatus.VerificationFailed"/> (authenticated mode, the destination is cleared) or Ok.
    /// </summary>
    public static EngineStatus Decrypt(CertificatelessPrivateKey key, ReadOnlySpan<byte> ciphertext, Span<byte> destination, CertificatelessMode mode)
    {
        OnionParameters parameters = key.PublicKey.Parameters;
        PrimeOrderGroup group = parameters.Group;
        int n = group.ElementLimbs, e = group.ElementSizeInBytes;
        if (ciphertext.Length != CiphertextSize(parameters, mode, destination.Length)) return EngineStatus.BadLength;
        if (mode == CertificatelessMode.Xor && destination.Length > MaxXorMessageBytes) return EngineStatus.BadLength;
        ulong[] rented = ArrayPool<ulong>.Shared.Rent(2 * n);
        try
        {
            Span<ulong> w = rented.AsSpan(0, n), z = rented.AsSpan(n, n);
            EngineStatus status = group.Decode(ciphertext[..e], w);
            if (status != EngineStatus.Ok) return status;
            group.Pow(w, key.Secret, z);                      // Z = W^x_ID
            return Open(parameters, key.PublicKey.Id, ciphertext[..e], z, ciphertext[e..], destination, mode);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(System.Runtime.InteropServices.MemoryMarshal.AsBytes(rented.AsSpan(0, 2 * n)));
            ArrayPool<ulong>.Shared.Return(rented);
        }
    }

    /// <summary>The payload step with Z already known (shared by Encrypt and by the tests' paper mode).</summary>
    internal static void Seal(OnionParameters parameters, string id, ReadOnlySpan<byte> w, ReadOnlySpan<ulong> z,
                              ReadOnlySpan<byte> message, Span<byte> destination, CertificatelessMode mode)
    {
        if (mode == CertificatelessMode.Xor)
        {
            H2(parameters, z, destination[..message.Length]);
            XorKernels.XorInPlace(destination[..message.Length], message);
            return;
        }
        Span<byte> aeadKey = stackalloc byte[32];
        AeadKey(parameters, id, w, z, aeadKey);
        using var aes = new AesGcm(aeadKey, TagSize);
        aes.Encrypt(stackalloc byte[12], message, destination[..message.Length], destination[message.Length..], Encoding.UTF8.GetBytes(id));
        CryptographicOperations.ZeroMemory(aeadKey);
    }

    internal static EngineStatus Open(OnionParameters parameters, string id, ReadOnlySpan<byte> w, ReadOnlySpan<ulong> z,
                                      ReadOnlySpan<byte> payload, Span<byte> destination, CertificatelessMode mode)
    {
        if (mode == CertificatelessMode.Xor)
        {
            H2(parameters, z, destination);
            XorKernels.XorInPlace(destination, payload[..destination.Length]);
            return EngineStatus.Ok;
        }
        Span<byte> aeadKey = stackalloc byte[32];
        AeadKey(parameters, id, w, z, aeadKey);
        using var aes = new AesGcm(aeadKey, TagSize);
        CryptographicOperations.ZeroMemory(aeadKey);
        try
        {
            // The key is fresh for every ciphertext (ω is), so a fixed zero nonce never repeats under one key.
            aes.Decrypt(stackalloc byte[12], payload[..destination.Length], payload[destination.Length..], destination, Encoding.UTF8.GetBytes(id));
            return EngineStatus.Ok;
        }
        catch (AuthenticationTagMismatchException)
        {
            CryptographicOperations.ZeroMemory(destination);
            return EngineStatus.VerificationFailed;
        }
    }

    /// <summary>H2(Z): expand_message_xmd(enc(Z), DST "…/H2", |m|).</summary>
    private static void H2(OnionParameters parameters, ReadOnlySpan<ulong> z, Span<byte> destination)
    {
        if (destination.IsEmpty) return;
        PrimeOrderGroup group = parameters.Group;
        byte[] encoded = ArrayPool<byte>.Shared.Rent(group.ElementSizeInBytes);
        group.Encode(z, encoded.AsSpan(0, group.ElementSizeInBytes));
        ExpandMessageXmd.Expand(encoded.AsSpan(0, group.ElementSizeInBytes), parameters.H2Dst, destination);
        CryptographicOperations.ZeroMemory(encoded);
        ArrayPool<byte>.Shared.Return(encoded);
    }

    /// <summary>H2(W ‖ Z ‖ ID) to 32 bytes, DST "…/H2-AEAD".</summary>
    private static void AeadKey(OnionParameters parameters, string id, ReadOnlySpan<byte> w, ReadOnlySpan<ulong> z, Span<byte> key)
    {
        PrimeOrderGroup group = parameters.Group;
        int e = group.ElementSizeInBytes, idBytes = Encoding.UTF8.GetByteCount(id);
        byte[] input = ArrayPool<byte>.Shared.Rent(2 * e + idBytes);
        w.CopyTo(input);
        group.Encode(z, input.AsSpan(e, e));
        Encoding.UTF8.GetBytes(id, input.AsSpan(2 * e));
        ExpandMessageXmd.Expand(input.AsSpan(0, 2 * e + idBytes), parameters.H2AeadDst, key);
        CryptographicOperations.ZeroMemory(input);
        ArrayPool<byte>.Shared.Return(input);
    }
}
