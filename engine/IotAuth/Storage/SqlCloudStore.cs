using System.Data.Common;
using Engine.Storage;

namespace Engine.IotAuth.Storage;

/// <summary>
/// The durable <see cref="ICloudStore"/> (issue #15): each device's bound keys, last TL and evaluation time, and the
/// peer votes, in SQLite (a file in the CS's data directory) or PostgreSQL. Each change is one transaction committed
/// before the method returns, so an evaluation the CS answered survives a restart, and a report or vote replayed
/// after a restart is still refused (its time is not newer than the stored one).
/// </summary>
/// <remarks>Nothing here is secret (public keys, trust levels, votes): stored in the clear.</remarks>
public sealed class SqlCloudStore : ICloudStore, IDisposable
{
    /// <summary>The schema's component name in <c>schema_versions</c>.</summary>
    public const string Component = "iot-cs";

    private readonly SqlDatabase _db;
    private readonly int _maxDevices, _maxVotesPerDevice;

    /// <summary>Opens (creating or migrating) the store in <paramref name="database"/>, which it then owns.</summary>
    public SqlCloudStore(SqlDatabase database, int maxDevices = 100_000, int maxVotesPerDevice = 256)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxDevices, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxVotesPerDevice, 1);
        (_db, _maxDevices, _maxVotesPerDevice) = (database, maxDevices, maxVotesPerDevice);
        string blob = database.BlobType;
        _db.Migrate(Component,
        [
            $"""
            CREATE TABLE cs_devices (id TEXT PRIMARY KEY, signing_key {blob} NOT NULL, encryption_key {blob} NOT NULL, trust_level BIGINT NOT NULL, evaluated_at BIGINT NOT NULL);
            CREATE TABLE cs_votes (subject TEXT NOT NULL, voter TEXT NOT NULL, approves BIGINT NOT NULL, time_ms BIGINT NOT NULL, PRIMARY KEY (subject, voter))
            """,
        ]);
    }

    /// <summary>Opens the store at <paramref name="location"/>: a data directory (file <c>iot-cs.db</c>) or a PostgreSQL connection string.</summary>
    public static SqlCloudStore Open(string location) => new(SqlDatabase.Open(location, "iot-cs.db"));

    /// <summary>Where the state lives.</summary>
    public string Description => _db.Description;

    /// <summary>Devices evaluated.</summary>
    public long DeviceCount => _db.Read(c => (long)SqlDatabase.Scalar(c, null, "SELECT COUNT(*) FROM cs_devices")!);

    /// <inheritdoc/>
    public DeviceTrustRecord? Find(string id) => _db.Read(c =>
    {
        using DbCommand command = SqlDatabase.Command(c, null, "SELECT signing_key, encryption_key, trust_level, evaluated_at FROM cs_devices WHERE id = @id", ("id", id));
        using DbDataReader r = command.ExecuteReader();
        return r.Read() ? new DeviceTrustRecord(id, r.GetFieldValue<byte[]>(0), r.GetFieldValue<byte[]>(1), (int)r.GetInt64(2), (ulong)r.GetInt64(3)) : null;
    });

    /// <inheritdoc/>
    public bool Put(DeviceTrustRecord record) => _db.Write((c, tx) =>
    {
        bool known = SqlDatabase.Scalar(c, tx, "SELECT 1 FROM cs_devices WHERE id = @id", ("id", record.Id)) is not null;
        if (!known && (long)SqlDatabase.Scalar(c, tx, "SELECT COUNT(*) FROM cs_devices")! >= _maxDevices) return false;
        SqlDatabase.Execute(c, tx,
            """
            INSERT INTO cs_devices (id, signing_key, encryption_key, trust_level, evaluated_at) VALUES (@id, @s, @e, @t, @a)
            ON CONFLICT (id) DO UPDATE SET signing_key = excluded.signing_key, encryption_key = excluded.encryption_key,
                                           trust_level = excluded.trust_level, evaluated_at = excluded.evaluated_at
            """,
            ("id", record.Id), ("s", record.SigningKey), ("e", record.EncryptionKey), ("t", (long)record.TrustLevel), ("a", checked((long)record.EvaluatedAt)));
        return true;
    });

    /// <inheritdoc/>
    public bool PutVote(string voter, string subject, bool approves, ulong time) => _db.Write((c, tx) =>
    {
        long stamp = checked((long)time);
        if (SqlDatabase.Scalar(c, tx, "SELECT time_ms FROM cs_votes WHERE subject = @s AND voter = @v", ("s", subject), ("v", voter)) is long last)
        {
            if (stamp <= last) return false;
        }
        else if ((long)SqlDatabase.Scalar(c, tx, "SELECT COUNT(*) FROM cs_votes WHERE subject = @s", ("s", subject))! >= _maxVotesPerDevice) return false;
        else if (SqlDatabase.Scalar(c, tx, "SELECT 1 FROM cs_votes WHERE subject = @s", ("s", subject)) is null
                 && (long)SqlDatabase.Scalar(c, tx, "SELECT COUNT(DISTINCT subject) FROM cs_votes")! >= _maxDevices) return false;
        SqlDatabase.Execute(c, tx,
            """
            INSERT INTO cs_votes (subject, voter, approves, time_ms) VALUES (@s, @v, @a, @t)
            ON CONFLICT (subject, voter) DO UPDATE SET approves = excluded.approves, time_ms = excluded.time_ms
            """,
            ("s", subject), ("v", voter), ("a", approves ? 1L : 0L), ("t", stamp));
        return true;
    });

    /// <inheritdoc/>
    public IReadOnlyList<(string Voter, bool Approves)> Votes(string subject) => _db.Read(c =>
    {
        var list = new List<(string, bool)>();
        using DbCommand command = SqlDatabase.Command(c, null, "SELECT voter, approves FROM cs_votes WHERE subject = @s ORDER BY voter", ("s", subject));
        using DbDataReader r = command.ExecuteReader();
        while (r.Read()) list.Add((r.GetString(0), r.GetInt64(1) != 0));
        return list;
    });

    /// <summary>Closes the database.</summary>
    public void Dispose() => _db.Dispose();
}
