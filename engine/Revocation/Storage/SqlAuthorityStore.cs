using System.Data.Common;
using Engine.Storage;

namespace Engine.Revocation.Storage;

/// <summary>
/// A Protocol 4 authority's durable state (issue #15) in SQLite or PostgreSQL: the whole of
/// <c>Authority.ExportState</c> (its master secrets, the user registry, queued key updates, the ring and the CSPs'
/// update-key log), sealed by a <see cref="SecretSealer"/> under the operator's state key, so the secrets are never
/// written in the clear. Each <see cref="Save(ReadOnlySpan{byte})"/> replaces the row in one transaction committed before it returns: the
/// server saves before it answers a request that changed the state, so what it acknowledged survives kill -9.
/// </summary>
public sealed class SqlAuthorityStore : IDisposable
{
    /// <summary>The schema's component name in <c>schema_versions</c>.</summary>
    public const string Component = "abe-authority";

    private readonly SqlDatabase _db;
    private readonly SecretSealer _sealer;
    private readonly string _context;

    /// <summary>Opens (creating or migrating) the store of the authority <paramref name="name"/>; the database is then this store's, the sealer stays the caller's.</summary>
    public SqlAuthorityStore(SqlDatabase database, SecretSealer sealer, string name)
    {
        (_db, _sealer, Name, _context) = (database, sealer, name, "abe-authority/" + name);
        _db.Migrate(Component,
        [
            $"CREATE TABLE abe_authority (name TEXT PRIMARY KEY, revision BIGINT NOT NULL, state_sealed {database.BlobType} NOT NULL)",
        ]);
    }

    /// <summary>Opens the store at <paramref name="location"/>: a data directory (file <c>abe-authority.db</c>) or a PostgreSQL connection string.</summary>
    public static SqlAuthorityStore Open(string location, SecretSealer sealer, string name) => new(SqlDatabase.Open(location, "abe-authority.db"), sealer, name);

    /// <summary>The authority whose state this is.</summary>
    public string Name { get; }

    /// <summary>Where the state lives.</summary>
    public string Description => _db.Description;

    /// <summary>How many times the state was saved.</summary>
    public long Revision => _db.Read(c => SqlDatabase.Scalar(c, null, "SELECT revision FROM abe_authority WHERE name = @n", ("n", Name)) as long? ?? 0);

    /// <summary>
    /// The saved state in a pinned array the caller wipes, or null when nothing was saved yet.
    /// </summary>
    /// <exception cref="InvalidDataException">The sealed state does not open (another state key, or altered data).</exception>
    public byte[]? Load()
    {
        byte[]? sealedState = _db.Read(c => SqlDatabase.Scalar(c, null, "SELECT state_sealed FROM abe_authority WHERE name = @n", ("n", Name)) as byte[]);
        if (sealedState is null) return null;
        byte[] state = GC.AllocateArray<byte>(Math.Max(0, sealedState.Length - SecretSealer.Overhead), pinned: true);
        if (_sealer.Open(sealedState, _context, state) != EngineStatus.Ok)
            throw new InvalidDataException($"{Description}: the state of authority '{Name}' does not open under this state key (another key file, or altered data).");
        return state;
    }

    /// <summary>Seals and commits <paramref name="state"/> (the caller wipes it).</summary>
    public void Save(ReadOnlySpan<byte> state)
    {
        byte[] sealedState = _sealer.Seal(state, _context);
        _db.Write((c, tx) => SqlDatabase.Execute(c, tx,
            """
            INSERT INTO abe_authority (name, revision, state_sealed) VALUES (@n, 1, @s)
            ON CONFLICT (name) DO UPDATE SET revision = abe_authority.revision + 1, state_sealed = excluded.state_sealed
            """, ("n", Name), ("s", sealedState)));
    }

    /// <summary>Exports, seals and commits <paramref name="authority"/>'s whole state, wiping the exported copy.</summary>
    public void Save(Roles.Authority authority)
    {
        byte[] state = authority.ExportState();
        try { Save(state); }
        finally { System.Security.Cryptography.CryptographicOperations.ZeroMemory(state); }
    }

    /// <summary>Closes the database.</summary>
    public void Dispose() => _db.Dispose();
}
