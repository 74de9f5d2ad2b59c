namespace Engine.Revocation.Roles;

/// <summary>A user or CSP an authority's admin granted: its keys, attributes and undelivered updates.</summary>
internal sealed class Registration(byte[] signingKey, byte[] encryptionKey, List<string> attributes)
{
    /// <summary>The Schnorr public key (G1) its requests are signed with.</summary>
    public byte[] SigningKey { get; set; } = signingKey;

    /// <summary>The hashed-ElGamal public key (G1) its answers are sealed to.</summary>
    public byte[] EncryptionKey { get; set; } = encryptionKey;

    /// <summary>Granted attributes.</summary>
    public List<string> Attributes { get; set; } = attributes;

    /// <summary>Updates not yet acknowledged: sequence, kind (1 key update, 2 ring key), encoding.</summary>
    public List<(ulong Sequence, byte Kind, byte[] Blob)> Pending { get; } = [];
}
