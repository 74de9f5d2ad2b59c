using Orleans.Concurrency;
using Engine.TwoServer.Storage;

namespace Engine.Cluster.TwoServer.Grains;

/// <summary>
/// A shard of the user registrations (key: <see cref="ClusterTwoServerStore.UserShard"/> of the user id): the users'
/// keys and whether they are active, written through to the cluster's store before any call returns.
/// </summary>
public interface IUserShardGrain : IGrainWithIntegerKey
{
    /// <summary>The user, or null.</summary>
    [ReadOnly] Task<UserRecord?> Find(string id);

    /// <summary>Adds or replaces a user.</summary>
    Task Put(UserRecord user);

    /// <summary>Removes a user (an aborted registration).</summary>
    Task Remove(string id);

    /// <summary>Uploads the user made in the round so far, counted across every frontend.</summary>
    [ReadOnly] Task<int> UploadsOf(string id, long round);

    /// <summary>Counts one more upload of the user in the round.</summary>
    Task CountUpload(string id, long round);
}

/// <summary>
/// One group (key: its name): membership and epoch, its sessions (the stored partitions), the uploads of its rounds
/// and its dial mailbox. Every change is written through to the cluster's store before the call returns, so the grain
/// reactivates on another silo with nothing acknowledged lost.
/// </summary>
public interface IGroupGrain : IGrainWithStringKey
{
    /// <summary>The epoch and members (epoch 0: no such group).</summary>
    [ReadOnly] Task<GroupState> View();

    /// <summary>Adds a member; a change starts a new epoch and forgets older epochs' sessions.</summary>
    Task<GroupState> AddMember(string userId);

    /// <summary>Sessions of a sender at an epoch.</summary>
    [ReadOnly] Task<int> SessionsOf(int epoch, string senderId);

    /// <summary>Stores a session; false if its id is taken.</summary>
    Task<bool> TryAddSession(SessionRecord session);

    /// <summary>True when the round (or the dial mailbox, −1) holds the message id.</summary>
    [ReadOnly] Task<bool> HasUpload(long round, ulong messageId);

    /// <summary>Stores an upload of the open round; false for a repeated id or a closed round.</summary>
    Task<bool> TryAddUpload(StoredUpload upload);

    /// <summary>A closed round's uploads of this group (what every member's fetch fans out), in arrival order.</summary>
    Task<StoredUpload[]> ClosedUploads(long round);

    /// <summary>Adds a dial upload to the mailbox (the sender's oldest go beyond <paramref name="capacity"/>).</summary>
    Task<bool> PutDial(string senderId, StoredUpload upload, int capacity);

    /// <summary>The dials <paramref name="memberId"/> has not fetched.</summary>
    Task<StoredUpload[]> PendingDials(string memberId);

    /// <summary>Records that <paramref name="memberId"/> fetched these dials.</summary>
    Task MarkDialsFetched(string memberId, ulong[] messageIds);
}

/// <summary>A shard of the session index (key: the session id's first byte): a session's group, partition and vectors, which never change.</summary>
public interface ISessionShardGrain : IGrainWithIntegerKey
{
    /// <summary>The session, or null.</summary>
    [ReadOnly] Task<SessionRecord?> Find(byte[] sessionId);

    /// <summary>Caches a session its group grain just stored.</summary>
    Task Remember(SessionRecord session);
}

/// <summary>The cluster-wide counts the quotas need (key 0): pending registrations and groups.</summary>
public interface IRegistryGrain : IGrainWithIntegerKey
{
    /// <summary>Users registered but not confirmed.</summary>
    Task<int> PendingUserCount();

    /// <summary>Removes pending users registered before <paramref name="cutoff"/>; returns how many.</summary>
    Task<int> RemovePendingBefore(DateTimeOffset cutoff);

    /// <summary>Groups with a member.</summary>
    Task<int> GroupCount();

    /// <summary>Groups a user belongs to.</summary>
    Task<int> GroupsOf(string userId);
}

/// <summary>
/// The cluster's round clock (key 0), one activation per cluster so every silo and frontend sees the same open round.
/// A reminder keeps it ticking (and brings it back on another silo if its silo dies); with a round length set, round
/// r is open from (r − 1)·T to r·T of wall-clock time since the Unix epoch, as for the single-process server.
/// </summary>
public interface IRoundClockGrain : IGrainWithIntegerKey
{
    /// <summary>The round open for uploads.</summary>
    [AlwaysInterleave] Task<long> Current();

    /// <summary>Closes the open round and opens the next (manual clocks: tests, simulations); returns the new round.</summary>
    Task<long> Close();

    /// <summary>Closes every round before <paramref name="round"/>; returns the open round.</summary>
    Task<long> AdvanceTo(long round);
}
