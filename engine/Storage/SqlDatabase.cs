using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Engine.Storage;

/// <summary>
/// Where a server's durable state lives (issue #15): an SQLite file under a data directory (the embedded default:
/// WAL, <c>synchronous=FULL</c>, so a committed write survives a crash or power loss), or a PostgreSQL database
/// shared by several server processes, chosen by the location string. Every store opens its connections here,
/// writes its schema through <see cref="Migrate"/>, and acknowledges a write only after its transaction commits.
/// </summary>
/// <remarks>Thread-safe: each operation takes a pooled connection of its own.</remarks>
public sealed class SqlDatabase : IDisposable
{
    private readonly string? _sqliteConnectionString;
    private readonly NpgsqlDataSource? _postgres;

    private SqlDatabase(string? sqlite, NpgsqlDataSource? postgres, string description)
    {
        _sqliteConnectionString = sqlite;
        _postgres = postgres;
        Description = description;
    }

    /// <summary>
    /// Opens <paramref name="location"/>: a PostgreSQL connection string (<c>Host=…;Database=…</c>, or a
    /// <c>postgres://</c> URI) or a directory, in which the SQLite file <paramref name="fileName"/> is created
    /// (owner-only) if missing.
    /// </summary>
    /// <exception cref="ArgumentException">An empty location or an unusable connection string.</exception>
    public static SqlDatabase Open(string location, string fileName)
    {
        if (string.IsNullOrWhiteSpace(location)) throw new ArgumentException("A data directory or a PostgreSQL connection string is needed.", nameof(location));
        if (IsPostgres(location))
        {
            string connectionString = location.StartsWith("postgres", StringComparison.OrdinalIgnoreCase) ? FromUri(location) : location;
            var source = NpgsqlDataSource.Create(connectionString);
            var builder = new NpgsqlConnectionStringBuilder(connectionString);
            return new SqlDatabase(null, source, $"PostgreSQL database '{builder.Database}' at {builder.Host}:{builder.Port}");
        }
        Directory.CreateDirectory(location);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(location, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        string path = Path.GetFullPath(Path.Combine(location, fileName));
        var sqlite = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = true, DefaultTimeout = 30 }.ToString();
        var database = new SqlDatabase(sqlite, null, $"SQLite file {path}");
        using (DbConnection first = database.OpenConnection())
            Execute(first, null, "PRAGMA journal_mode=WAL;");                   // persistent: set once per file
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return database;
    }

    /// <summary>True for a PostgreSQL connection string or URI (else the location is a directory).</summary>
    public static bool IsPostgres(string location)
        => location.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) || location.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase)
           || location.Contains("Host=", StringComparison.OrdinalIgnoreCase);

    private static string FromUri(string uri)
    {
        var u = new Uri(uri);
        string[] userInfo = u.UserInfo.Split(':', 2);
        var b = new NpgsqlConnectionStringBuilder { Host = u.Host, Port = u.Port > 0 ? u.Port : 5432, Database = u.AbsolutePath.TrimStart('/') };
        if (userInfo[0].Length > 0) b.Username = Uri.UnescapeDataString(userInfo[0]);
        if (userInfo.Length > 1) b.Password = Uri.UnescapeDataString(userInfo[1]);
        return b.ConnectionString;
    }

    /// <summary>What this database is, for logs (no password).</summary>
    public string Description { get; }

    /// <summary>True on PostgreSQL.</summary>
    public bool IsPostgreSql => _postgres is not null;

    /// <summary>The column type of byte strings (BLOB or BYTEA).</summary>
    public string BlobType => IsPostgreSql ? "BYTEA" : "BLOB";

    /// <summary>An auto-numbered 64-bit primary key column.</summary>
    public string SerialKey => IsPostgreSql ? "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY" : "INTEGER PRIMARY KEY AUTOINCREMENT";

    /// <summary>An open connection (SQLite: with <c>synchronous=FULL</c> and a busy timeout).</summary>
    public DbConnection OpenConnection()
    {
        if (_postgres is not null) return _postgres.OpenConnection();
        var connection = new SqliteConnection(_sqliteConnectionString);
        connection.Open();
        Execute(connection, null, "PRAGMA synchronous=FULL; PRAGMA busy_timeout=30000;");
        return connection;
    }

    /// <summary>
    /// Brings <paramref name="component"/>'s schema to the last of <paramref name="migrations"/> (migration i takes the
    /// schema from version i to i + 1), in one transaction per step, recording the version. A database written by a
    /// newer engine (a version above what this one knows) is refused rather than guessed at.
    /// </summary>
    /// <exception cref="InvalidDataException">The schema is newer than this engine's.</exception>
    public void Migrate(string component, IReadOnlyList<string> migrations)
    {
        using DbConnection connection = OpenConnection();
        // Several processes may open one PostgreSQL database at once (the silos of a cluster): one migrates at a time.
        if (IsPostgreSql) Execute(connection, null, "SELECT pg_advisory_lock(7301730)");
        try { MigrateLocked(connection, component, migrations); }
        finally
        {
            if (IsPostgreSql) Execute(connection, null, "SELECT pg_advisory_unlock(7301730)");
        }
    }

    private void MigrateLocked(DbConnection connection, string component, IReadOnlyList<string> migrations)
    {
        Execute(connection, null, "CREATE TABLE IF NOT EXISTS schema_versions (component TEXT PRIMARY KEY, version BIGINT NOT NULL)");
        while (true)
        {
            using DbTransaction tx = connection.BeginTransaction();
            long version = Scalar(connection, tx, "SELECT version FROM schema_versions WHERE component = @c", ("c", component)) is long v ? v : 0;
            if (version > migrations.Count)
                throw new InvalidDataException($"{Description}: the {component} schema is at version {version}, newer than this engine's {migrations.Count}; use a newer engine.");
            if (version == migrations.Count) { tx.Commit(); return; }
            // Statements are split at ';': migrations hold DDL without string literals.
            foreach (string statement in migrations[(int)version].Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                Execute(connection, tx, statement);
            Execute(connection, tx, "INSERT INTO schema_versions (component, version) VALUES (@c, @v) ON CONFLICT (component) DO UPDATE SET version = excluded.version",
                    ("c", component), ("v", version + 1));
            tx.Commit();
        }
    }

    /// <summary>The schema version of <paramref name="component"/> (0 when it was never created).</summary>
    public long SchemaVersion(string component)
    {
        using DbConnection connection = OpenConnection();
        Execute(connection, null, "CREATE TABLE IF NOT EXISTS schema_versions (component TEXT PRIMARY KEY, version BIGINT NOT NULL)");
        return Scalar(connection, null, "SELECT version FROM schema_versions WHERE component = @c", ("c", component)) is long v ? v : 0;
    }

    /// <summary>Runs <paramref name="body"/> on a connection of its own, outside any transaction (reads).</summary>
    public T Read<T>(Func<DbConnection, T> body)
    {
        using DbConnection connection = OpenConnection();
        return body(connection);
    }

    /// <summary>Runs <paramref name="body"/> in one transaction, committed before this returns (the write is then durable).</summary>
    public T Write<T>(Func<DbConnection, DbTransaction, T> body)
    {
        using DbConnection connection = OpenConnection();
        using DbTransaction tx = connection.BeginTransaction();
        T result = body(connection, tx);
        tx.Commit();
        return result;
    }

    /// <summary>A command with its parameters bound.</summary>
    public static DbCommand Command(DbConnection connection, DbTransaction? tx, string sql, params (string Name, object? Value)[] parameters)
    {
        DbCommand command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = tx;
        foreach ((string name, object? value) in parameters)
        {
            DbParameter p = command.CreateParameter();
            p.ParameterName = "@" + name;
            p.Value = value ?? DBNull.Value;
            command.Parameters.Add(p);
        }
        return command;
    }

    /// <summary>Runs a statement; returns the rows it changed.</summary>
    public static int Execute(DbConnection connection, DbTransaction? tx, string sql, params (string Name, object? Value)[] parameters)
    {
        using DbCommand command = Command(connection, tx, sql, parameters);
        return command.ExecuteNonQuery();
    }

    /// <summary>The first column of the first row (integers as long), or null.</summary>
    public static object? Scalar(DbConnection connection, DbTransaction? tx, string sql, params (string Name, object? Value)[] parameters)
    {
        using DbCommand command = Command(connection, tx, sql, parameters);
        object? value = command.ExecuteScalar();
        return value switch { null or DBNull => null, int i => (long)i, _ => value };
    }

    /// <summary>Closes the pools.</summary>
    public void Dispose()
    {
        _postgres?.Dispose();
        if (_sqliteConnectionString is not null)
            using (var connection = new SqliteConnection(_sqliteConnectionString)) SqliteConnection.ClearPool(connection);
    }
}
