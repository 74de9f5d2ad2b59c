using Engine.IotAuth.Storage;
using Engine.Tests.Support;
using NUnit.Framework;

namespace Engine.Tests.IotAuth;

/// <summary>
/// One contract for the Protocol 3 stores: the in-memory defaults, SQLite and PostgreSQL answer alike, bounds hold,
/// and the durable ones answer the same after they are closed and reopened (a restart).
/// </summary>
[TestFixture, NonParallelizable]
public sealed class IotAuthStoreTests
{
    private static readonly string[] AllKinds = ["memory", "sqlite", "postgres"];

    /// <summary>A store of kind memory/sqlite/postgres, and a restart (the in-memory one keeps the same object).</summary>
    private sealed class Subject<T>(string kind, Func<int, T> memory, Func<string, int, T> open) : IDisposable where T : class
    {
        private readonly TestDatabase? _database = kind == "memory" ? null : TestDatabase.Create(kind);
        private int _bound = 3;

        public T Store { get; private set; } = null!;

        public Subject<T> WithBound(int bound)
        {
            _bound = bound;
            Store = _database is null ? memory(bound) : open(_database.Location, bound);
            return this;
        }

        public void Restart()
        {
            if (_database is null) return;
            (Store as IDisposable)?.Dispose();
            Store = open(_database.Location, _bound);
        }

        public void Dispose()
        {
            (Store as IDisposable)?.Dispose();
            _database?.Dispose();
        }
    }

    private static Subject<IOperationCenterStore> OperationCentre(string kind, int maxDevices = 3, int maxRefusals = 4)
        => new Subject<IOperationCenterStore>(kind, n => new InMemoryOperationCenterStore(n, maxRefusals),
                                              (location, n) => new SqlOperationCenterStore(Engine.Storage.SqlDatabase.Open(location, "iot-oc.db"), n, maxRefusals)).WithBound(maxDevices);

    private static Subject<ICloudStore> Cloud(string kind, int maxDevices = 3, int maxVotes = 2)
        => new Subject<ICloudStore>(kind, n => new InMemoryCloudStore(n, maxVotes),
                                    (location, n) => new SqlCloudStore(Engine.Storage.SqlDatabase.Open(location, "iot-cs.db"), n, maxVotes)).WithBound(maxDevices);

    [TestCaseSource(nameof(AllKinds))]
    public void OperationCentre_Registrations_AreBoundedAndSurviveARestart(string kind)
    {
        using var s = OperationCentre(kind);
        var alice = new RegisteredDevice("alice", [1, 2, 3], [4, 5], Revoked: false, IssuedEpoch: null, LastReport: 0);
        Assert.That(s.Store.Put(alice), Is.True);
        Assert.That(s.Store.Put(alice with { Id = "bob" }), Is.True);
        Assert.That(s.Store.Put(alice with { Id = "carol" }), Is.True);
        Assert.That(s.Store.Put(alice with { Id = "dave" }), Is.False, "the table is full");
        Assert.That(s.Store.Put(alice with { Revoked = true, IssuedEpoch = 7, LastReport = 1_700_000_000_123 }), Is.True, "a known device is updated when full");
        s.Restart();
        Assert.That(s.Store.Find("dave"), Is.Null);
        RegisteredDevice saved = s.Store.Find("alice")!;
        Assert.That((saved.SigningKey, saved.EncryptionKey, saved.Revoked, saved.IssuedEpoch, saved.LastReport),
                    Is.EqualTo((new byte[] { 1, 2, 3 }, new byte[] { 4, 5 }, true, (uint?)7, 1_700_000_000_123UL)));
        Assert.That(s.Store.Find("bob")!.IssuedEpoch, Is.Null);
        Assert.That(s.Store.Put(saved with { IssuedEpoch = uint.MaxValue }), Is.True);
        s.Restart();
        Assert.That(s.Store.Find("alice")!.IssuedEpoch, Is.EqualTo(uint.MaxValue), "the whole epoch range");
    }

    [TestCaseSource(nameof(AllKinds))]
    public void OperationCentre_RefusalLog_KeepsTheNewestInOrder(string kind)
    {
        using var s = OperationCentre(kind, maxRefusals: 4);
        for (int i = 0; i < 7; i++) s.Store.LogRefusal(new TagRefusal($"d{i}", EngineStatus.VerificationFailed, $"reason {i}", (ulong)(1000 + i)));
        s.Restart();
        IReadOnlyList<TagRefusal> log = s.Store.Refusals();
        Assert.That(log.Select(r => r.DeviceId), Is.EqualTo(new[] { "d3", "d4", "d5", "d6" }));
        Assert.That(log[^1], Is.EqualTo(new TagRefusal("d6", EngineStatus.VerificationFailed, "reason 6", 1006)));
    }

    [TestCaseSource(nameof(AllKinds))]
    public void Cloud_RecordsAndVotes_AreBoundedAndSurviveARestart(string kind)
    {
        using var s = Cloud(kind);
        var record = new DeviceTrustRecord("s1", [9, 9], [8], 7250, 5000);
        Assert.That(s.Store.Put(record), Is.True);
        Assert.That(s.Store.Put(record with { Id = "s2" }) && s.Store.Put(record with { Id = "s3" }), Is.True);
        Assert.That(s.Store.Put(record with { Id = "s4" }), Is.False, "the table is full");
        Assert.That(s.Store.Put(record with { TrustLevel = 10_000, EvaluatedAt = 6000 }), Is.True);

        Assert.That(s.Store.PutVote("s2", "s1", true, 100), Is.True);
        Assert.That(s.Store.PutVote("s2", "s1", false, 100), Is.False, "not newer than the voter's last vote");
        Assert.That(s.Store.PutVote("s2", "s1", false, 101), Is.True, "a newer vote replaces it");
        Assert.That(s.Store.PutVote("s3", "s1", true, 50), Is.True);
        Assert.That(s.Store.PutVote("s4", "s1", true, 60), Is.False, "votes per device are bounded");
        s.Restart();
        Assert.That(s.Store.Find("s1"), Is.EqualTo(record with { TrustLevel = 10_000, EvaluatedAt = 6000 }).Using<DeviceTrustRecord>(SameRecord));
        Assert.That(s.Store.Find("s4"), Is.Null);
        Assert.That(s.Store.Votes("s1").OrderBy(v => v.Voter), Is.EqualTo(new[] { ("s2", false), ("s3", true) }));
        Assert.That(s.Store.PutVote("s2", "s1", true, 101), Is.False, "a replayed vote is still refused after the restart");
        Assert.That(s.Store.Votes("nobody"), Is.Empty);
    }

    private static bool SameRecord(DeviceTrustRecord a, DeviceTrustRecord b)
        => a.Id == b.Id && a.SigningKey.SequenceEqual(b.SigningKey) && a.EncryptionKey.SequenceEqual(b.EncryptionKey) && a.TrustLevel == b.TrustLevel && a.EvaluatedAt == b.EvaluatedAt;
}
