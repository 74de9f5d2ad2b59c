using Orleans.Placement;
using Engine.TwoServer.Storage;

namespace Engine.Cluster.TwoServer.Grains;

/// <summary>A shard of the session index: sessions never change once stored, so a bounded cache over the store.</summary>
[RandomPlacement]          // spread over the silos, not kept near whichever silo or frontend calls first
public sealed class SessionShardGrain(ClusterState state) : Grain, ISessionShardGrain
{
    private const int MaxCached = 1 << 16;
    private readonly Dictionary<string, SessionRecord> _sessions = new(StringComparer.Ordinal);

    /// <inheritdoc/>
    public Task<SessionRecord?> Find(byte[] sessionId)
    {
        string key = Convert.ToHexString(sessionId);
        if (_sessions.TryGetValue(key, out SessionRecord? session)) return Task.FromResult<SessionRecord?>(session);
        session = state.Store.FindSession(sessionId);
        if (session is not null) Remember(key, session);
        return Task.FromResult(session);
    }

    /// <inheritdoc/>
    public Task Remember(SessionRecord session)
    {
        Remember(Convert.ToHexString(session.SessionId), session);
        return Task.CompletedTask;
    }

    private void Remember(string key, SessionRecord session)
    {
        if (_sessions.Count >= MaxCached) _sessions.Clear();
        _sessions[key] = session;
    }
}
