namespace Engine.TwoServer.Roles;

/// <summary>
/// Where each share of one message sits in a sender's buffer: four records for a pair message (S1's share for G_1,
/// S1's for G_2, S2's for G_1, S2's for G_2), six in subgroup mode (then S1's third slot: r_3 for G_τ̂, m_3 for
/// everyone else). Every share is one record long.
/// </summary>
public static class ShareLayout
{
    /// <summary>Shares of a pair message.</summary>
    public const int PairShares = 4;

    /// <summary>Shares of a subgroup message.</summary>
    public const int SubgroupShares = 6;

    /// <summary>Index of server <paramref name="server"/>'s (1 or 2) share for partition <paramref name="partition"/> (0: G_1, 1: G_2).</summary>
    public static int Index(int server, int partition) => 2 * (server - 1) + partition;

    /// <summary>Index of the third share that G_τ̂ receives (r_3).</summary>
    public const int ThirdForSwapped = 4;

    /// <summary>Index of the third share that everyone else receives (the dummy m_3).</summary>
    public const int ThirdForOthers = 5;
}
