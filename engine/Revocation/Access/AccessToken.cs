using System.Security.Cryptography;
using Engine.Primitives.Schnorr;
using Engine.Primitives.Wire;

namespace Engine.Revocation.Access;

/// <summary>
/// The source CSP's answer to a verified ring signature (SPEC §4.4, the paper's "True passed to the accepting CSP"):
/// a short-lived token that lets the bearer fetch one resource from one accepting CSP, signed with the source CSP's
/// Schnorr key in G1. It names the ring and epoch it was granted under, never the signer.
/// </summary>
public sealed class AccessToken
{
    /// <summary>Bytes of the token nonce.</summary>
    public const int NonceSize = 16;

    /// <summary>Longest lifetime a token may claim.</summary>
    public static TimeSpan MaxLifetime { get; } = TimeSpan.FromHours(1);

    private AccessToken(string issuer, string audience, string resource, string ringId, ulong epoch, ulong issuedAt, ulong expiresAt, byte[] nonce)
    {
        Issuer = issuer;
        Audience = audience;
        Resource = resource;
        RingId = ringId;
        Epoch = epoch;
        IssuedAt = issuedAt;
        ExpiresAt = expiresAt;
        Nonce = nonce;
    }

    /// <summary>The source CSP that verified the signature.</summary>
    public string Issuer { get; }

    /// <summary>The accepting CSP the token is for.</summary>
    public string Audience { get; }

    /// <summary>The resource (a ciphertext id) it grants.</summary>
    public string Resource { get; }

    /// <summary>The ring the signature verified under.</summary>
    public string RingId { get; }

    /// <summary>The ring epoch.</summary>
    public ulong Epoch { get; }

    /// <summary>Unix seconds.</summary>
    public ulong IssuedAt { get; }

    /// <summary>Unix seconds; the token is refused from then on.</summary>
    public ulong ExpiresAt { get; }

    /// <summary>Random, so two tokens never encode alike.</summary>
    public byte[] Nonce { get; }

    /// <summary>version ‖ issuer ‖ audience ‖ resource ‖ ring ‖ epoch (8) ‖ issued (8) ‖ expires (8) ‖ nonce (16) ‖ Schnorr signature.</summary>
    public static byte[] Issue(SchnorrSigningKey key, string issuer, string audience, string resource, string ringId, ulong epoch, TimeProvider time, TimeSpan lifetime)
    {
        var w = new WireWriter(RevocationParameters.Version);
        Issue(key, issuer, audience, resource, ringId, epoch, time, lifetime, w);
        return w.WrittenSpan[1..].ToArray();
    }

    /// <summary>Appends a token (as <see cref="Issue(SchnorrSigningKey, string, string, string, string, ulong, TimeProvider, TimeSpan)"/> returns it) to what <paramref name="writer"/> holds.</summary>
    internal static void Issue(SchnorrSigningKey key, string issuer, string audience, string resource, string ringId, ulong epoch, TimeProvider time, TimeSpan lifetime, WireWriter writer)
    {
        if (lifetime <= TimeSpan.Zero || lifetime > MaxLifetime) throw new ArgumentOutOfRangeException(nameof(lifetime), $"Tokens live up to {MaxLifetime}.");
        ulong now = (ulong)time.GetUtcNow().ToUnixTimeSeconds();
        int start = writer.WrittenSpan.Length;
        Span<byte> nonce = stackalloc byte[NonceSize];
        RandomNumberGenerator.Fill(nonce);
        writer.Byte(RevocationParameters.Version).Name(issuer).Name(audience).Name(resource).Name(ringId)
            .UInt64(epoch).UInt64(now).UInt64(now + (ulong)lifetime.TotalSeconds).Fixed(nonce);
        Span<byte> signature = stackalloc byte[SchnorrSignature.SizeInBytes(key.Group)];
        SchnorrSignature.Sign(key, writer.WrittenSpan[start..], signature);
        writer.Fixed(signature);
    }

    /// <summary>
    /// Checks that a token is for <paramref name="audience"/> and not expired, then its signature under
    /// <paramref name="issuerPublicKey"/>.
    /// </summary>
    /// <returns><see cref="EngineStatus.VerificationFailed"/> (signature or audience), <see cref="EngineStatus.Expired"/>,
    /// or a decoding status.</returns>
    public static EngineStatus Verify(ReadOnlySpan<byte> encoded, ReadOnlySpan<byte> issuerPublicKey, string audience, TimeProvider time, out AccessToken? token)
    {
        token = null;
        int signatureSize = SchnorrSignature.SizeInBytes(RevocationParameters.Group);
        if (encoded.Length < 1 + signatureSize || encoded.Length > 2048) return EngineStatus.BadLength;
        ReadOnlySpan<byte> body = encoded[..^signatureSize];
        var r = new WireReader(body, RevocationParameters.Version);
        if (r.VersionMismatch) return EngineStatus.UnsupportedVersion;
        string issuer = r.Name(), aud = r.Name(), resource = r.Name(), ring = r.Name();
        ulong epoch = r.UInt64(), issued = r.UInt64(), expires = r.UInt64();
        byte[] nonce = r.Fixed(NonceSize).ToArray();
        if (!r.AtEndOk) return EngineStatus.Malformed;
        // The cheap checks first, the exponentiations of the signature last.
        if (aud != audience) return EngineStatus.VerificationFailed;
        ulong now = (ulong)time.GetUtcNow().ToUnixTimeSeconds();
        if (now >= expires || issued > now + 60 || expires - issued > (ulong)MaxLifetime.TotalSeconds) return EngineStatus.Expired;
        EngineStatus status = SchnorrSignature.Verify(RevocationParameters.Group, issuerPublicKey, body, encoded[^signatureSize..]);
        if (status != EngineStatus.Ok) return status;
        token = new AccessToken(issuer, aud, resource, ring, epoch, issued, expires, nonce);
        return EngineStatus.Ok;
    }
}
