using System.Security.Cryptography;
using Engine.Primitives.Encryption;
using Engine.Primitives.Replay;
using Engine.Primitives.Schnorr;
using Engine.Primitives.Wire;

namespace Engine.Revocation.Wire;

/// <summary>
/// Payload helpers of Protocol 4's frames: writers and readers with the version byte, refusals, payloads sealed to a
/// recipient's hashed-ElGamal key, and signed requests (body ‖ timestamp in ms (8) ‖ nonce (16) ‖ Schnorr signature in
/// G1), checked for freshness and replay before the signature and long before any pairing.
/// </summary>
public static class RevocationWire
{
    /// <summary>Bytes of a Schnorr signature in G1.</summary>
    public static int SignatureSize => SchnorrSignature.SizeInBytes(RevocationParameters.Group);

    /// <summary>Bytes of a request nonce.</summary>
    public const int NonceSize = 16;

    /// <summary>How far a signed request's timestamp may be from the server's clock.</summary>
    public static TimeSpan FreshnessWindow { get; } = TimeSpan.FromMinutes(2);

    internal static SealedPayload Sealed { get; } = new(RevocationParameters.Group, RevocationParameters.Version);

    internal static WireWriter Writer() => new(RevocationParameters.Version);

    internal static WireReader Reader(ReadOnlySpan<byte> payload) => new(payload, RevocationParameters.Version);

    /// <summary>An <see cref="RevocationMessageType.Error"/> payload.</summary>
    public static byte[] Error(EngineStatus status, string? reason = null) => WireErrors.Write(RevocationParameters.Version, status, reason);

    /// <summary>Writes an <see cref="RevocationMessageType.Error"/> payload into <paramref name="destination"/>.</summary>
    public static void Error(EngineStatus status, string? reason, System.Buffers.IBufferWriter<byte> destination) => WireErrors.Write(RevocationParameters.Version, status, reason, destination);

    /// <summary>A pooled payload writer that starts with the version (see <see cref="WireWriter.Rent"/>).</summary>
    internal static WireWriter RentWriter() => WireWriter.Rent(RevocationParameters.Version);

    /// <summary>Reads an error payload; Malformed when it is not one.</summary>
    public static (EngineStatus Status, string? Reason) ReadError(ReadOnlySpan<byte> payload) => WireErrors.Read(RevocationParameters.Version, payload);

    /// <summary>Appends timestamp, nonce and the signature over everything before it.</summary>
    internal static byte[] Sign(WireWriter w, SchnorrSigningKey key, TimeProvider time)
    {
        w.UInt64((ulong)time.GetUtcNow().ToUnixTimeMilliseconds()).Fixed(RandomNumberGenerator.GetBytes(NonceSize));
        Span<byte> signature = stackalloc byte[SignatureSize];
        SchnorrSignature.Sign(key, w.WrittenSpan, signature);
        return w.Fixed(signature).ToArray();
    }

    /// <summary>
    /// Splits a signed request into its body (version byte and fields, without timestamp, nonce and signature) and checks, in order of
    /// cost: length, freshness, the signature under <paramref name="publicKey"/>, then the nonce against replays.
    /// </summary>
    internal static EngineStatus Verify(ReadOnlySpan<byte> payload, ReadOnlySpan<byte> publicKey, ReplayCache replays, TimeProvider time, out ReadOnlySpan<byte> body)
    {
        body = default;
        int trailer = 8 + NonceSize + SignatureSize;
        if (payload.Length < 1 + trailer) return EngineStatus.BadLength;
        if (payload[0] != RevocationParameters.Version) return EngineStatus.UnsupportedVersion;
        ReadOnlySpan<byte> signed = payload[..^SignatureSize];
        long timestamp = (long)System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(signed[^(8 + NonceSize)..]);
        DateTimeOffset now = time.GetUtcNow();
        if (Math.Abs(timestamp - now.ToUnixTimeMilliseconds()) > FreshnessWindow.TotalMilliseconds) return EngineStatus.Expired;
        EngineStatus status = SchnorrSignature.Verify(RevocationParameters.Group, publicKey, signed, payload[^SignatureSize..]);
        if (status != EngineStatus.Ok) return status;
        status = replays.TryAdd(signed[^NonceSize..], DateTimeOffset.FromUnixTimeMilliseconds(timestamp) + FreshnessWindow, now);
        if (status != EngineStatus.Ok) return status;
        body = payload[..^trailer];
        return EngineStatus.Ok;
    }

    /// <summary>The signed part's body without verifying (to learn who claims to sign before looking up their key).</summary>
    internal static ReadOnlySpan<byte> UnverifiedBody(ReadOnlySpan<byte> payload)
    {
        int trailer = 8 + NonceSize + SignatureSize;
        return payload.Length < 1 + trailer ? default : payload[..^trailer];
    }
}
