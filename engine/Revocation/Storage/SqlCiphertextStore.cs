using System.Data.Common;
using Engine.Storage;

namespace Engine.Revocation.Storage;

/// <summary>
/// The accepting CSP's durable <see cref="ICiphertextStore"/> in SQLite (a file in its data directory) or PostgreSQL
/// (several CSP processes sharing one store). A <see cref="Put"/> is one statement in its own transaction, committed
/// before it returns: a reader, or a restart after kill -9, sees the old or the new ciphertext, never a mix.
/// </summary>
/// <remarks>Ciphertexts are public by design (CP-ABE); the update job's progress is not secret either.</remarks>
public sealed class SqlCiphertextStore : ICiphertextStore, IDisposable
{
    /// <summary>The schema's component name in <c>schema_versions</c>.</summary>
    public const string Component = "abe-ciphertexts";

    private readonly SqlDatabase _db;

    /// <summary>Opens (creating or migrating) the store in <paramref name="database"/>, which it then owns.</summary>
    public SqlCiphertextStore(SqlDatabase database)
    {
        _db = database;
        string blob = database.BlobType;
        _db.Migrate(Component,
        [
            $"""
            CREATE TABLE abe_ciphertexts (resource TEXT PRIMARY KEY, ciphertext {blob} NOT NULL);
            CREATE TABLE abe_meta (name TEXT PRIMARY KEY, value {blob} NOT NULL)
            """,
        ]);
    }

    /// <summary>Opens the store at <paramref name="location"/>: a data directory (file <c>ciphertexts.db</c>) or a PostgreSQL connection string.</summary>
    public static SqlCiphertextStore Open(string location) => new(SqlDatabase.Open(location, "ciphertexts.db"));

    /// <summary>Where the state lives.</summary>
    public string Description => _db.Description;

    /// <inheritdoc/>
    public IReadOnlyList<string> Resources() => _db.Read(c =>
    {
        var names = new List<string>();
        using DbCommand command = SqlDatabase.Command(c, null, "SELECT resource FROM abe_ciphertexts");
        using DbDataReader r = command.ExecuteReader();
        while (r.Read()) names.Add(r.GetString(0));
        names.Sort(StringComparer.Ordinal);                               // the interface's order, whatever the database's collation
        return names;
    });

    /// <inheritdoc/>
    public byte[]? Get(string resource) => _db.Read(c => SqlDatabase.Scalar(c, null, "SELECT ciphertext FROM abe_ciphertexts WHERE resource = @r", ("r", resource)) as byte[]);

    /// <inheritdoc/>
    public void Put(string resource, byte[] ciphertext) => Upsert("abe_ciphertexts", "resource", "ciphertext", resource, ciphertext);

    /// <inheritdoc/>
    public byte[]? GetMeta(string name) => _db.Read(c => SqlDatabase.Scalar(c, null, "SELECT value FROM abe_meta WHERE name = @r", ("r", name)) as byte[]);

    /// <inheritdoc/>
    public void SetMeta(string name, byte[] value) => Upsert("abe_meta", "name", "value", name, value);

    private void Upsert(string table, string key, string column, string name, byte[] value) => _db.Write((c, tx) =>
        SqlDatabase.Execute(c, tx, $"INSERT INTO {table} ({key}, {column}) VALUES (@k, @v) ON CONFLICT ({key}) DO UPDATE SET {column} = excluded.{column}", ("k", name), ("v", value)));

    /// <summary>Closes the database.</summary>
    public void Dispose() => _db.Dispose();
}
