using System.Data.Common;
using Engine.Storage;

namespace Engine.IotAuth.Storage;

/// <summary>
/// The durable <see cref="IOperationCenterStore"/> (issue #15): registrations (keys, revocation, the last epoch a tag
/// was issued for, the last report's time) and the bounded refusal log, in SQLite (a file in the OC's data directory)
/// or PostgreSQL (several OC processes sharing one database). Each change is one transaction committed before the
/// method returns, so a registration or revocation the OC acknowledged survives a restart or kill -9, and a report
/// replayed after a restart is still refused (its time is not newer than the stored one).
/// </summary>
/// <remarks>Nothing here is secret (public keys, epochs, times): stored in the clear. γ lives in the OC's key file.</remarks>
public sealed class SqlOperationCenterStore : IOperationCenterStore, IDisposable
{
    /// <summary>The schema's component name in <c>schema_versions</c>.</summary>
    public const string Component = "iot-oc";

    private readonly SqlDatabase _db;
    private readonly int _maxDevices, _maxRefusals;

    /// <summary>Opens (creating or migrating) the store in <paramref name="database"/>, which it then owns.</summary>
    public SqlOperationCenterStore(SqlDatabase database, int maxDevices = 100_000, int maxRefusals = 10_000)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxDevices, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRefusals, 1);
        (_db, _maxDevices, _maxRefusals) = (database, maxDevices, maxRefusals);
        string blob = database.BlobType;
        _db.Migrate(Component,
        [
            $"""
            CREATE TABLE oc_devices (id TEXT PRIMARY KEY, signing_key {blob} NOT NULL, encryption_key {blob} NOT NULL, revoked BIGINT NOT NULL,
                                     issued_epoch BIGINT, last_report BIGINT NOT NULL);
            CREATE TABLE oc_refusals (seq {database.SerialKey}, device_id TEXT NOT NULL, status BIGINT NOT NULL, reason TEXT NOT NULL, time_ms BIGINT NOT NULL)
            """,
        ]);
    }

    /// <summary>Opens the store at <paramref name="location"/>: a data directory (file <c>iot-oc.db</c>) or a PostgreSQL connection string.</summary>
    public static SqlOperationCenterStore Open(string location) => new(SqlDatabase.Open(location, "iot-oc.db"));

    /// <summary>Where the state lives.</summary>
    public string Description => _db.Description;

    /// <summary>Registered devices.</summary>
    public long DeviceCount => _db.Read(c => (long)SqlDatabase.Scalar(c, null, "SELECT COUNT(*) FROM oc_devices")!);

    /// <inheritdoc/>
    public RegisteredDevice? Find(string id) => _db.Read(c =>
    {
        using DbCommand command = SqlDatabase.Command(c, null, "SELECT signing_key, encryption_key, revoked, issued_epoch, last_report FROM oc_devices WHERE id = @id", ("id", id));
        using DbDataReader r = command.ExecuteReader();
        if (!r.Read()) return null;
        return new RegisteredDevice(id, r.GetFieldValue<byte[]>(0), r.GetFieldValue<byte[]>(1), r.GetInt64(2) != 0,
                                    r.IsDBNull(3) ? null : (uint)r.GetInt64(3), (ulong)r.GetInt64(4));
    });

    /// <inheritdoc/>
    public bool Put(RegisteredDevice device) => _db.Write((c, tx) =>
    {
        bool known = SqlDatabase.Scalar(c, tx, "SELECT 1 FROM oc_devices WHERE id = @id", ("id", device.Id)) is not null;
        if (!known && (long)SqlDatabase.Scalar(c, tx, "SELECT COUNT(*) FROM oc_devices")! >= _maxDevices) return false;
        SqlDatabase.Execute(c, tx,
            """
            INSERT INTO oc_devices (id, signing_key, encryption_key, revoked, issued_epoch, last_report) VALUES (@id, @s, @e, @r, @i, @l)
            ON CONFLICT (id) DO UPDATE SET signing_key = excluded.signing_key, encryption_key = excluded.encryption_key, revoked = excluded.revoked,
                                           issued_epoch = excluded.issued_epoch, last_report = excluded.last_report
            """,
            ("id", device.Id), ("s", device.SigningKey), ("e", device.EncryptionKey), ("r", device.Revoked ? 1L : 0L),
            ("i", device.IssuedEpoch is uint epoch ? (long)epoch : null), ("l", checked((long)device.LastReport)));
        return true;
    });

    /// <inheritdoc/>
    public void LogRefusal(TagRefusal refusal) => _db.Write((c, tx) =>
    {
        SqlDatabase.Execute(c, tx, "INSERT INTO oc_refusals (device_id, status, reason, time_ms) VALUES (@d, @s, @r, @t)",
                            ("d", refusal.DeviceId), ("s", (long)refusal.Status), ("r", refusal.Reason), ("t", (long)refusal.Time));
        // The log is a ring: the oldest entries beyond the bound go in the same transaction.
        return SqlDatabase.Execute(c, tx, "DELETE FROM oc_refusals WHERE seq <= (SELECT MAX(seq) FROM oc_refusals) - @n", ("n", (long)_maxRefusals));
    });

    /// <inheritdoc/>
    public IReadOnlyList<TagRefusal> Refusals() => _db.Read(c =>
    {
        var list = new List<TagRefusal>();
        using DbCommand command = SqlDatabase.Command(c, null, "SELECT device_id, status, reason, time_ms FROM oc_refusals ORDER BY seq");
        using DbDataReader r = command.ExecuteReader();
        while (r.Read()) list.Add(new TagRefusal(r.GetString(0), (EngineStatus)r.GetInt64(1), r.GetString(2), (ulong)r.GetInt64(3)));
        return list;
    });

    /// <summary>Closes the database.</summary>
    public void Dispose() => _db.Dispose();
}
