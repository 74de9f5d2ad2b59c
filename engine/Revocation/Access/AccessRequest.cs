using System.Security.Cryptography;
using Engine.Primitives.Wire;

namespace Engine.Revocation.Access;

/// <summary>
/// The message M a user ring-signs to ask the source CSP for access: the accepting CSP and resource, a millisecond
/// timestamp and a nonce (the source CSP refuses stale and replayed requests before any pairing).
/// </summary>
public sealed record AccessRequest(string Audience, string Resource, ulong TimestampMilliseconds, byte[] Nonce)
{
    /// <summary>A request for now with a fresh nonce.</summary>
    public static AccessRequest Create(string audience, string resource, TimeProvider time)
        => new(audience, resource, (ulong)time.GetUtcNow().ToUnixTimeMilliseconds(), RandomNumberGenerator.GetBytes(AccessToken.NonceSize));

    /// <summary>version ‖ audience ‖ resource ‖ timestamp (8) ‖ nonce (16).</summary>
    public byte[] Encode() => new WireWriter(RevocationParameters.Version).Name(Audience).Name(Resource).UInt64(TimestampMilliseconds).Fixed(Nonce).ToArray();

    /// <summary>Decodes a request.</summary>
    public static EngineStatus Decode(ReadOnlySpan<byte> encoded, out AccessRequest? request)
    {
        request = null;
        var r = new WireReader(encoded, RevocationParameters.Version);
        if (r.VersionMismatch) return EngineStatus.UnsupportedVersion;
        string audience = r.Name(), resource = r.Name();
        ulong timestamp = r.UInt64();
        byte[] nonce = r.Fixed(AccessToken.NonceSize).ToArray();
        if (!r.AtEndOk) return EngineStatus.Malformed;
        request = new AccessRequest(audience, resource, timestamp, nonce);
        return EngineStatus.Ok;
    }
}
