using System.Data.Common;
using System.Net;
using Engine.Storage;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Messaging;
using Orleans.Runtime;
using Orleans.Serialization;

namespace Engine.Cluster.Membership;

/// <summary>
/// Orleans' membership table on PostgreSQL (what Orleans' ADO.NET clustering keeps, written here on Npgsql because the
/// ADO.NET provider needs Orleans' own SQL scripts, which its NuGet packages do not carry). One row per silo, keyed by
/// cluster id and silo address, holding the serialized <see cref="MembershipEntry"/>, its etag, and the I-am-alive
/// time apart (silos refresh it every few seconds without a version change); one version row per cluster. Every
/// insert and update checks the table version's etag in the same transaction, which is the contract Orleans builds its
/// membership protocol on. Also the client's gateway list: the active silos' proxy endpoints.
/// </summary>
public sealed class PostgresMembershipTable : IMembershipTable, IGatewayListProvider
{
    private readonly ClusterDatabase _db;
    private readonly string _clusterId;
    private readonly Serializer _serializer;

    /// <summary>The table of <paramref name="cluster"/> in <paramref name="database"/>.</summary>
    public PostgresMembershipTable(ClusterDatabase database, IOptions<ClusterOptions> cluster, Serializer serializer)
    {
        _db = database;
        _clusterId = cluster.Value.ClusterId;
        _serializer = serializer;
    }

    /// <inheritdoc/>
    public Task InitializeMembershipTable(bool tryInitTableVersion)
    {
        if (tryInitTableVersion)
            _db.Sql.Write((c, tx) => SqlDatabase.Execute(c, tx, "INSERT INTO orleans_membership_version (cluster, version) VALUES (@c, 0) ON CONFLICT (cluster) DO NOTHING", ("c", _clusterId)));
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task DeleteMembershipTableEntries(string clusterId) => Task.FromResult(_db.Sql.Write((c, tx) =>
        SqlDatabase.Execute(c, tx, "DELETE FROM orleans_membership WHERE cluster = @c", ("c", clusterId))
        + SqlDatabase.Execute(c, tx, "DELETE FROM orleans_membership_version WHERE cluster = @c", ("c", clusterId))));

    /// <inheritdoc/>
    public Task CleanupDefunctSiloEntries(DateTimeOffset beforeDate) => Task.FromResult(_db.Sql.Write((c, tx) =>
        SqlDatabase.Execute(c, tx, "DELETE FROM orleans_membership WHERE cluster = @c AND status = @dead AND alive_ms < @t",
                            ("c", _clusterId), ("dead", (long)SiloStatus.Dead), ("t", beforeDate.ToUnixTimeMilliseconds()))));

    /// <inheritdoc/>
    public Task<MembershipTableData> ReadRow(SiloAddress key) => Task.FromResult(Read(key.ToParsableString()));

    /// <inheritdoc/>
    public Task<MembershipTableData> ReadAll() => Task.FromResult(Read(null));

    private MembershipTableData Read(string? silo) => _db.Sql.Read(c =>
    {
        var rows = new List<Tuple<MembershipEntry, string>>();
        using (DbCommand command = SqlDatabase.Command(c, null,
                   "SELECT entry, etag, alive_ms FROM orleans_membership WHERE cluster = @c" + (silo is null ? "" : " AND silo = @s"), ("c", _clusterId), ("s", silo)))
        using (DbDataReader r = command.ExecuteReader())
            while (r.Read())
            {
                MembershipEntry entry = _serializer.Deserialize<MembershipEntry>(r.GetFieldValue<byte[]>(0))!;
                entry.IAmAliveTime = DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(2)).UtcDateTime;
                rows.Add(Tuple.Create(entry, r.GetInt64(1).ToString(System.Globalization.CultureInfo.InvariantCulture)));
            }
        long version = SqlDatabase.Scalar(c, null, "SELECT version FROM orleans_membership_version WHERE cluster = @c", ("c", _clusterId)) as long? ?? 0;
        return new MembershipTableData(rows, Version(version));
    });

    private static TableVersion Version(long version) => new((int)version, version.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <inheritdoc/>
    public Task<bool> InsertRow(MembershipEntry entry, TableVersion tableVersion) => Task.FromResult(_db.Sql.Write((c, tx) =>
    {
        if (!BumpVersion(c, tx, tableVersion)) return false;
        return SqlDatabase.Execute(c, tx,
            "INSERT INTO orleans_membership (cluster, silo, status, entry, etag, alive_ms) VALUES (@c, @s, @st, @e, 1, @t) ON CONFLICT (cluster, silo) DO NOTHING",
            ("c", _clusterId), ("s", entry.SiloAddress.ToParsableString()), ("st", (long)entry.Status), ("e", _serializer.SerializeToArray(entry)),
            ("t", AliveMs(entry))) == 1;
    }));

    /// <inheritdoc/>
    public Task<bool> UpdateRow(MembershipEntry entry, string etag, TableVersion tableVersion) => Task.FromResult(_db.Sql.Write((c, tx) =>
    {
        if (!long.TryParse(etag, out long rowEtag) || !BumpVersion(c, tx, tableVersion)) return false;
        return SqlDatabase.Execute(c, tx,
            "UPDATE orleans_membership SET status = @st, entry = @e, etag = etag + 1, alive_ms = @t WHERE cluster = @c AND silo = @s AND etag = @etag",
            ("c", _clusterId), ("s", entry.SiloAddress.ToParsableString()), ("st", (long)entry.Status), ("e", _serializer.SerializeToArray(entry)),
            ("t", AliveMs(entry)), ("etag", rowEtag)) == 1;
    }));

    // The caller read version v (etag "v") and passes v + 1 with that etag: the write happens only if nobody else wrote since.
    private bool BumpVersion(DbConnection c, DbTransaction tx, TableVersion next)
        => long.TryParse(next.VersionEtag, out long read)
           && SqlDatabase.Execute(c, tx, "UPDATE orleans_membership_version SET version = @next WHERE cluster = @c AND version = @read",
                                  ("c", _clusterId), ("next", (long)next.Version), ("read", read)) == 1;

    private static long AliveMs(MembershipEntry entry) => new DateTimeOffset(DateTime.SpecifyKind(entry.IAmAliveTime, DateTimeKind.Utc)).ToUnixTimeMilliseconds();

    /// <inheritdoc/>
    public Task UpdateIAmAlive(MembershipEntry entry) => Task.FromResult(_db.Sql.Write((c, tx) =>
        SqlDatabase.Execute(c, tx, "UPDATE orleans_membership SET alive_ms = @t WHERE cluster = @c AND silo = @s",
                            ("c", _clusterId), ("s", entry.SiloAddress.ToParsableString()), ("t", AliveMs(entry)))));

    /// <inheritdoc/>
    public TimeSpan MaxStaleness => TimeSpan.FromSeconds(10);

    /// <inheritdoc/>
    public bool IsUpdatable => true;

    /// <inheritdoc/>
    public Task InitializeGatewayListProvider() => Task.CompletedTask;

    /// <inheritdoc/>
    public Task<IList<Uri>> GetGateways()
    {
        IList<Uri> gateways = Read(null).Members
            .Select(row => row.Item1)
            .Where(entry => entry.Status == SiloStatus.Active && entry.ProxyPort > 0)
            .Select(entry => SiloAddress.New(new IPEndPoint(entry.SiloAddress.Endpoint.Address, entry.ProxyPort), entry.SiloAddress.Generation).ToGatewayUri())
            .ToList();
        return Task.FromResult(gateways);
    }
}
