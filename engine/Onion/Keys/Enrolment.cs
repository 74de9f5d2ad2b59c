using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Engine.Primitives.Groups;
using Engine.Primitives.Kdf;

namespace Engine.Onion.Keys;

/// <summary>
/// The secure channel the paper assumes between the KGC and a node asking for its partial key, as the reference
/// servers run it. The operator gives the KGC and its nodes a 32-byte enrolment key out of band; a request is
/// ID ‖ u ‖ E_c (the node's ephemeral g^e) ‖ HMAC(enrolment key, request), so only holders of the key can enrol,
/// checked before any exponentiation. The answer is E_k ‖ pk_sys ‖ list key ‖ AES-256-GCM(partial key) under
/// HKDF((E_c·u)^k, salt = enrolment key, transcript): only the holder of e and t opens it (so another holder of the
/// enrolment key who replays a node's public u learns nothing of its rD), and a forged answer fails.
/// Wire: request = idLen (1) ‖ ID ‖ enc(u) ‖ enc(E_c) ‖ MAC (32); response = enc(E_k) ‖ enc(pk_sys) ‖ list key ‖
/// ciphertext ‖ tag (16).
/// </summary>
public static class Enrolment
{
    /// <summary>Bytes of the enrolment key.</summary>
    public const int KeySize = 32;

    private const int MacSize = 32, TagSize = 16;

    /// <summary>A node's side of one enrolment: the ephemeral secret and the request bytes.</summary>
    public sealed class Request : IDisposable
    {
        private readonly SecretScalar _e;

        internal Request(SecretScalar e, byte[] bytes) { _e = e; Bytes = bytes; }

        /// <summary>What to send to the KGC.</summary>
        public byte[] Bytes { get; }

        internal ReadOnlySpan<ulong> Ephemeral => _e.Value;

        /// <summary>Wipes the ephemeral secret.</summary>
        public void Dispose() => _e.Dispose();
    }

    /// <summary>Builds the request for a node's identity and secret value.</summary>
    public static Request CreateRequest(CertificatelessSecretValue secret, ReadOnlySpan<byte> enrolmentKey)
    {
        CheckKey(enrolmentKey);
        PrimeOrderGroup group = secret.Parameters.Group;
        int e = group.ElementSizeInBytes;
        byte[] id = Encoding.UTF8.GetBytes(secret.Id);
        var ephemeral = SecretScalar.Random(group);
        byte[] bytes = new byte[1 + id.Length + 2 * e + MacSize];
        bytes[0] = (byte)id.Length;
        id.CopyTo(bytes, 1);
        secret.PublicValue.CopyTo(bytes.AsSpan(1 + id.Length));
        Span<ulong> ec = stackalloc ulong[group.ElementLimbs];
        group.PowGenerator(ephemeral.Value, ec);
        group.Encode(ec, bytes.AsSpan(1 + id.Length + e, e));
        HMACSHA256.HashData(enrolmentKey, bytes.AsSpan(0, bytes.Length - MacSize), bytes.AsSpan(bytes.Length - MacSize));
        return new Request(ephemeral, bytes);
    }

    /// <summary>
    /// The KGC answers a request: <see cref="EngineStatus.BadLength"/>/<see cref="EngineStatus.Malformed"/>
    /// (structure), <see cref="EngineStatus.VerificationFailed"/> (MAC, before any exponentiation), the decoding
    /// status of u or E_c, <see cref="EngineStatus.Replay"/> (the identity holds a key for another u; the same u is a
    /// restarted node and gets its key again), or Ok with the
    /// response bytes.
    /// </summary>
    public static EngineStatus Answer(KeyGenerationCenter kgc, ReadOnlySpan<byte> enrolmentKey, ReadOnlySpan<byte> request, out byte[]? response)
    {
        CheckKey(enrolmentKey);
        response = null;
        PrimeOrderGroup group = kgc.Parameters.Group;
        int e = group.ElementSizeInBytes;
        if (request.Length < 1) return EngineStatus.BadLength;
        int idLength = request[0];
        if (request.Length != 1 + idLength + 2 * e + MacSize) return EngineStatus.BadLength;
        Span<byte> mac = stackalloc byte[MacSize];
        HMACSHA256.HashData(enrolmentKey, request[..^MacSize], mac);
        if (!CryptographicOperations.FixedTimeEquals(mac, request[^MacSize..])) return EngineStatus.VerificationFailed;
        string id;
        try { id = new UTF8Encoding(false, true).GetString(request.Slice(1, idLength)); }
        catch (DecoderFallbackException) { return EngineStatus.Malformed; }
        ReadOnlySpan<byte> u = request.Slice(1 + idLength, e), ecBytes = request.Slice(1 + idLength + e, e);
        if (kgc.IsEnrolledWithAnother(id, u)) return EngineStatus.Replay;   // before decoding E_c, which costs an exponentiation
        Span<ulong> ec = stackalloc ulong[group.ElementLimbs];
        EngineStatus status = group.Decode(ecBytes, ec);
        if (status != EngineStatus.Ok) return status;

        byte[] partial = new byte[kgc.PartialKeySizeInBytes];
        status = kgc.IssuePartialKey(id, u, partial);
        if (status != EngineStatus.Ok) return status;

        // The answer is sealed under (E_c·u)^k, which only the holder of both e and t (u = g^t) can compute: u is public
        // (it is in the node list), and a known identity with its u gets its issued key again, so without t in the
        // channel any holder of the enrolment key could fetch another node's rD.
        using SecretScalar k = SecretScalar.Random(group);
        Span<ulong> ek = stackalloc ulong[group.ElementLimbs], shared = stackalloc ulong[group.ElementLimbs], uc = stackalloc ulong[group.ElementLimbs];
        status = group.Decode(u, uc);
        if (status != EngineStatus.Ok) { CryptographicOperations.ZeroMemory(partial); return status; }
        group.Multiply(ec, uc, uc);
        group.PowGenerator(k.Value, ek);
        group.Pow(uc, k.Value, shared);
        int listKeyLength = kgc.ListSigningKey.Length;
        byte[] bytes = new byte[2 * e + listKeyLength + partial.Length + TagSize];
        group.Encode(ek, bytes.AsSpan(0, e));
        kgc.MasterPublicKey.CopyTo(bytes.AsSpan(e));
        kgc.ListSigningKey.CopyTo(bytes.AsSpan(2 * e));
        Seal(group, enrolmentKey, shared, request[..^MacSize], bytes.AsSpan(0, 2 * e + listKeyLength), partial,
             bytes.AsSpan(2 * e + listKeyLength, partial.Length), bytes.AsSpan(bytes.Length - TagSize));
        CryptographicOperations.ZeroMemory(partial);
        shared.Clear();
        response = bytes;
        return EngineStatus.Ok;
    }

    /// <summary>
    /// The node opens the answer and completes its key (which checks the partial key against pk_sys):
    /// <see cref="EngineStatus.BadLength"/>, decoding statuses, <see cref="EngineStatus.VerificationFailed"/> (tag or
    /// partial-key check), or Ok with the private key and the KGC's two public keys.
    /// </summary>
    public static EngineStatus Complete(CertificatelessSecretValue secret, Request request, ReadOnlySpan<byte> enrolmentKey, ReadOnlySpan<byte> response,
                                        out CertificatelessPrivateKey? key, out byte[]? masterPublicKey, out byte[]? listSigningKey)
    {
        CheckKey(enrolmentKey);
        key = null;
        masterPublicKey = listSigningKey = null;
        PrimeOrderGroup group = secret.Parameters.Group;
        int e = group.ElementSizeInBytes, partialSize = e + PrimeOrderGroup.ScalarSizeInBytes;
        int listKeyLength = e;                                           // the list key is a group element
        if (response.Length != 2 * e + listKeyLength + partialSize + TagSize) return EngineStatus.BadLength;
        Span<ulong> ek = stackalloc ulong[group.ElementLimbs], shared = stackalloc ulong[group.ElementLimbs];
        EngineStatus status = group.Decode(response[..e], ek);
        if (status != EngineStatus.Ok) return status;
        Span<ulong> et = stackalloc ulong[PrimeOrderGroup.ScalarLimbs];
        group.ScalarAdd(request.Ephemeral, secret.Secret, et);           // E_k^(e + t) = (E_c·u)^k
        group.Pow(ek, et, shared);
        et.Clear();
        byte[] partial = new byte[partialSize];
        bool opened = OpenAnswer(group, enrolmentKey, shared, request.Bytes, response, partial);
        shared.Clear();
        if (!opened) return EngineStatus.VerificationFailed;
        masterPublicKey = response.Slice(e, e).ToArray();
        listSigningKey = response.Slice(2 * e, listKeyLength).ToArray();
        status = secret.Complete(partial, masterPublicKey, out key);
        CryptographicOperations.ZeroMemory(partial);
        return status;
    }

    /// <summary>Opens an answer's partial key under the channel secret <paramref name="shared"/> (tests try wrong secrets through this).</summary>
    internal static bool OpenAnswer(PrimeOrderGroup group, ReadOnlySpan<byte> enrolmentKey, ReadOnlySpan<ulong> shared, ReadOnlySpan<byte> request,
                                    ReadOnlySpan<byte> response, Span<byte> partial)
    {
        int e = group.ElementSizeInBytes, head = 3 * e;                  // E_k ‖ pk_sys ‖ list key (a group element)
        return Open(group, enrolmentKey, shared, request[..^MacSize], response[..head], response.Slice(head, partial.Length), response[^TagSize..], partial);
    }

    private static void CheckKey(ReadOnlySpan<byte> enrolmentKey)
    {
        if (enrolmentKey.Length != KeySize) throw new ArgumentException("The enrolment key has 32 bytes.", nameof(enrolmentKey));
    }

    private static AesGcm Channel(PrimeOrderGroup group, ReadOnlySpan<byte> enrolmentKey, ReadOnlySpan<ulong> shared, ReadOnlySpan<byte> requestBody,
                                  ReadOnlySpan<byte> responseHead)
    {
        int e = group.ElementSizeInBytes;
        byte[] ikm = new byte[e];
        group.Encode(shared, ikm);
        byte[] context = new byte[requestBody.Length + e];               // the transcript: request and E_k
        requestBody.CopyTo(context);
        responseHead[..e].CopyTo(context.AsSpan(requestBody.Length));
        Span<byte> key = stackalloc byte[32];
        Kdf.Derive(ikm, enrolmentKey, "onion/kgc-enrol", context, key);
        CryptographicOperations.ZeroMemory(ikm);
        var gcm = new AesGcm(key, TagSize);
        key.Clear();
        return gcm;
    }

    private static void Seal(PrimeOrderGroup group, ReadOnlySpan<byte> enrolmentKey, ReadOnlySpan<ulong> shared, ReadOnlySpan<byte> requestBody,
                             ReadOnlySpan<byte> responseHead, ReadOnlySpan<byte> partial, Span<byte> ciphertext, Span<byte> tag)
    {
        using AesGcm gcm = Channel(group, enrolmentKey, shared, requestBody, responseHead);
        gcm.Encrypt(stackalloc byte[12], partial, ciphertext, tag, responseHead);   // the key is fresh per enrolment: nonce 0
    }

    private static bool Open(PrimeOrderGroup group, ReadOnlySpan<byte> enrolmentKey, ReadOnlySpan<ulong> shared, ReadOnlySpan<byte> requestBody,
                             ReadOnlySpan<byte> responseHead, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, Span<byte> partial)
    {
        using AesGcm gcm = Channel(group, enrolmentKey, shared, requestBody, responseHead);
        try
        {
            gcm.Decrypt(stackalloc byte[12], ciphertext, tag, partial, responseHead);
            return true;
        }
        catch (AuthenticationTagMismatchException)
        {
            return false;
        }
    }

    /// <summary>How far a registration's timestamp may be from the KGC's clock.</summary>
    public static TimeSpan RegistrationWindow { get; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// A registration of a node's endpoint: idLen (1) ‖ ID ‖ port (2) ‖ time (8, Unix ms) ‖ HMAC(enrolment key, …) (32).
    /// The time lets the KGC refuse a replayed registration (stale, or older than the last one it accepted).
    /// </summary>
    public static byte[] CreateRegistration(string id, int port, ReadOnlySpan<byte> enrolmentKey, DateTimeOffset now)
    {
        CheckKey(enrolmentKey);
        byte[] idBytes = Encoding.UTF8.GetBytes(id);
        byte[] bytes = new byte[1 + idBytes.Length + 2 + 8 + MacSize];
        bytes[0] = (byte)idBytes.Length;
        idBytes.CopyTo(bytes, 1);
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(1 + idBytes.Length), (ushort)port);
        BinaryPrimitives.WriteInt64BigEndian(bytes.AsSpan(3 + idBytes.Length), now.ToUnixTimeMilliseconds());
        HMACSHA256.HashData(enrolmentKey, bytes.AsSpan(0, bytes.Length - MacSize), bytes.AsSpan(bytes.Length - MacSize));
        return bytes;
    }

    /// <summary>
    /// Checks a registration: <see cref="EngineStatus.BadLength"/>, <see cref="EngineStatus.VerificationFailed"/> (MAC),
    /// <see cref="EngineStatus.Malformed"/> (ID or port), <see cref="EngineStatus.Expired"/> (time outside
    /// <see cref="RegistrationWindow"/> of <paramref name="now"/>), or Ok with the time for the caller's replay check.
    /// </summary>
    public static EngineStatus ReadRegistration(ReadOnlySpan<byte> bytes, ReadOnlySpan<byte> enrolmentKey, DateTimeOffset now,
                                                out string? id, out int port, out long unixMs)
    {
        CheckKey(enrolmentKey);
        id = null;
        port = 0;
        unixMs = 0;
        if (bytes.Length < 1 || bytes.Length != 1 + bytes[0] + 2 + 8 + MacSize) return EngineStatus.BadLength;
        Span<byte> mac = stackalloc byte[MacSize];
        HMACSHA256.HashData(enrolmentKey, bytes[..^MacSize], mac);
        if (!CryptographicOperations.FixedTimeEquals(mac, bytes[^MacSize..])) return EngineStatus.VerificationFailed;
        try { id = new UTF8Encoding(false, true).GetString(bytes.Slice(1, bytes[0])); }
        catch (DecoderFallbackException) { return EngineStatus.Malformed; }
        port = BinaryPrimitives.ReadUInt16BigEndian(bytes[(1 + bytes[0])..]);
        unixMs = BinaryPrimitives.ReadInt64BigEndian(bytes[(3 + bytes[0])..]);
        if (port == 0) return EngineStatus.Malformed;
        // Compared as integers: a hostile time must not throw.
        long window = (long)RegistrationWindow.TotalMilliseconds, nowMs = now.ToUnixTimeMilliseconds();
        return unixMs < nowMs - window || unixMs > nowMs + window ? EngineStatus.Expired : EngineStatus.Ok;
    }
}
