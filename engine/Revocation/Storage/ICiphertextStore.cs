namespace Engine.Revocation.Storage;

/// <summary>
/// Where an accepting CSP keeps ciphertexts (whole <c>AbeCiphertextFile</c>s) by resource name, and the little state
/// of its update job. <see cref="Put"/> is atomic: a reader (or a restart after a crash) sees the old or the new
/// ciphertext, never a mix.
/// </summary>
public interface ICiphertextStore
{
    /// <summary>Resource names, sorted.</summary>
    IReadOnlyList<string> Resources();

    /// <summary>The ciphertext, or null.</summary>
    byte[]? Get(string resource);

    /// <summary>Stores or replaces a ciphertext atomically (and durably, where the store is durable).</summary>
    void Put(string resource, byte[] ciphertext);

    /// <summary>A small named value of the update job (null when unset).</summary>
    byte[]? GetMeta(string name);

    /// <summary>Sets a small named value atomically.</summary>
    void SetMeta(string name, byte[] value);
}
