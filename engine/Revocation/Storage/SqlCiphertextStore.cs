using System.Data.Common;
using Engine.Storage;

namespace Engine.Revocation.Storage;

/// <summary>
/// The accepting CSP's durable <see cref="ICiphertextStore"/> in SQLite (a file in its data directory) or PostgreSQL
/// (several CSP processes sharing one store). A <see cref="Put"/> is one statement in its own transaction, committed
/// before it returns: a reader, or a restart after kill -9, sees the old or the new ciphertext, never a mix. Several
/// workers share the update job through <see cref="Claim"/> and <see cref="Complete"/> (on PostgreSQL across processes:
/// a claim skips the rows another claim holds locked; SQLite serializes its writers).
/// </summary>
/// <remarks>Ciphertexts are public by design (CP-ABE); the update job's progress is not secret either.</remarks>
public sealed class SqlCiphertextStore : ISharedCiphertextStore, IDisposable
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
            // The shared update job: the last job a ciphertext was done under, and who holds it claimed until when.
            """
            ALTER TABLE abe_ciphertexts ADD COLUMN job_done TEXT;
            ALTER TABLE abe_ciphertexts ADD COLUMN claimed_job TEXT;
            ALTER TABLE abe_ciphertexts ADD COLUMN claimed_by TEXT;
            ALTER TABLE abe_ciphertexts ADD COLUMN claimed_until BIGINT
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
    /// <remarks>A ciphertext stored again is not done under any update job yet, whatever its predecessor was.</remarks>
    public void Put(string resource, byte[] ciphertext) => _db.Write((c, tx) =>
        SqlDatabase.Execute(c, tx,
            """
            INSERT INTO abe_ciphertexts (resource, ciphertext) VALUES (@k, @v)
            ON CONFLICT (resource) DO UPDATE SET ciphertext = excluded.ciphertext, job_done = NULL
            """, ("k", resource), ("v", ciphertext)));

    /// <inheritdoc/>
    public byte[]? GetMeta(string name) => _db.Read(c => SqlDatabase.Scalar(c, null, "SELECT value FROM abe_meta WHERE name = @r", ("r", name)) as byte[]);

    /// <inheritdoc/>
    public void SetMeta(string name, byte[] value) => Upsert("abe_meta", "name", "value", name, value);

    /// <inheritdoc/>
    public IReadOnlyList<string> Claim(string job, string worker, int count, TimeSpan lease, DateTimeOffset now)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        // One statement: the rows chosen are the rows claimed. PostgreSQL skips rows another claim holds locked;
        // SQLite runs one writer at a time.
        string skipLocked = _db.IsPostgreSql ? " FOR UPDATE SKIP LOCKED" : "";
        return _db.Write((c, tx) =>
        {
            using DbCommand command = SqlDatabase.Command(c, tx,
                $"""
                UPDATE abe_ciphertexts SET claimed_job = @j, claimed_by = @w, claimed_until = @until
                WHERE resource IN (SELECT resource FROM abe_ciphertexts
                                   WHERE (job_done IS NULL OR job_done <> @j)
                                     AND (claimed_job IS NULL OR claimed_job <> @j OR claimed_until < @now)
                                   ORDER BY resource LIMIT @n{skipLocked})
                RETURNING resource
                """, ("j", job), ("w", worker), ("until", (now + lease).ToUnixTimeMilliseconds()), ("now", now.ToUnixTimeMilliseconds()), ("n", count));
            var claimed = new List<string>();
            using DbDataReader r = command.ExecuteReader();
            while (r.Read()) claimed.Add(r.GetString(0));
            return claimed;
        });
    }

    /// <inheritdoc/>
    public bool Complete(string job, string worker, string resource, byte[]? updated) => _db.Write((c, tx) =>
        SqlDatabase.Execute(c, tx,
            $"""
            UPDATE abe_ciphertexts SET {(updated is null ? "" : "ciphertext = @c, ")}job_done = @j, claimed_job = NULL, claimed_by = NULL, claimed_until = NULL
            WHERE resource = @r AND claimed_job = @j AND claimed_by = @w
            """, [("c", updated), ("j", job), ("w", worker), ("r", resource)]) == 1);

    private void Upsert(string table, string key, string column, string name, byte[] value) => _db.Write((c, tx) =>
        SqlDatabase.Execute(c, tx, $"INSERT INTO {table} ({key}, {column}) VALUES (@k, @v) ON CONFLICT ({key}) DO UPDATE SET {column} = excluded.{column}", ("k", name), ("v", value)));

    /// <summary>Closes the database.</summary>
    public void Dispose() => _db.Dispose();
}
