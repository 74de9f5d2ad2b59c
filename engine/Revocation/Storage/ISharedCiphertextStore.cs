namespace Engine.Revocation.Storage;

/// <summary>
/// A ciphertext store whose update job several workers (threads, or accepting-CSP processes on one database) share so
/// that each ciphertext is updated by exactly one of them (issue #17): a worker claims a few ciphertexts not yet done
/// under the job for a lease, updates them, and completes each claim; a claim whose lease ran out (its worker died)
/// is claimed again by another, and the late worker's completion is refused, so nothing is written twice.
/// </summary>
public interface ISharedCiphertextStore : ICiphertextStore
{
    /// <summary>
    /// Claims up to <paramref name="count"/> ciphertexts not done under <paramref name="job"/> and not claimed under it by
    /// a live lease, for <paramref name="worker"/> until <paramref name="now"/> + <paramref name="lease"/>; their names.
    /// </summary>
    IReadOnlyList<string> Claim(string job, string worker, int count, TimeSpan lease, DateTimeOffset now);

    /// <summary>
    /// Ends <paramref name="worker"/>'s claim: writes <paramref name="updated"/> (null: unchanged) and marks the ciphertext
    /// done under <paramref name="job"/>, atomically; false, writing nothing, when the claim was lost to another worker.
    /// </summary>
    bool Complete(string job, string worker, string resource, byte[]? updated);
}
