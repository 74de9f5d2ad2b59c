namespace Engine.TwoServer.Roles;

/// <summary>
/// The bounds a two-server node puts on what clients can make it store (issue #15): every table has a cap, and
/// pending registrations a lifetime, so a flood of well-formed requests cannot grow the store without end. A request
/// over a quota is refused with <see cref="EngineStatus.QuotaExceeded"/> and stores nothing.
/// </summary>
public sealed record TwoServerQuotas
{
    /// <summary>The defaults.</summary>
    public static TwoServerQuotas Default { get; } = new();

    /// <summary>Registrations waiting for their <c>Confirm</c>, over all names.</summary>
    public int MaxPendingRegistrations { get; init; } = 10_000;

    /// <summary>How long a registration may wait for its <c>Confirm</c>; after that the name is free again (no squatting).</summary>
    public TimeSpan PendingRegistrationLifetime { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Members of one group (it also sets the largest legal session request).</summary>
    public int MaxGroupMembers { get; init; } = 4096;

    /// <summary>Groups in total.</summary>
    public int MaxGroups { get; init; } = 100_000;

    /// <summary>Groups one user may be a member of.</summary>
    public int MaxGroupsPerUser { get; init; } = 64;

    /// <summary>Sessions one user may hold in one group at its current epoch (older epochs' sessions are forgotten when the group changes).</summary>
    public int MaxSessionsPerUserAndGroup { get; init; } = 16;

    /// <summary>Uploads one user may make in one round (a long message or a dial is one upload per fragment).</summary>
    public int MaxUploadsPerUserPerRound { get; init; } = 1024;

    /// <summary>Throws when a bound is not positive.</summary>
    public void Validate()
    {
        if (MaxPendingRegistrations < 1 || MaxGroupMembers < 2 || MaxGroups < 1 || MaxGroupsPerUser < 1 || MaxSessionsPerUserAndGroup < 1 || MaxUploadsPerUserPerRound < 1)
            throw new ArgumentOutOfRangeException(nameof(MaxPendingRegistrations), "Every quota is at least 1 (a group at least 2).");
        if (PendingRegistrationLifetime <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(PendingRegistrationLifetime), "The lifetime is positive.");
    }
}
