using Npgsql;
using NUnit.Framework;

namespace Engine.Tests.Support;

/// <summary>
/// Fresh databases for the durable-store tests: a temporary SQLite data directory, or a new PostgreSQL database on
/// the server named by <c>ENGINE_TEST_POSTGRES</c> (.ci/run starts one with <c>.ci/postgres-start</c>); without that
/// variable the PostgreSQL cases are skipped, with the reason.
/// </summary>
internal sealed class TestDatabase : IDisposable
{
    private readonly string? _directory;
    private readonly string? _adminConnection, _databaseName;

    private TestDatabase(string location, string? directory, string? admin, string? name)
    {
        Location = location;
        _directory = directory;
        _adminConnection = admin;
        _databaseName = name;
    }

    /// <summary>A data directory or a connection string, as the stores and the CLI's <c>--data</c> take it.</summary>
    public string Location { get; }

    /// <summary>"sqlite" or "postgres".</summary>
    public static readonly string[] Kinds = ["sqlite", "postgres"];

    /// <summary>A new, empty database of <paramref name="kind"/> (skips the test when PostgreSQL is not configured).</summary>
    public static TestDatabase Create(string kind)
    {
        if (kind == "sqlite")
        {
            string dir = Directory.CreateTempSubdirectory("engine-store-").FullName;
            return new TestDatabase(dir, dir, null, null);
        }
        string? admin = Environment.GetEnvironmentVariable("ENGINE_TEST_POSTGRES");
        if (string.IsNullOrEmpty(admin))
            Assert.Ignore("PostgreSQL store tests need ENGINE_TEST_POSTGRES (a connection string); `eval \"$(.ci/postgres-start)\"` starts a local server and sets it.");
        string name = "engine_test_" + Guid.NewGuid().ToString("N")[..16];
        using (var connection = new NpgsqlConnection(admin))
        {
            try { connection.Open(); }
            catch (NpgsqlException e) { Assert.Ignore($"ENGINE_TEST_POSTGRES is set but the server does not answer: {e.Message}"); }
            using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            command.ExecuteNonQuery();
        }
        var builder = new NpgsqlConnectionStringBuilder(admin) { Database = name };
        return new TestDatabase(builder.ConnectionString, null, admin, name);
    }

    /// <summary>Drops the database or deletes the directory.</summary>
    public void Dispose()
    {
        if (_directory is not null)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
            return;
        }
        NpgsqlConnection.ClearAllPools();
        using var connection = new NpgsqlConnection(_adminConnection);
        connection.Open();
        using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_databaseName} WITH (FORCE)", connection);
        command.ExecuteNonQuery();
    }
}
