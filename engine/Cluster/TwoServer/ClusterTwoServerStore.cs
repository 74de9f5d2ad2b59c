using Engine.Primitives.Caching;
using System.IO.Hashing;
using System.Text;
using Engine.Cluster.TwoServer.Grains;
using Engine.TwoServer.Storage;

namespace Engine.Cluster.TwoServer;

/// <summary>
/// The <see cref="ITwoServerStore"/> of a frontend: every state operation of <see cref="Engine.TwoServer.Roles.TwoServerNode"/>
/// becomes a grain call, so the frontend keeps nothing that a restart could lose and any number of frontends serve one
/// cluster. Registrations go to a user shard, groups (membership, sessions, uploads, dials) to their group grain,
/// session lookups to a session shard, the open round to the cluster's one round clock. Only what never changes is
/// cached here (active users' keys, sessions), within a bound.
/// </summary>
/// <remarks>
/// The node's store interface is synchronous, so each call waits for its grain (at most <see cref="CallTimeout"/>): a
/// frontend thread is held for a grain round trip (tens of microseconds on loopback). A grain call that fails or times
/// out throws <see cref="EngineException"/> (<see cref="EngineStatus.Unreachable"/>), which the role server reports
/// to the client and counts; nothing was acknowledged.
/// </remarks>
public sealed class ClusterTwoServerStore(IGrainFactory grains) : ITwoServerStore, ISharedUploadQuota
{
    /// <summary>User registrations are spread over this many shards by a hash of the id.</summary>
    public const int UserShards = 64;

    private readonly BoundedCache<string, UserRecord> _activeUsers = new(1 << 16, StringComparer.Ordinal);
    private readonly BoundedCache<UInt128, SessionRecord> _sessions = new(1 << 16);

    /// <summary>How long a grain call may take.</summary>
    public TimeSpan CallTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The shard of a user id (XXH32 of its UTF-8, stable across processes).</summary>
    public static int UserShard(string id) => (int)(XxHash32.HashToUInt32(Encoding.UTF8.GetBytes(id)) % UserShards);

    /// <summary>The shard of a session id: its first byte (session ids are random).</summary>
    public static int SessionShard(ReadOnlySpan<byte> sessionId) => sessionId.IsEmpty ? 0 : sessionId[0];

    /// <summary>A session id as a cache key without allocating (false for an id of another length: not cached).</summary>
    public static bool TrySessionKey(ReadOnlySpan<byte> sessionId, out UInt128 key)
    {
        bool ok = sessionId.Length == Engine.TwoServer.Wire.TwoServerWire.SessionIdSize;
        key = ok ? System.Buffers.Binary.BinaryPrimitives.ReadUInt128BigEndian(sessionId) : default;
        return ok;
    }

    private T Wait<T>(Task<T> call)
    {
        try { return call.WaitAsync(CallTimeout).GetAwaiter().GetResult(); }
        catch (Exception e) when (IsUnreachable(e)) { throw Unreachable(e); }
    }

    private void Wait(Task call)
    {
        try { call.WaitAsync(CallTimeout).GetAwaiter().GetResult(); }
        catch (Exception e) when (IsUnreachable(e)) { throw Unreachable(e); }
    }

    // Any failure of the call (a silo gone, a timeout, the database behind a grain refusing): the request is answered
    // Unreachable and nothing was acknowledged, rather than the client's connection dropped.
    private static bool IsUnreachable(Exception e) => e is not (EngineException or OutOfMemoryException);

    private static EngineException Unreachable(Exception e) => new(EngineStatus.Unreachable, $"the cluster did not answer: {e.Message}");

    private IUserShardGrain Users(string id) => grains.GetGrain<IUserShardGrain>(UserShard(id));

    private IGroupGrain GroupOf(string name) => grains.GetGrain<IGroupGrain>(name);

    private IRegistryGrain Registry => grains.GetGrain<IRegistryGrain>(0);

    private IRoundClockGrain Clock => grains.GetGrain<IRoundClockGrain>(0);

    /// <inheritdoc/>
    public UserRecord? FindUser(string id)
    {
        if (_activeUsers.TryGet(id, out UserRecord? user)) return user;
        user = Wait(Users(id).Find(id));
        if (user is { Active: true }) _activeUsers.Set(id, user);
        return user;
    }

    /// <inheritdoc/>
    public void PutUser(UserRecord user)
    {
        _activeUsers.Remove(user.Id);
        Wait(Users(user.Id).Put(user));
    }

    /// <inheritdoc/>
    public void RemoveUser(string id)
    {
        _activeUsers.Remove(id);
        Wait(Users(id).Remove(id));
    }

    /// <inheritdoc/>
    public int UploadsOf(string sender, long round) => Wait(Users(sender).UploadsOf(sender, round));

    /// <inheritdoc/>
    public void CountUpload(string sender, long round) => Wait(Users(sender).CountUpload(sender, round));

    /// <inheritdoc/>
    public int PendingUserCount => Wait(Registry.PendingUserCount());

    /// <inheritdoc/>
    public int RemovePendingBefore(DateTimeOffset cutoff) => Wait(Registry.RemovePendingBefore(cutoff));

    /// <inheritdoc/>
    public int GroupCount => Wait(Registry.GroupCount());

    /// <inheritdoc/>
    public int GroupsOf(string userId) => Wait(Registry.GroupsOf(userId));

    /// <inheritdoc/>
    public int SessionsOf(string group, int epoch, string senderId) => Wait(GroupOf(group).SessionsOf(epoch, senderId));

    /// <inheritdoc/>
    public (int Epoch, IReadOnlyList<string> Members) Group(string name)
    {
        GroupState view = Wait(GroupOf(name).View());
        return (view.Epoch, view.Members);
    }

    /// <inheritdoc/>
    public int GroupEpoch(string name) => Wait(GroupOf(name).View()).Epoch;

    /// <inheritdoc/>
    public (int Epoch, IReadOnlyList<string> Members) AddMember(string group, string userId)
    {
        GroupState view = Wait(GroupOf(group).AddMember(userId));
        return (view.Epoch, view.Members);
    }

    /// <inheritdoc/>
    public bool TryAddSession(SessionRecord session) => Wait(GroupOf(session.Group).TryAddSession(session));

    /// <inheritdoc/>
    public SessionRecord? FindSession(ReadOnlySpan<byte> sessionId)
    {
        bool keyed = TrySessionKey(sessionId, out UInt128 key);
        if (keyed && _sessions.TryGet(key, out SessionRecord? session)) return session;
        session = Wait(grains.GetGrain<ISessionShardGrain>(SessionShard(sessionId)).Find(sessionId.ToArray()));
        if (keyed && session is not null) _sessions.Set(key, session);
        return session;
    }

    /// <inheritdoc/>
    public long CurrentRound => Wait(Clock.Current());

    /// <inheritdoc/>
    public bool HasUpload(long round, ulong messageId, string? group = null)
        => group is null ? throw new ArgumentNullException(nameof(group), "The cluster keeps uploads by group.") : Wait(GroupOf(group).HasUpload(round, messageId));

    /// <inheritdoc/>
    public bool TryAddUpload(StoredUpload upload)
    {
        SessionRecord session = FindSession(upload.SessionId) ?? throw new InvalidOperationException("An upload's session is checked before it is stored.");
        return Wait(GroupOf(session.Group).TryAddUpload(upload));
    }

    /// <inheritdoc/>
    public IReadOnlyList<StoredUpload> Uploads(long round)
        => throw new NotSupportedException("The cluster keeps uploads by group: use Uploads(round, group).");

    /// <inheritdoc/>
    public IReadOnlyList<StoredUpload> Uploads(long round, string group) => Wait(GroupOf(group).ClosedUploads(round));

    /// <inheritdoc/>
    public long CloseRound(int keepRounds) => Wait(Clock.Close());

    /// <inheritdoc/>
    public long AdvanceRound(long round, int keepRounds) => Wait(Clock.AdvanceTo(round));

    /// <inheritdoc/>
    public bool PutDial(string group, string senderId, StoredUpload upload, int capacity) => Wait(GroupOf(group).PutDial(senderId, upload, capacity));

    /// <inheritdoc/>
    public IReadOnlyList<StoredUpload> PendingDials(string group, string memberId) => Wait(GroupOf(group).PendingDials(memberId));

    /// <inheritdoc/>
    public void MarkDialsFetched(string group, string memberId, IEnumerable<ulong> messageIds) => Wait(GroupOf(group).MarkDialsFetched(memberId, [.. messageIds]));
}
