using Engine.Primitives.Caching;
using Engine.TwoServer.Storage;
using Orleans.Placement;

namespace Engine.Cluster.TwoServer.Grains;

/// <summary>A shard of the session index: sessions never change once stored, so a bounded cache over the store.</summary>
[RandomPlacement]          // spread over the silos, not kept near whichever silo or frontend calls first
public sealed class SessionShardGrain(ClusterState state) : Grain, ISessionShardGrain
{
    private readonly BoundedCache<UInt128, SessionRecord> _sessions = new(1 << 16);

    /// <inheritdoc/>
    public Task<SessionRecord?> Find(byte[] sessionId)
    {
        bool keyed = ClusterTwoServerStore.TrySessionKey(sessionId, out UInt128 key);
        if (keyed && _sessions.TryGet(key, out SessionRecord? session)) return Task.FromResult<SessionRecord?>(session);
        session = state.Store.FindSession(sessionId);
        if (keyed && session is not null) _sessions.Set(key, session);
        return Task.FromResult(session);
    }

    /// <inheritdoc/>
    public Task Remember(SessionRecord session)
    {
        if (ClusterTwoServerStore.TrySessionKey(session.SessionId, out UInt128 key)) _sessions.Set(key, session);
        return Task.CompletedTask;
    }
}
