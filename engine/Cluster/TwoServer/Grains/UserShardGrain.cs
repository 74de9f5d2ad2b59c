using Orleans.Placement;
using System.Collections.Concurrent;
using Engine.TwoServer.Storage;

namespace Engine.Cluster.TwoServer.Grains;

/// <summary>
/// A shard of the registrations. Active users' keys never change, so they stay cached here; pending ones are read from
/// the store each time (they expire and are swept there).
/// </summary>
[RandomPlacement]          // spread over the silos, not kept near whichever silo or frontend calls first
public sealed class UserShardGrain(ClusterState state) : Grain, IUserShardGrain
{
    private const int MaxCached = 1 << 16;
    private readonly ConcurrentDictionary<string, UserRecord> _active = new(StringComparer.Ordinal);

    /// <inheritdoc/>
    public Task<UserRecord?> Find(string id)
    {
        if (_active.TryGetValue(id, out UserRecord? user)) return Task.FromResult<UserRecord?>(user);
        user = state.Store.FindUser(id);
        if (user is { Active: true }) Cache(user);
        return Task.FromResult(user);
    }

    /// <inheritdoc/>
    public Task Put(UserRecord user)
    {
        state.Store.PutUser(user);
        if (user.Active) Cache(user);
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task Remove(string id)
    {
        state.Store.RemoveUser(id);
        _active.TryRemove(id, out _);
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

    private void Cache(UserRecord user)
    {
        if (_active.Count >= MaxCached) _active.Clear();      // bounded: the store still has them all
        _active[user.Id] = user;
    }
}
