using System.Data.Common;
using Engine.Storage;

namespace Engine.TwoServer.Storage;

/// <summary>
/// The durable <see cref="ITwoServerStore"/> (issue #15): users, groups, sessions, the round counter, the uploads
/// of the kept rounds (from which every undelivered inbox is rebuilt) and the dial mailbox, in SQLite (a file in the
/// server's data directory) or PostgreSQL (several S1 processes sharing one database). Every change is one
/// transaction, committed before the method returns, so what the node acknowledged survives a restart or kill -9;
/// the checks that must be atomic (a round's message ids, the open round, a new member's epoch) are single
/// statements or run inside that transaction, so two processes on one PostgreSQL database agree too.
/// </summary>
/// <remarks>Nothing here is secret (public keys, XOR shares a single server sees anyway, signatures): stored in the clear.</remarks>
public sealed class SqlTwoServerStore : ITwoServerStore, IDisposable
{
    /// <summary>The schema's component name in <c>schema_versions</c>.</summary>
    public const string Component = "two-server";

    private const int MaxCachedUsers = 1 << 16;
    private readonly SqlDatabase _db;

    // An active user's key never changes (TwoServerNode refuses a registration once active and removes only pending
    // ones), so every request's signature check finds it here instead of in the database. Bounded; another process on
    // the same PostgreSQL database can only add users, never change an active one, so no copy here goes stale.
    private readonly Engine.Primitives.Caching.BoundedCache<string, UserRecord> _activeUsers = new(MaxCachedUsers, StringComparer.Ordinal);

    /// <summary>Opens (and creates or migrates) the store in <paramref name="database"/>, which it then owns.</summary>
    public SqlTwoServerStore(SqlDatabase database)
    {
        _db = database;
        _db.Migrate(Component, Migrations(database));
    }

    /// <summary>Opens the store at <paramref name="location"/>: a data directory (file <c>two-server.db</c>) or a PostgreSQL connection string.</summary>
    public static SqlTwoServerStore Open(string location) => new(SqlDatabase.Open(location, "two-server.db"));

    /// <summary>Where the state lives.</summary>
    public string Description => _db.Description;

    private static string[] Migrations(SqlDatabase db)
    {
        string blob = db.BlobType, serial = db.SerialKey;
        return
        [
            // Version 1.
            $"""
            CREATE TABLE ts_meta (id BIGINT PRIMARY KEY, round BIGINT NOT NULL);
            INSERT INTO ts_meta (id, round) VALUES (1, 1);
            CREATE TABLE ts_users (id TEXT PRIMARY KEY, signing_key {blob} NOT NULL, active BIGINT NOT NULL, registered_ms BIGINT NOT NULL);
            CREATE INDEX ts_users_pending ON ts_users (active, registered_ms);
            CREATE TABLE ts_groups (name TEXT PRIMARY KEY, epoch BIGINT NOT NULL);
            CREATE TABLE ts_members (grp TEXT NOT NULL, user_id TEXT NOT NULL, PRIMARY KEY (grp, user_id));
            CREATE INDEX ts_members_user ON ts_members (user_id);
            CREATE TABLE ts_sessions (session_id {blob} PRIMARY KEY, grp TEXT NOT NULL, epoch BIGINT NOT NULL, group_size BIGINT NOT NULL, sender TEXT NOT NULL,
                                      part {blob} NOT NULL, members {blob}, third {blob});
            CREATE INDEX ts_sessions_group ON ts_sessions (grp, epoch, sender);
            CREATE TABLE ts_uploads (seq {serial}, round BIGINT NOT NULL, message_id BIGINT NOT NULL, session_id {blob} NOT NULL, shares {blob} NOT NULL,
                                     signature {blob} NOT NULL, UNIQUE (round, message_id));
            CREATE TABLE ts_dials (seq {serial}, message_id BIGINT NOT NULL UNIQUE, grp TEXT NOT NULL, sender TEXT NOT NULL, session_id {blob} NOT NULL,
                                   shares {blob} NOT NULL, signature {blob} NOT NULL);
            CREATE INDEX ts_dials_sender ON ts_dials (grp, sender);
            CREATE TABLE ts_dial_fetched (message_id BIGINT NOT NULL, member TEXT NOT NULL, PRIMARY KEY (message_id, member))
            """,
        ];
    }

    private T Read<T>(Func<DbConnection, DbTransaction?, T> body) => _db.Read(c => body(c, null));

    private T Write<T>(Func<DbConnection, DbTransaction, T> body) => _db.Write(body);

    private static long Count(DbConnection c, DbTransaction? tx, string sql, params (string, object?)[] p) => (long)SqlDatabase.Scalar(c, tx, sql, p)!;

    /// <inheritdoc/>
    public UserRecord? FindUser(string id)
    {
        if (_activeUsers.TryGet(id, out UserRecord? cached)) return cached;
        UserRecord? user = ReadUser(id);
        if (user is { Active: true }) _activeUsers.Set(id, user);
        return user;
    }

    private UserRecord? ReadUser(string id) => Read((c, tx) =>
    {
        using DbCommand command = SqlDatabase.Command(c, tx, "SELECT signing_key, active, registered_ms FROM ts_users WHERE id = @id", ("id", id));
        using DbDataReader r = command.ExecuteReader();
        return r.Read() ? new UserRecord(id, r.GetFieldValue<byte[]>(0), r.GetInt64(1) != 0, DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(2))) : null;
    });

    /// <inheritdoc/>
    public void PutUser(UserRecord user)
    {
        _activeUsers.Remove(user.Id);
        Write((c, tx) => SqlDatabase.Execute(c, tx,
            "INSERT INTO ts_users (id, signing_key, active, registered_ms) VALUES (@id, @k, @a, @t) " +
            "ON CONFLICT (id) DO UPDATE SET signing_key = excluded.signing_key, active = excluded.active, registered_ms = excluded.registered_ms",
            ("id", user.Id), ("k", user.SigningKey), ("a", user.Active ? 1L : 0L), ("t", user.Registered.ToUnixTimeMilliseconds())));
        if (user.Active) _activeUsers.Set(user.Id, user);
    }

    /// <inheritdoc/>
    public void RemoveUser(string id)
    {
        _activeUsers.Remove(id);
        Write((c, tx) => SqlDatabase.Execute(c, tx, "DELETE FROM ts_users WHERE id = @id", ("id", id)));
    }

    /// <inheritdoc/>
    public int PendingUserCount => (int)Read((c, tx) => Count(c, tx, "SELECT COUNT(*) FROM ts_users WHERE active = 0"));

    /// <inheritdoc/>
    public int RemovePendingBefore(DateTimeOffset cutoff)
        => Write((c, tx) => SqlDatabase.Execute(c, tx, "DELETE FROM ts_users WHERE active = 0 AND registered_ms < @t", ("t", cutoff.ToUnixTimeMilliseconds())));

    /// <inheritdoc/>
    public int GroupCount => (int)Read((c, tx) => Count(c, tx, "SELECT COUNT(*) FROM ts_groups"));

    /// <inheritdoc/>
    public int GroupsOf(string userId) => (int)Read((c, tx) => Count(c, tx, "SELECT COUNT(*) FROM ts_members WHERE user_id = @u", ("u", userId)));

    /// <inheritdoc/>
    public int SessionsOf(string group, int epoch, string senderId)
        => (int)Read((c, tx) => Count(c, tx, "SELECT COUNT(*) FROM ts_sessions WHERE grp = @g AND epoch = @e AND sender = @s", ("g", group), ("e", (long)epoch), ("s", senderId)));

    /// <inheritdoc/>
    public (int Epoch, IReadOnlyList<string> Members) Group(string name) => Read((c, tx) => GroupIn(c, tx, name));

    /// <inheritdoc/>
    public int GroupEpoch(string name) => (int)Read((c, tx) => SqlDatabase.Scalar(c, tx, "SELECT epoch FROM ts_groups WHERE name = @g", ("g", name)) as long? ?? 0);

    /// <summary>The epoch and members in one statement: one consistent snapshot without a write lock (every upload asks).</summary>
    private static (int Epoch, IReadOnlyList<string> Members) GroupIn(DbConnection c, DbTransaction? tx, string name)
    {
        long epoch = 0;
        var members = new List<string>();
        using (DbCommand command = SqlDatabase.Command(c, tx, "SELECT g.epoch, m.user_id FROM ts_groups g LEFT JOIN ts_members m ON m.grp = g.name WHERE g.name = @g", ("g", name)))
        using (DbDataReader r = command.ExecuteReader())
            while (r.Read())
            {
                epoch = r.GetInt64(0);
                if (!r.IsDBNull(1)) members.Add(r.GetString(1));
            }
        if (epoch == 0) return (0, Array.Empty<string>());
        members.Sort(StringComparer.Ordinal);                                     // ordinal, as in memory (SQL collations differ)
        return ((int)epoch, members);
    }

    /// <inheritdoc/>
    public (int Epoch, IReadOnlyList<string> Members) AddMember(string group, string userId) => Write((c, tx) =>
    {
        if (SqlDatabase.Execute(c, tx, "INSERT INTO ts_members (grp, user_id) VALUES (@g, @u) ON CONFLICT (grp, user_id) DO NOTHING", ("g", group), ("u", userId)) == 1)
        {
            long epoch = (long)SqlDatabase.Scalar(c, tx, "INSERT INTO ts_groups (name, epoch) VALUES (@g, 1) ON CONFLICT (name) DO UPDATE SET epoch = ts_groups.epoch + 1 RETURNING epoch", ("g", group))!;
            SqlDatabase.Execute(c, tx, "DELETE FROM ts_sessions WHERE grp = @g AND epoch < @e", ("g", group), ("e", epoch));
        }
        return GroupIn(c, tx, group);
    });

    /// <inheritdoc/>
    public bool TryAddSession(SessionRecord s) => Write((c, tx) => SqlDatabase.Execute(c, tx,
        "INSERT INTO ts_sessions (session_id, grp, epoch, group_size, sender, part, members, third) VALUES (@id, @g, @e, @n, @s, @p, @m, @t) " +
        "ON CONFLICT (session_id) DO NOTHING",
        ("id", s.SessionId), ("g", s.Group), ("e", (long)s.Epoch), ("n", (long)s.GroupSize), ("s", s.SenderId), ("p", s.Partition), ("m", s.Members), ("t", s.Third)) == 1);

    /// <inheritdoc/>
    public SessionRecord? FindSession(ReadOnlySpan<byte> sessionId)
    {
        byte[] id = sessionId.ToArray();
        return Read((c, tx) =>
        {
            using DbCommand command = SqlDatabase.Command(c, tx, "SELECT grp, epoch, group_size, sender, part, members, third FROM ts_sessions WHERE session_id = @id", ("id", id));
            using DbDataReader r = command.ExecuteReader();
            if (!r.Read()) return null;
            return new SessionRecord(id, r.GetString(0), (int)r.GetInt64(1), (int)r.GetInt64(2), r.GetString(3), r.GetFieldValue<byte[]>(4),
                                     r.IsDBNull(5) ? null : r.GetFieldValue<byte[]>(5), r.IsDBNull(6) ? null : r.GetFieldValue<byte[]>(6));
        });
    }

    /// <inheritdoc/>
    public long CurrentRound => Read((c, tx) => Count(c, tx, "SELECT round FROM ts_meta WHERE id = 1"));

    /// <inheritdoc/>
    public bool HasUpload(long round, ulong messageId, string? group = null) => Read((c, tx) => round == -1
        ? SqlDatabase.Scalar(c, tx, "SELECT 1 FROM ts_dials WHERE message_id = @m", ("m", unchecked((long)messageId))) is not null
        : SqlDatabase.Scalar(c, tx, "SELECT 1 FROM ts_uploads WHERE round = @r AND message_id = @m", ("r", round), ("m", unchecked((long)messageId))) is not null);

    /// <inheritdoc/>
    public bool TryAddUpload(StoredUpload u) => Write((c, tx) =>
    {
        // PostgreSQL: the open round is read under a share lock, so a concurrent CloseRound waits for this insert to
        // commit and an insert after it sees the new round: once a round is closed, whoever reads it sees every upload
        // acknowledged in it (several processes, the cluster's silos, write here). SQLite has one writer at a time,
        // and the insert's own check below is enough there.
        if (_db.IsPostgreSql && (long)SqlDatabase.Scalar(c, tx, "SELECT round FROM ts_meta WHERE id = 1 FOR SHARE")! != u.Round) return false;
        // One statement: the open-round check and the message-id check hold together, whoever else writes.
        return SqlDatabase.Execute(c, tx,
            "INSERT INTO ts_uploads (round, message_id, session_id, shares, signature) SELECT @r, @m, @s, @sh, @sig " +
            "WHERE (SELECT round FROM ts_meta WHERE id = 1) = @r ON CONFLICT (round, message_id) DO NOTHING",
            ("r", u.Round), ("m", unchecked((long)u.MessageId)), ("s", u.SessionId), ("sh", u.Shares), ("sig", u.SenderSignature)) == 1;
    });

    /// <inheritdoc/>
    public IReadOnlyList<StoredUpload> Uploads(long round)
        => ReadUploads(round, "SELECT message_id, session_id, shares, signature FROM ts_uploads WHERE round = @r ORDER BY seq", ("r", round));

    /// <summary>Rows of (message id, session id, shares, signature) as uploads of <paramref name="round"/>.</summary>
    private List<StoredUpload> ReadUploads(long round, string sql, params (string, object?)[] parameters) => Read((c, tx) =>
    {
        var list = new List<StoredUpload>();
        using DbCommand command = SqlDatabase.Command(c, tx, sql, parameters);
        using DbDataReader r = command.ExecuteReader();
        while (r.Read()) list.Add(new StoredUpload(round, unchecked((ulong)r.GetInt64(0)), r.GetFieldValue<byte[]>(1), r.GetFieldValue<byte[]>(2), r.GetFieldValue<byte[]>(3)));
        return list;
    });

    /// <inheritdoc/>
    public IReadOnlyList<StoredUpload> Uploads(long round, string group)
        => ReadUploads(round, "SELECT u.message_id, u.session_id, u.shares, u.signature FROM ts_uploads u JOIN ts_sessions s ON s.session_id = u.session_id " +
                              "WHERE u.round = @r AND s.grp = @g ORDER BY u.seq", ("r", round), ("g", group));

    /// <inheritdoc/>
    public long CloseRound(int keepRounds) => Write((c, tx) =>
    {
        long round = (long)SqlDatabase.Scalar(c, tx, "UPDATE ts_meta SET round = round + 1 WHERE id = 1 RETURNING round")!;
        SqlDatabase.Execute(c, tx, "DELETE FROM ts_uploads WHERE round < @r", ("r", round - keepRounds));
        return round;
    });

    /// <inheritdoc/>
    public long AdvanceRound(long round, int keepRounds) => Write((c, tx) =>
    {
        SqlDatabase.Execute(c, tx, "UPDATE ts_meta SET round = @r WHERE id = 1 AND round < @r", ("r", round));
        long current = Count(c, tx, "SELECT round FROM ts_meta WHERE id = 1");
        SqlDatabase.Execute(c, tx, "DELETE FROM ts_uploads WHERE round < @r", ("r", current - keepRounds));
        return current;
    });

    /// <inheritdoc/>
    public bool PutDial(string group, string senderId, StoredUpload u, int capacity) => Write((c, tx) =>
    {
        if (SqlDatabase.Execute(c, tx,
                "INSERT INTO ts_dials (message_id, grp, sender, session_id, shares, signature) VALUES (@m, @g, @s, @id, @sh, @sig) ON CONFLICT (message_id) DO NOTHING",
                ("m", unchecked((long)u.MessageId)), ("g", group), ("s", senderId), ("id", u.SessionId), ("sh", u.Shares), ("sig", u.SenderSignature)) == 0)
            return false;
        // Beyond the capacity the sender's oldest dial uploads go, with the record of who fetched them.
        var dropped = new List<long>();
        using (DbCommand command = SqlDatabase.Command(c, tx, "SELECT message_id FROM ts_dials WHERE grp = @g AND sender = @s ORDER BY seq DESC", ("g", group), ("s", senderId)))
        using (DbDataReader r = command.ExecuteReader())
            for (int i = 0; r.Read(); i++)
                if (i >= capacity) dropped.Add(r.GetInt64(0));
        foreach (long id in dropped)
        {
            SqlDatabase.Execute(c, tx, "DELETE FROM ts_dials WHERE message_id = @m", ("m", id));
            SqlDatabase.Execute(c, tx, "DELETE FROM ts_dial_fetched WHERE message_id = @m", ("m", id));
        }
        return true;
    });

    /// <inheritdoc/>
    public IReadOnlyList<StoredUpload> PendingDials(string group, string memberId)
        => ReadUploads(-1, "SELECT d.message_id, d.session_id, d.shares, d.signature FROM ts_dials d WHERE d.grp = @g " +
                           "AND NOT EXISTS (SELECT 1 FROM ts_dial_fetched f WHERE f.message_id = d.message_id AND f.member = @m) ORDER BY d.seq",
                       ("g", group), ("m", memberId));

    /// <inheritdoc/>
    public void MarkDialsFetched(string group, string memberId, IEnumerable<ulong> messageIds) => Write((c, tx) =>
    {
        foreach (ulong id in messageIds)
            SqlDatabase.Execute(c, tx,
                "INSERT INTO ts_dial_fetched (message_id, member) SELECT message_id, @u FROM ts_dials WHERE grp = @g AND message_id = @m ON CONFLICT (message_id, member) DO NOTHING",
                ("u", memberId), ("g", group), ("m", unchecked((long)id)));
        return 0;
    });

    /// <summary>Closes the database.</summary>
    public void Dispose() => _db.Dispose();
}
