using Orleans.Concurrency;

namespace Engine.Cluster.TwoServer.Grains;

/// <summary>The quotas' cluster-wide counts, straight from the store (a stateless worker: any silo answers).</summary>
[StatelessWorker]
public sealed class RegistryGrain(ClusterState state) : Grain, IRegistryGrain
{
    /// <inheritdoc/>
    public Task<int> PendingUserCount() => Task.FromResult(state.Store.PendingUserCount);

    /// <inheritdoc/>
    public Task<int> RemovePendingBefore(DateTimeOffset cutoff) => Task.FromResult(state.Store.RemovePendingBefore(cutoff));

    /// <inheritdoc/>
    public Task<int> GroupCount() => Task.FromResult(state.Store.GroupCount);

    /// <inheritdoc/>
    public Task<int> GroupsOf(string userId) => Task.FromResult(state.Store.GroupsOf(userId));
}
