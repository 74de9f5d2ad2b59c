namespace Engine.IotAuth.Roles;

/// <summary>The operation centre's policy and bounds.</summary>
public sealed record OperationCenterOptions
{
    /// <summary>The OC identifier (UTF-8, 1 to 255 bytes), hashed into every challenge.</summary>
    public required string Id { get; init; }

    /// <summary>Lowest TL a tag is issued for (TL ∈ [0, 10000]). Default 6000.</summary>
    public int Threshold { get; init; } = 6000;

    /// <summary>A challenge must be answered within this long of its T; reports' T must be within it of now. Default 30 s.</summary>
    public TimeSpan TimestampWindow { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Outstanding challenges held at once (each holds an ephemeral a); beyond it, new ones are refused. Default 100 000.</summary>
    public int MaxPendingChallenges { get; init; } = 100_000;

    /// <summary>Sessions awaiting the device's confirmation or established, held at once. Default 100 000.</summary>
    public int MaxSessions { get; init; } = 100_000;

    /// <summary>How long an established session's keys are kept. Default 1 hour.</summary>
    public TimeSpan SessionLifetime { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Throws for values outside their ranges.</summary>
    public void Validate()
    {
        int idBytes = System.Text.Encoding.UTF8.GetByteCount(Id ?? "");
        if (idBytes is 0 or > IotAuthParameters.MaxIdentityBytes) throw new ArgumentException("The OC identifier must be 1 to 255 bytes of UTF-8.", nameof(Id));
        ArgumentOutOfRangeException.ThrowIfNegative(Threshold, nameof(Threshold));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(Threshold, 10_000, nameof(Threshold));
        ArgumentOutOfRangeException.ThrowIfLessThan(TimestampWindow, TimeSpan.FromSeconds(1), nameof(TimestampWindow));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxPendingChallenges, 1, nameof(MaxPendingChallenges));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxSessions, 1, nameof(MaxSessions));
    }
}
