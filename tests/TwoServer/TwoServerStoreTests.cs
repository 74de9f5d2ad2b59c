using Engine.Storage;
using Engine.Tests.Support;
using Engine.TwoServer.Storage;
using NUnit.Framework;

namespace Engine.Tests.TwoServer;

/// <summary>
/// One contract for every <see cref="ITwoServerStore"/>: the in-memory default, SQLite and PostgreSQL must answer
/// alike, and the durable ones must answer the same again after the store is closed and reopened (a restart).
/// </summary>
[TestFixture, NonParallelizable]
public sealed class TwoServerStoreTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);

    /// <summary>The store under test and a way to reopen it (a restart): the in-memory one keeps the same object.</summary>
    private sealed class Subject : IDisposable
    {
        private readonly TestDatabase? _database;

        public Subject(string kind)
        {
            if (kind == "memory") { Store = new InMemoryTwoServerStore(); return; }
            _database = TestDatabase.Create(kind);
            Store = SqlTwoServerStore.Open(_database.Location);
        }

        public ITwoServerStore Store { get; private set; }

        public bool Durable => _database is not null;

        public void Restart()
        {
            if (_database is null) return;
            ((SqlTwoServerStore)Store).Dispose();
            Store = SqlTwoServerStore.Open(_database.Location);
        }

        public void Dispose()
        {
            (Store as IDisposable)?.Dispose();
            _database?.Dispose();
        }
    }

    private static readonly string[] AllKinds = ["memory", "sqlite", "postgres"];

    private static StoredUpload Upload(long round, ulong id, byte tag = 1) => new(round, id, Enumerable.Repeat(tag, 16).ToArray(), [tag, 2, 3], [9, tag]);

    [TestCaseSource(nameof(AllKinds))]
    public void Users_PendingCountsAndExpiry(string kind)
    {
        using var s = new Subject(kind);
        s.Store.PutUser(new UserRecord("alice", [1, 2, 3], Active: false, T0));
        s.Store.PutUser(new UserRecord("bob", [4], Active: false, T0.AddMinutes(5)));
        s.Store.PutUser(new UserRecord("carol", [5], Active: true, T0));
        Assert.That(s.Store.PendingUserCount, Is.EqualTo(2));
        s.Store.PutUser(new UserRecord("alice", [1, 2, 3], Active: true, T0));
        s.Restart();
        Assert.That(s.Store.PendingUserCount, Is.EqualTo(1));
        Assert.That(s.Store.FindUser("alice"), Is.EqualTo(new UserRecord("alice", [1, 2, 3], true, T0)).Using<UserRecord>((a, b) =>
            a.Id == b.Id && a.SigningKey.SequenceEqual(b.SigningKey) && a.Active == b.Active && a.Registered == b.Registered));
        Assert.That(s.Store.RemovePendingBefore(T0.AddMinutes(4)), Is.Zero, "bob registered at +5 min");
        Assert.That(s.Store.RemovePendingBefore(T0.AddMinutes(6)), Is.EqualTo(1));
        Assert.That(s.Store.FindUser("bob"), Is.Null);
        Assert.That(s.Store.FindUser("carol"), Is.Not.Null, "active users never expire");
        s.Store.RemoveUser("carol");
        Assert.That(s.Store.FindUser("carol"), Is.Null);
        Assert.That(s.Store.FindUser("nobody"), Is.Null);
    }

    [TestCaseSource(nameof(AllKinds))]
    public void Users_AReplacedOrRemovedActiveUser_IsNotAnsweredFromACache(string kind)
    {
        using var s = new Subject(kind);
        s.Store.PutUser(new UserRecord("dave", [1], Active: true, T0));
        Assert.That(s.Store.FindUser("dave")!.SigningKey, Is.EqualTo(new byte[] { 1 }));      // read once: the durable store caches active users
        s.Store.PutUser(new UserRecord("dave", [2], Active: false, T0.AddMinutes(1)));
        UserRecord replaced = s.Store.FindUser("dave")!;
        Assert.That((replaced.SigningKey, replaced.Active), Is.EqualTo((new byte[] { 2 }, false)));
        s.Store.PutUser(new UserRecord("dave", [3], Active: true, T0));
        Assert.That(s.Store.FindUser("dave")!.SigningKey, Is.EqualTo(new byte[] { 3 }));
        s.Store.RemoveUser("dave");
        Assert.That(s.Store.FindUser("dave"), Is.Null);
    }

    [TestCaseSource(nameof(AllKinds))]
    public void Groups_EpochsOrderAndStaleSessions(string kind)
    {
        using var s = new Subject(kind);
        Assert.That(s.Store.Group("g").Epoch, Is.Zero);
        Assert.That(s.Store.AddMember("g", "zed").Epoch, Is.EqualTo(1));
        Assert.That(s.Store.AddMember("g", "Amy").Epoch, Is.EqualTo(2));
        (int epoch, IReadOnlyList<string> members) = s.Store.AddMember("g", "zed");
        Assert.That(epoch, Is.EqualTo(2), "a member already there changes nothing");
        Assert.That(members, Is.EqualTo(new[] { "Amy", "zed" }), "ordinal order (upper case first)");
        s.Store.AddMember("h", "zed");
        Assert.That((s.Store.GroupCount, s.Store.GroupsOf("zed"), s.Store.GroupsOf("Amy")), Is.EqualTo((2, 2, 1)));
        Assert.That((s.Store.GroupEpoch("g"), s.Store.GroupEpoch("h"), s.Store.GroupEpoch("none")), Is.EqualTo((2, 1, 0)));

        byte[] sid = Enumerable.Repeat((byte)7, 16).ToArray();
        var session = new SessionRecord(sid, "g", 2, 2, "zed", [1], [3], null);
        Assert.That(s.Store.TryAddSession(session), Is.True);
        Assert.That(s.Store.TryAddSession(session), Is.False, "the id is taken");
        Assert.That(s.Store.SessionsOf("g", 2, "zed"), Is.EqualTo(1));
        s.Restart();
        SessionRecord found = s.Store.FindSession(sid)!;
        Assert.That((found.Group, found.Epoch, found.GroupSize, found.SenderId, found.Partition, found.Members, found.Third),
                    Is.EqualTo(("g", 2, 2, "zed", new byte[] { 1 }, new byte[] { 3 }, (byte[]?)null)));
        s.Store.AddMember("g", "bob");
        Assert.That(s.Store.FindSession(sid), Is.Null, "a new epoch forgets the sessions of the old one");
        Assert.That(s.Store.Group("g"), Is.EqualTo((3, (IReadOnlyList<string>)new[] { "Amy", "bob", "zed" })).Using<(int, IReadOnlyList<string>)>((a, b) => a.Item1 == b.Item1 && a.Item2.SequenceEqual(b.Item2)));
    }

    [TestCaseSource(nameof(AllKinds))]
    public void Uploads_OnlyInTheOpenRound_OncePerId_InArrivalOrder_AndForgottenAfterTheKeptRounds(string kind)
    {
        using var s = new Subject(kind);
        Assert.That(s.Store.CurrentRound, Is.EqualTo(1));
        Assert.That(s.Store.TryAddUpload(Upload(1, 30)), Is.True);
        Assert.That(s.Store.TryAddUpload(Upload(1, 10)), Is.True);
        Assert.That(s.Store.TryAddUpload(Upload(1, 10, tag: 5)), Is.False, "a repeated id");
        Assert.That(s.Store.TryAddUpload(Upload(2, 11)), Is.False, "not the open round");
        Assert.That(s.Store.TryAddUpload(Upload(1, ulong.MaxValue)), Is.True, "the full 64-bit range of ids");
        Assert.That(s.Store.HasUpload(1, 10) && !s.Store.HasUpload(1, 11) && s.Store.HasUpload(1, ulong.MaxValue), Is.True);
        Assert.That(s.Store.CloseRound(keepRounds: 2), Is.EqualTo(2));
        Assert.That(s.Store.TryAddUpload(Upload(1, 12)), Is.False, "round 1 closed");
        s.Restart();
        Assert.That(s.Store.CurrentRound, Is.EqualTo(2), "the round counter survives");
        IReadOnlyList<StoredUpload> closed = s.Store.Uploads(1);
        Assert.That(closed.Select(u => u.MessageId), Is.EqualTo(new[] { 30UL, 10UL, ulong.MaxValue }));
        Assert.That(closed[1].Shares, Is.EqualTo(new byte[] { 1, 2, 3 }));
        Assert.That(closed[1].SenderSignature, Is.EqualTo(new byte[] { 9, 1 }));
        Assert.That(s.Store.AdvanceRound(2, keepRounds: 2), Is.EqualTo(2), "advancing to the open round changes nothing");
        Assert.That(s.Store.AdvanceRound(10, keepRounds: 2), Is.EqualTo(10));
        Assert.That(s.Store.Uploads(1), Is.Empty, "rounds older than the kept ones are forgotten");
        Assert.That(s.Store.AdvanceRound(5, keepRounds: 2), Is.EqualTo(10), "never backwards");
    }

    [TestCaseSource(nameof(AllKinds))]
    public void DialMailbox_CapacityAndFetchedOnce(string kind)
    {
        using var s = new Subject(kind);
        for (ulong id = 1; id <= 4; id++) Assert.That(s.Store.PutDial("g", "alice", Upload(-1, id), capacity: 3), Is.True);
        Assert.That(s.Store.PutDial("g", "alice", Upload(-1, 4), capacity: 3), Is.False, "the id is in the mailbox");
        Assert.That(s.Store.PutDial("g", "bob", Upload(-1, 20), capacity: 3), Is.True);
        Assert.That(s.Store.HasUpload(-1, 1), Is.False, "the oldest went beyond the capacity");
        Assert.That(s.Store.HasUpload(-1, 2), Is.True);
        s.Restart();
        Assert.That(s.Store.PendingDials("g", "carol").Select(u => u.MessageId), Is.EqualTo(new[] { 2UL, 3UL, 4UL, 20UL }));
        s.Store.MarkDialsFetched("g", "carol", [2, 3, 99]);
        s.Store.MarkDialsFetched("other", "carol", [4]);
        Assert.That(s.Store.PendingDials("g", "carol").Select(u => u.MessageId), Is.EqualTo(new[] { 4UL, 20UL }));
        Assert.That(s.Store.PendingDials("g", "dave"), Has.Count.EqualTo(4), "fetched is per member");
        Assert.That(s.Store.PendingDials("h", "carol"), Is.Empty);
    }

    [Test]
    public void ANewerSchema_IsRefused_NotGuessedAt()
    {
        using TestDatabase database = TestDatabase.Create("sqlite");
        using (SqlTwoServerStore.Open(database.Location)) { }
        using (var db = SqlDatabase.Open(database.Location, "two-server.db"))
        using (var connection = db.OpenConnection())
            SqlDatabase.Execute(connection, null, "UPDATE schema_versions SET version = 99 WHERE component = @c", ("c", SqlTwoServerStore.Component));
        var error = Assert.Throws<InvalidDataException>(() => SqlTwoServerStore.Open(database.Location));
        Assert.That(error!.Message, Does.Contain("version 99").And.Contain("newer"));
    }

    [Test, System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void SqliteFiles_AreOwnerOnly_AndInWalMode()
    {
        using TestDatabase database = TestDatabase.Create("sqlite");
        using (SqlTwoServerStore store = SqlTwoServerStore.Open(database.Location))
        {
            store.PutUser(new UserRecord("alice", [1], true, T0));
            using var db = SqlDatabase.Open(database.Location, "two-server.db");
            using var connection = db.OpenConnection();
            Assert.That(SqlDatabase.Scalar(connection, null, "PRAGMA journal_mode"), Is.EqualTo("wal"));
            Assert.That(SqlDatabase.Scalar(connection, null, "PRAGMA synchronous"), Is.EqualTo(2L), "FULL: a commit is on disk before it returns");
        }
        UnixFileMode mode = File.GetUnixFileMode(Path.Combine(database.Location, "two-server.db"));
        Assert.That(mode & (UnixFileMode.GroupRead | UnixFileMode.OtherRead | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite), Is.EqualTo(UnixFileMode.None));
    }
}
