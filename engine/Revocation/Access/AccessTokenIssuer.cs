using Engine.Primitives.Wire;

namespace Engine.Revocation.Access;

/// <summary>Reads who claims to have issued a token (to pick the key to verify it with).</summary>
public static class AccessTokenIssuer
{
    /// <summary>The issuer field, or null when the token does not even parse that far.</summary>
    public static string? Peek(ReadOnlySpan<byte> token)
    {
        var r = new WireReader(token, RevocationParameters.Version);
        string issuer = r.Name();
        return r.Ok ? issuer : null;
    }
}
