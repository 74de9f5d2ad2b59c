namespace Engine.TwoServer.Storage;

/// <summary>
/// A store that counts each user's uploads per round for every process serving it (the Orleans cluster's frontends,
/// issue #17), so the per-round upload quota holds across them. Without it, <see cref="Roles.TwoServerNode"/> counts in
/// its own memory, which is exact for a single server process.
/// </summary>
public interface ISharedUploadQuota
{
    /// <summary>Uploads <paramref name="sender"/> made in <paramref name="round"/> so far (checked before the signature).</summary>
    int UploadsOf(string sender, long round);

    /// <summary>Counts one more upload of <paramref name="sender"/> in <paramref name="round"/> (after it was stored).</summary>
    void CountUpload(string sender, long round);
}
