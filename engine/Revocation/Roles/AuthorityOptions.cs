namespace Engine.Revocation.Roles;

/// <summary>Bounds and clock of an <see cref="Authority"/>.</summary>
public sealed record AuthorityOptions
{
    /// <summary>Most registered users.</summary>
    public int MaxUsers { get; init; } = 100_000;

    /// <summary>Most registered CSPs.</summary>
    public int MaxCsps { get; init; } = 256;

    /// <summary>Most undelivered updates kept per user (older ones are dropped: the user must re-request keys).</summary>
    public int MaxPendingPerUser { get; init; } = 1024;

    /// <summary>Most ciphertext update keys kept for CSPs.</summary>
    public int MaxUpdateLog { get; init; } = 100_000;

    /// <summary>Request nonces remembered (replays within the freshness window are refused).</summary>
    public int ReplayCapacity { get; init; } = 1 << 16;

    /// <summary>The clock (tests move it).</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;
}
