using System.Data.Common;
using Engine.Storage;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Runtime;

namespace Engine.Cluster.Membership;

/// <summary>
/// Orleans' reminder table on PostgreSQL: one row per (cluster, grain, reminder) with the grain's uniform hash, so each
/// silo reads the reminders of its own hash range, and an etag that every upsert renews and every remove checks. A
/// reminder outlives the silo that registered it, so the round clock resumes on another silo after a crash.
/// </summary>
public sealed class PostgresReminderTable : IReminderTable
{
    private readonly ClusterDatabase _db;
    private readonly string _serviceId;

    /// <summary>The reminders of the service configured in <paramref name="cluster"/>.</summary>
    public PostgresReminderTable(ClusterDatabase database, IOptions<ClusterOptions> cluster)
    {
        _db = database;
        _serviceId = cluster.Value.ServiceId;
    }

    /// <inheritdoc/>
    public Task Init() => Task.CompletedTask;

    /// <inheritdoc/>
    public Task<ReminderTableData> ReadRows(GrainId grainId) => Task.FromResult(Rows("grain = @g", ("g", grainId.ToString())));

    /// <inheritdoc/>
    public Task<ReminderTableData> ReadRows(uint begin, uint end) => Task.FromResult(begin < end
        ? Rows("grain_hash > @b AND grain_hash <= @e", ("b", (long)begin), ("e", (long)end))
        : Rows("(grain_hash > @b OR grain_hash <= @e)", ("b", (long)begin), ("e", (long)end)));    // the range wraps around

    /// <inheritdoc/>
    public Task<ReminderEntry?> ReadRow(GrainId grainId, string reminderName)
        => Task.FromResult(Rows("grain = @g AND name = @n", ("g", grainId.ToString()), ("n", reminderName)).Reminders.FirstOrDefault());

    private ReminderTableData Rows(string where, params (string, object?)[] parameters) => _db.Sql.Read(c =>
    {
        var rows = new List<ReminderEntry>();
        using DbCommand command = SqlDatabase.Command(c, null, $"SELECT grain, name, start_ms, period_ms, etag FROM orleans_reminders WHERE service = @service AND {where}",
                                                      [("service", _serviceId), .. parameters]);
        using DbDataReader r = command.ExecuteReader();
        while (r.Read())
            rows.Add(new ReminderEntry
            {
                GrainId = GrainId.Parse(r.GetString(0)),
                ReminderName = r.GetString(1),
                StartAt = DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(2)).UtcDateTime,
                Period = TimeSpan.FromMilliseconds(r.GetInt64(3)),
                ETag = r.GetInt64(4).ToString(System.Globalization.CultureInfo.InvariantCulture),
            });
        return new ReminderTableData(rows);
    });

    /// <inheritdoc/>
    public Task<string?> UpsertRow(ReminderEntry entry) => Task.FromResult<string?>(_db.Sql.Write((c, tx) =>
        ((long)SqlDatabase.Scalar(c, tx,
            "INSERT INTO orleans_reminders (service, grain, name, grain_hash, start_ms, period_ms, etag) VALUES (@service, @g, @n, @h, @s, @p, 1) " +
            "ON CONFLICT (service, grain, name) DO UPDATE SET start_ms = excluded.start_ms, period_ms = excluded.period_ms, etag = orleans_reminders.etag + 1 RETURNING etag",
            ("service", _serviceId), ("g", entry.GrainId.ToString()), ("n", entry.ReminderName), ("h", (long)entry.GrainId.GetUniformHashCode()),
            ("s", new DateTimeOffset(DateTime.SpecifyKind(entry.StartAt, DateTimeKind.Utc)).ToUnixTimeMilliseconds()), ("p", (long)entry.Period.TotalMilliseconds))!)
        .ToString(System.Globalization.CultureInfo.InvariantCulture)));

    /// <inheritdoc/>
    public Task<bool> RemoveRow(GrainId grainId, string reminderName, string eTag) => Task.FromResult(long.TryParse(eTag, out long etag) && _db.Sql.Write((c, tx) =>
        SqlDatabase.Execute(c, tx, "DELETE FROM orleans_reminders WHERE service = @service AND grain = @g AND name = @n AND etag = @e",
                            ("service", _serviceId), ("g", grainId.ToString()), ("n", reminderName), ("e", etag)) == 1));

    /// <inheritdoc/>
    public Task TestOnlyClearTable() => Task.FromResult(_db.Sql.Write((c, tx) =>
        SqlDatabase.Execute(c, tx, "DELETE FROM orleans_reminders WHERE service = @service", ("service", _serviceId))));
}
