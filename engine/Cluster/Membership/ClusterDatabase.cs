using Engine.Storage;

namespace Engine.Cluster.Membership;

/// <summary>
/// The PostgreSQL database of one logical server's cluster (S1's and S2's are separate: their operators must not
/// collude): Orleans' membership and reminder tables, and the state the grains write through before they acknowledge
/// (<see cref="TwoServer.ClusterState"/>). Schema changes go through <see cref="SqlDatabase.Migrate"/>.
/// </summary>
public sealed class ClusterDatabase : IDisposable
{
    /// <summary>The schema's component name in <c>schema_versions</c>.</summary>
    public const string Component = "orleans-cluster";

    /// <summary>Opens <paramref name="connectionString"/> (PostgreSQL only: the silos of a cluster share it) and creates the Orleans tables.</summary>
    /// <exception cref="ArgumentException">Not a PostgreSQL connection string.</exception>
    public ClusterDatabase(string connectionString)
    {
        if (!SqlDatabase.IsPostgres(connectionString))
            throw new ArgumentException("A cluster's state lives in PostgreSQL (Host=…;Database=… or postgres://…), which every silo of the cluster reaches.", nameof(connectionString));
        ConnectionString = connectionString;
        Sql = SqlDatabase.Open(connectionString, "unused");
        Sql.Migrate(Component,
        [
            """
            CREATE TABLE orleans_membership_version (cluster TEXT PRIMARY KEY, version BIGINT NOT NULL);
            CREATE TABLE orleans_membership (cluster TEXT NOT NULL, silo TEXT NOT NULL, status BIGINT NOT NULL, entry BYTEA NOT NULL, etag BIGINT NOT NULL,
                                             alive_ms BIGINT NOT NULL, PRIMARY KEY (cluster, silo));
            CREATE TABLE orleans_reminders (service TEXT NOT NULL, grain TEXT NOT NULL, name TEXT NOT NULL, grain_hash BIGINT NOT NULL, start_ms BIGINT NOT NULL,
                                            period_ms BIGINT NOT NULL, etag BIGINT NOT NULL, PRIMARY KEY (service, grain, name));
            CREATE INDEX orleans_reminders_hash ON orleans_reminders (service, grain_hash)
            """,
        ]);
    }

    /// <summary>The connection string.</summary>
    public string ConnectionString { get; }

    /// <summary>The database.</summary>
    public SqlDatabase Sql { get; }

    /// <inheritdoc/>
    public void Dispose() => Sql.Dispose();
}
