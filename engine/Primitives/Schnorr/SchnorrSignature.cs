using System.Buffers;
using System.Security.Cryptography;
using Engine.Primitives.Groups;

namespace Engine.Primitives.Schnorr;

/// <summary>
/// Schnorr signatures in any <see cref="PrimeOrderGroup"/> (SPEC.md §0 [choice]): R = g^k, c = H(R ‖ pk ‖ m),
/// s = k + c·x mod q; the signature is Enc(R) ‖ s. Verification checks g^s = R·pk^c; batch verification checks one
/// random linear combination of many signatures with a single multi-exponentiation.
/// </summary>
/// <remarks>
/// The nonce is deterministic, k = H_nonce(x ‖ pk ‖ m) (RFC 6979 in spirit), so a broken RNG cannot leak the key;
/// signing is constant time in x and k. Verification works on public data.
/// </remarks>
public static class SchnorrSignature
{
    private static ReadOnlySpan<byte> NonceTag => "ENGINE-V1/schnorr/nonce"u8;
    private static ReadOnlySpan<byte> ChallengeTag => "ENGINE-V1/schnorr/challenge"u8;

    /// <summary>Size of a signature in this group: an encoded element and a scalar.</summary>
    public static int SizeInBytes(PrimeOrderGroup group) => group.ElementSizeInBytes + PrimeOrderGroup.ScalarSizeInBytes;

    /// <summary>Signs <paramref name="message"/>; <paramref name="destination"/> must be <see cref="SizeInBytes"/> long.</summary>
    /// <exception cref="ArgumentException">Wrong destination size.</exception>
    /// <exception cref="ObjectDisposedException">The key was disposed.</exception>
    public static void Sign(SchnorrSigningKey key, ReadOnlySpan<byte> message, Span<byte> destination)
    {
        PrimeOrderGroup group = key.Group;
        if (destination.Length != SizeInBytes(group)) throw new ArgumentException("Destination has the wrong size.", nameof(destination));
        const int L = PrimeOrderGroup.ScalarLimbs;
        Span<ulong> k = stackalloc ulong[L], c = stackalloc ulong[L], s = stackalloc ulong[L];
        Span<ulong> r = stackalloc ulong[group.ElementLimbs];

        // k = H_nonce(x ‖ pk ‖ m), never zero in practice (probability 1/q); a zero k is replaced by 1 to keep the
        // code path fixed, which cannot be exploited because it never happens.
        byte[] buffer = ArrayPool<byte>.Shared.Rent(PrimeOrderGroup.ScalarSizeInBytes + key.PublicKey.Length + message.Length);
        try
        {
            Span<byte> input = buffer.AsSpan(0, PrimeOrderGroup.ScalarSizeInBytes + key.PublicKey.Length + message.Length);
            PrimeOrderGroup.EncodeScalar(key.Secret, input);
            key.PublicKey.CopyTo(input[PrimeOrderGroup.ScalarSizeInBytes..]);
            message.CopyTo(input[(PrimeOrderGroup.ScalarSizeInBytes + key.PublicKey.Length)..]);
            group.HashToScalar(input, NonceTag, k);
            k[0] |= Engine.BigInt.Ct.IsZeroMask(k) & 1;
            CryptographicOperations.ZeroMemory(input);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        group.PowGenerator(k, r);
        Span<byte> rBytes = destination[..group.ElementSizeInBytes];
        group.Encode(r, rBytes);
        Challenge(group, rBytes, key.PublicKey, message, c);
        group.ScalarMultiply(c, key.Secret, s);
        group.ScalarAdd(s, k, s);
        PrimeOrderGroup.EncodeScalar(s, destination[group.ElementSizeInBytes..]);
        k.Clear();
        s.Clear();
    }

    /// <summary>
    /// Verifies a signature: <see cref="EngineStatus.Ok"/>, <see cref="EngineStatus.VerificationFailed"/>, or the
    /// decoding status of a malformed public key, R or s (checked first, before any exponentiation).
    /// </summary>
    public static EngineStatus Verify(PrimeOrderGroup group, ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        if (signature.Length != SizeInBytes(group)) return EngineStatus.BadLength;
        int n = group.ElementLimbs;
        const int L = PrimeOrderGroup.ScalarLimbs;
        ulong[] rented = ArrayPool<ulong>.Shared.Rent(5 * n);
        try
        {
            Span<ulong> pk = rented.AsSpan(0, n), r = rented.AsSpan(n, n), lhs = rented.AsSpan(2 * n, n), rhs = rented.AsSpan(3 * n, n), t = rented.AsSpan(4 * n, n);
            Span<ulong> s = stackalloc ulong[L], c = stackalloc ulong[L];
            EngineStatus status = group.Decode(publicKey, pk);
            if (status == EngineStatus.Ok) status = group.Decode(signature[..group.ElementSizeInBytes], r);
            if (status == EngineStatus.Ok) status = group.DecodeScalar(signature[group.ElementSizeInBytes..], s);
            if (status != EngineStatus.Ok) return status;
            Challenge(group, signature[..group.ElementSizeInBytes], publicKey, message, c);
            group.PowGenerator(s, lhs);                        // g^s (the fixed-base table; s is public here)
            group.PowVarTime(pk, c, t);
            group.Multiply(r, t, rhs);                         // R·pk^c
            return group.AreEqual(lhs, rhs) ? EngineStatus.Ok : EngineStatus.VerificationFailed;
        }
        finally
        {
            ArrayPool<ulong>.Shared.Return(rented);
        }
    }

    /// <summary>
    /// Verifies many signatures at once: with fresh random 128-bit zᵢ, checks g^(Σ zᵢ·sᵢ) = Π Rᵢ^zᵢ · pkᵢ^(zᵢ·cᵢ)
    /// with one multi-exponentiation. Returns Ok only if every signature is valid (a forgery slips through with
    /// probability about 2^−128); on failure, call <see cref="Verify"/> one by one to find the culprit.
    /// </summary>
    /// <exception cref="ArgumentException">The three lists differ in length.</exception>
    public static EngineStatus VerifyBatch(PrimeOrderGroup group, IReadOnlyList<ReadOnlyMemory<byte>> publicKeys,
                                           IReadOnlyList<ReadOnlyMemory<byte>> messages, IReadOnlyList<ReadOnlyMemory<byte>> signatures)
    {
        int count = signatures.Count;
        if (publicKeys.Count != count || messages.Count != count) throw new ArgumentException("One public key and one message per signature.", nameof(signatures));
        if (count == 0) return EngineStatus.Ok;
        int n = group.ElementLimbs;
        const int L = PrimeOrderGroup.ScalarLimbs;
        // 2·count bases (Rᵢ and pkᵢ) plus g, and their exponents.
        ulong[] elements = ArrayPool<ulong>.Shared.Rent((2 * count + 1) * n);
        ulong[] exponents = ArrayPool<ulong>.Shared.Rent((2 * count + 1) * L);
        try
        {
            Span<ulong> s = stackalloc ulong[L], c = stackalloc ulong[L], z = stackalloc ulong[L], sum = stackalloc ulong[L], t = stackalloc ulong[L];
            Span<byte> zBytes = stackalloc byte[PrimeOrderGroup.ScalarSizeInBytes];
            sum.Clear();
            for (int i = 0; i < count; i++)
            {
                ReadOnlySpan<byte> signature = signatures[i].Span, publicKey = publicKeys[i].Span;
                if (signature.Length != SizeInBytes(group)) return EngineStatus.BadLength;
                Span<ulong> r = elements.AsSpan(2 * i * n, n), pk = elements.AsSpan((2 * i + 1) * n, n);
                EngineStatus status = group.Decode(publicKey, pk);
                if (status == EngineStatus.Ok) status = group.Decode(signature[..group.ElementSizeInBytes], r);
                if (status == EngineStatus.Ok) status = group.DecodeScalar(signature[group.ElementSizeInBytes..], s);
                if (status != EngineStatus.Ok) return status;
                Challenge(group, signature[..group.ElementSizeInBytes], publicKey, messages[i].Span, c);

                zBytes.Clear();
                RandomNumberGenerator.Fill(zBytes[16..]);
                zBytes[31] |= 1;
                group.DecodeScalar(zBytes, z);
                z.CopyTo(exponents.AsSpan(2 * i * L, L));                          // Rᵢ^zᵢ
                group.ScalarMultiply(z, c, exponents.AsSpan((2 * i + 1) * L, L));   // pkᵢ^(zᵢcᵢ)
                group.ScalarMultiply(z, s, t);
                group.ScalarAdd(sum, t, sum);
            }
            // Move g^(−Σ zᵢsᵢ) into the product so that the check is "product = identity".
            group.Generator(elements.AsSpan(2 * count * n, n));
            group.ScalarSubtract(stackalloc ulong[L], sum, exponents.AsSpan(2 * count * L, L));
            Span<ulong> product = stackalloc ulong[n], identity = stackalloc ulong[n];
            group.MultiPowVarTime(elements.AsSpan(0, (2 * count + 1) * n), exponents.AsSpan(0, (2 * count + 1) * L), product);
            group.Identity(identity);
            return group.AreEqual(product, identity) ? EngineStatus.Ok : EngineStatus.VerificationFailed;
        }
        finally
        {
            ArrayPool<ulong>.Shared.Return(elements);
            ArrayPool<ulong>.Shared.Return(exponents);
        }
    }

    /// <summary>c = H_challenge(Enc(R) ‖ pk ‖ m).</summary>
    private static void Challenge(PrimeOrderGroup group, ReadOnlySpan<byte> r, ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> message, Span<ulong> c)
    {
        int length = r.Length + publicKey.Length + message.Length;
        byte[] buffer = ArrayPool<byte>.Shared.Rent(length);
        r.CopyTo(buffer);
        publicKey.CopyTo(buffer.AsSpan(r.Length));
        message.CopyTo(buffer.AsSpan(r.Length + publicKey.Length));
        group.HashToScalar(buffer.AsSpan(0, length), ChallengeTag, c);
        ArrayPool<byte>.Shared.Return(buffer);
    }
}
