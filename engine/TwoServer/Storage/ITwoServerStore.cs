namespace Engine.TwoServer.Storage;

/// <summary>
/// A user's signing key at one server; active once the other server's receipt matched (paper §5.3.1).
/// <paramref name="Registered"/> is when the registration arrived (a pending one expires).
/// </summary>
public sealed record UserRecord(string Id, byte[] SigningKey, bool Active, DateTimeOffset Registered = default);

/// <summary>A session: the sender's partition for this server (encoded) and, in one-to-many and subgroup modes, the members and third vectors.</summary>
public sealed record SessionRecord(byte[] SessionId, string Group, int Epoch, int GroupSize, string SenderId, byte[] Partition, byte[]? Members, byte[]? Third);

/// <summary>One accepted upload of a round, with the sender's signature (kept as evidence).</summary>
public sealed record StoredUpload(long Round, ulong MessageId, byte[] SessionId, byte[] Shares, byte[] SenderSignature);

/// <summary>
/// What a two-server node keeps (SPEC.md §2.6): users and their keys, groups, sessions, and the uploads of recent
/// rounds. <see cref="InMemoryTwoServerStore"/> is the default and loses everything on restart; a durable store
/// implements the same interface. Implementations are thread-safe.
/// </summary>
public interface ITwoServerStore
{
    /// <summary>The user, or null.</summary>
    UserRecord? FindUser(string id);

    /// <summary>Adds or replaces a user record.</summary>
    void PutUser(UserRecord user);

    /// <summary>Removes a user (an aborted registration).</summary>
    void RemoveUser(string id);

    /// <summary>Users registered but not yet confirmed.</summary>
    int PendingUserCount { get; }

    /// <summary>Removes the pending (unconfirmed) users registered before <paramref name="cutoff"/>; returns how many.</summary>
    int RemovePendingBefore(DateTimeOffset cutoff);

    /// <summary>Groups with at least one member.</summary>
    int GroupCount { get; }

    /// <summary>Groups <paramref name="userId"/> is a member of.</summary>
    int GroupsOf(string userId);

    /// <summary>Sessions of <paramref name="senderId"/> in <paramref name="group"/> at <paramref name="epoch"/>.</summary>
    int SessionsOf(string group, int epoch, string senderId);

    /// <summary>The group's epoch and members in order (epoch 0 and no member for an unknown group).</summary>
    (int Epoch, IReadOnlyList<string> Members) Group(string name);

    /// <summary>The group's epoch alone (0 for an unknown group): every upload checks it, without copying the members.</summary>
    int GroupEpoch(string name);

    /// <summary>
    /// Adds a member (no change if present); a change starts a new epoch and forgets the group's sessions of older
    /// epochs (their partitions are for another membership). Returns the group after the change.
    /// </summary>
    (int Epoch, IReadOnlyList<string> Members) AddMember(string group, string userId);

    /// <summary>Stores a session; false if the id is taken.</summary>
    bool TryAddSession(SessionRecord session);

    /// <summary>The session, or null.</summary>
    SessionRecord? FindSession(ReadOnlySpan<byte> sessionId);

    /// <summary>The round open for uploads.</summary>
    long CurrentRound { get; }

    /// <summary>
    /// True when round <paramref name="round"/> (or the dial mailbox, round −1) already holds message id
    /// <paramref name="messageId"/>. <paramref name="group"/> is the upload's group: a store that keeps uploads by
    /// group (the Orleans cluster's group grains) looks there; the others look through every group.
    /// </summary>
    bool HasUpload(long round, ulong messageId, string? group = null);

    /// <summary>Stores an upload of the current round; false if its message id was already used in that round.</summary>
    bool TryAddUpload(StoredUpload upload);

    /// <summary>The uploads of a round, in arrival order.</summary>
    IReadOnlyList<StoredUpload> Uploads(long round);

    /// <summary>
    /// The uploads of a round that may belong to <paramref name="group"/> (its sessions'), in arrival order: what a
    /// member's fetch fans out. The caller still checks each upload's session; by default every upload of the round.
    /// </summary>
    IReadOnlyList<StoredUpload> Uploads(long round, string group) => Uploads(round);

    /// <summary>Closes the current round, opens the next, forgets rounds older than <paramref name="keepRounds"/>; returns the new round.</summary>
    long CloseRound(int keepRounds);

    /// <summary>
    /// Closes every round before <paramref name="round"/> at once (a server that was down for some rounds catches up
    /// with the clock); nothing when the current round is already there or later. Returns the current round after.
    /// </summary>
    long AdvanceRound(long round, int keepRounds);

    /// <summary>
    /// The dial mailbox (paper §4: the servers buffer connection requests, asynchronously): adds one upload of a
    /// sender's pending dial in a group (a dial is one upload per part and fragment); beyond
    /// <paramref name="capacity"/> uploads per sender and group the oldest are dropped. False (nothing stored) when
    /// the message id is already in the mailbox.
    /// </summary>
    bool PutDial(string group, string senderId, StoredUpload upload, int capacity);

    /// <summary>The pending dials of a group that member <paramref name="memberId"/> has not fetched yet.</summary>
    IReadOnlyList<StoredUpload> PendingDials(string group, string memberId);

    /// <summary>Records that <paramref name="memberId"/> fetched these dials.</summary>
    void MarkDialsFetched(string group, string memberId, IEnumerable<ulong> messageIds);
}
