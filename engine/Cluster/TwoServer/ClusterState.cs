using Engine.Cluster.Membership;
using Engine.TwoServer.Roles;
using Engine.TwoServer.Storage;

namespace Engine.Cluster.TwoServer;

/// <summary>
/// What every grain of one silo writes through (a singleton per silo): the durable store of issue #15
/// (<see cref="SqlTwoServerStore"/>) on the cluster's PostgreSQL database, shared by all its silos, and the round clock's
/// settings. The grains keep in memory only what they can rebuild from here.
/// </summary>
public sealed class ClusterState : IDisposable
{
    /// <summary>The store in <paramref name="database"/>'s PostgreSQL database; rounds last <paramref name="roundLength"/> (zero: closed by hand).</summary>
    public ClusterState(ClusterDatabase database, TimeSpan roundLength)
    {
        Store = new SqlTwoServerStore(Engine.Storage.SqlDatabase.Open(database.ConnectionString, "unused"));
        RoundLength = roundLength;
    }

    /// <summary>The durable store.</summary>
    public SqlTwoServerStore Store { get; }

    /// <summary>How long a round stays open (zero: until <see cref="Grains.IRoundClockGrain.Close"/>).</summary>
    public TimeSpan RoundLength { get; }

    /// <summary>Closed rounds kept for fetching, as in the single-process server.</summary>
    public static int RoundsKept => TwoServerNode.RoundsKept;

    /// <inheritdoc/>
    public void Dispose() => Store.Dispose();
}
