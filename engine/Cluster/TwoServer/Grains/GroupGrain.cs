using Orleans.Placement;
using Engine.TwoServer.Storage;

namespace Engine.Cluster.TwoServer.Grains;

/// <summary>
/// One group. Membership and epoch are kept in memory (only this grain changes them); sessions, uploads and dials are
/// written through to the store, which also checks atomically that an upload's round is still open. A closed round's
/// uploads are read once and kept for the members' fetches of the kept rounds. A round's uploads go to frontends once
/// per frontend: each frontend fans them out into its members' inboxes itself (see the cluster README: fanning out
/// here would send every inbox byte twice, silo to frontend and frontend to user).
/// </summary>
[RandomPlacement]          // spread over the silos, not kept near whichever silo or frontend calls first
public sealed class GroupGrain(ClusterState state, SiloLoad load) : Grain, IGroupGrain
{
    private GroupState _view;
    private readonly Dictionary<long, StoredUpload[]> _closed = [];

    private string Name => this.GetPrimaryKeyString();

    /// <inheritdoc/>
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        (int epoch, IReadOnlyList<string> members) = state.Store.Group(Name);
        _view = new GroupState(epoch, [.. members]);
        load.GroupActivated();
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        load.GroupDeactivated();
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task<GroupState> View() => Task.FromResult(_view);

    /// <inheritdoc/>
    public Task<GroupState> AddMember(string userId)
    {
        (int epoch, IReadOnlyList<string> members) = state.Store.AddMember(Name, userId);
        if (epoch != _view.Epoch) _closed.Clear();            // decoded rounds are per epoch
        _view = new GroupState(epoch, [.. members]);
        return Task.FromResult(_view);
    }

    /// <inheritdoc/>
    public Task<int> SessionsOf(int epoch, string senderId) => Task.FromResult(state.Store.SessionsOf(Name, epoch, senderId));

    /// <inheritdoc/>
    public async Task<bool> TryAddSession(SessionRecord session)
    {
        if (session.Group != Name || !state.Store.TryAddSession(session)) return false;
        await GrainFactory.GetGrain<ISessionShardGrain>(ClusterTwoServerStore.SessionShard(session.SessionId)).Remember(session).ConfigureAwait(true);
        return true;
    }

    /// <inheritdoc/>
    public Task<bool> HasUpload(long round, ulong messageId) => Task.FromResult(state.Store.HasUpload(round, messageId));

    /// <inheritdoc/>
    public Task<bool> TryAddUpload(StoredUpload upload)
    {
        bool stored = state.Store.TryAddUpload(upload);                  // one statement: open round and fresh id together
        if (stored) load.UploadStored();
        return Task.FromResult(stored);
    }

    /// <inheritdoc/>
    public async Task<StoredUpload[]> ClosedUploads(long round)
    {
        if (!_closed.TryGetValue(round, out StoredUpload[]? uploads))
        {
            long current = await GrainFactory.GetGrain<IRoundClockGrain>(0).Current().ConfigureAwait(true);
            if (round >= current || round < current - ClusterState.RoundsKept) return [];      // open, future or forgotten
            uploads = [.. state.Store.Uploads(round, Name)];
            foreach (long old in _closed.Keys.Where(r => r < current - ClusterState.RoundsKept).ToList()) _closed.Remove(old);
            _closed[round] = uploads;
            load.RoundRead();
        }
        load.Served(Bytes(uploads));
        return uploads;
    }

    /// <inheritdoc/>
    public Task<bool> PutDial(string senderId, StoredUpload upload, int capacity) => Task.FromResult(state.Store.PutDial(Name, senderId, upload, capacity));

    /// <inheritdoc/>
    public Task<StoredUpload[]> PendingDials(string memberId)
    {
        StoredUpload[] dials = [.. state.Store.PendingDials(Name, memberId)];
        load.Served(Bytes(dials));
        return Task.FromResult(dials);
    }

    /// <inheritdoc/>
    public Task MarkDialsFetched(string memberId, ulong[] messageIds)
    {
        state.Store.MarkDialsFetched(Name, memberId, messageIds);
        return Task.CompletedTask;
    }

    private static long Bytes(StoredUpload[] uploads)
    {
        long bytes = 0;
        foreach (StoredUpload u in uploads) bytes += 8 + 8 + u.SessionId.Length + u.Shares.Length + u.SenderSignature.Length;
        return bytes;
    }
}
