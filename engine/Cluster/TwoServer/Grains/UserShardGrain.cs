using Orleans.Placement;
using Engine.TwoServer.Storage;

namespace Engine.Cluster.TwoServer.Grains;

/// <summary>
/// A shard of the registrations, read and written through the store (which keeps active users' keys in memory: they
/// never change), and the shard's per-round upload counts.
/// </summary>
[RandomPlacement]          // spread over the silos, not kept near whichever silo or frontend calls first
public sealed class UserShardGrain(ClusterState state) : Grain, IUserShardGrain
{
    /// <inheritdoc/>
    public Task<UserRecord?> Find(string id) => Task.FromResult(state.Store.FindUser(id));

    /// <inheritdoc/>
    public Task Put(UserRecord user)
    {
        state.Store.PutUser(user);
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task Remove(string id)
    {
        state.Store.RemoveUser(id);
        return Task.CompletedTask;
    }

    // Uploads per (user, round) of the recent rounds, for the per-round quota. In memory: a silo that dies forgets its
    // shard's counts, so for that round its users may upload up to the quota again (the quota bounds, it is no ledger).
    private readonly Dictionary<(string Id, long Round), int> _uploads = [];
    private long _newestRound;

    /// <inheritdoc/>
    public Task<int> UploadsOf(string id, long round) => Task.FromResult(_uploads.GetValueOrDefault((id, round)));

    /// <inheritdoc/>
    public Task CountUpload(string id, long round)
    {
        if (round > _newestRound)
        {
            _newestRound = round;
            foreach ((string, long Round) key in _uploads.Keys.Where(k => k.Round < round - 1).ToList()) _uploads.Remove(key);
        }
        _uploads[(id, round)] = _uploads.GetValueOrDefault((id, round)) + 1;
        return Task.CompletedTask;
    }

}
