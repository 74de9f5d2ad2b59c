using Engine.Storage;

namespace Engine.IotAuth.Storage;

/// <summary>
/// <see cref="IOperationCenterSharedState"/> in PostgreSQL (several OC processes or machines) or SQLite (several
/// processes on one machine). Taking a challenge is one <c>DELETE</c> whose row count says who won; remembering a
/// proof is one insert that a second instance's identical insert cannot repeat. The challenges are stored sealed by
/// the OC (AES-GCM): the database never sees an ephemeral a in the clear.
/// </summary>
public sealed class SqlOperationCenterSharedState : IOperationCenterSharedState, IDisposable
{
    /// <summary>The schema's component name in <c>schema_versions</c>.</summary>
    public const string Component = "iot-oc-shared";

    private readonly SqlDatabase _db;
    private readonly int _maxChallenges, _maxReplays;

    /// <summary>Opens (creating or migrating) the tables in <paramref name="database"/>, which it then owns.</summary>
    public SqlOperationCenterSharedState(SqlDatabase database, int maxChallenges = 100_000, int maxReplays = 1_000_000)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxChallenges, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxReplays, 1);
        (_db, _maxChallenges, _maxReplays) = (database, maxChallenges, maxReplays);
        string blob = database.BlobType;
        _db.Migrate(Component,
        [
            $"""
            CREATE TABLE oc_shared_challenges (nonce {blob} PRIMARY KEY, sealed {blob} NOT NULL, expires BIGINT NOT NULL);
            CREATE INDEX oc_shared_challenges_expiry ON oc_shared_challenges (expires);
            CREATE TABLE oc_shared_replays (id {blob} PRIMARY KEY, expires BIGINT NOT NULL);
            CREATE INDEX oc_shared_replays_expiry ON oc_shared_replays (expires)
            """,
        ]);
    }

    /// <summary>Opens the tables at <paramref name="location"/>: a data directory (file <c>iot-oc-shared.db</c>) or a PostgreSQL connection string.</summary>
    public static SqlOperationCenterSharedState Open(string location) => new(SqlDatabase.Open(location, "iot-oc-shared.db"));

    /// <inheritdoc/>
    public bool PutChallenge(ReadOnlySpan<byte> nonce, byte[] sealedChallenge, ulong expiresAt)
    {
        byte[] key = nonce.ToArray();
        return _db.Write((c, tx) => SqlDatabase.Execute(c, tx,
            "INSERT INTO oc_shared_challenges (nonce, sealed, expires) SELECT @n, @s, @e WHERE (SELECT COUNT(*) FROM oc_shared_challenges) < @max " +
            "ON CONFLICT (nonce) DO NOTHING", ("n", key), ("s", sealedChallenge), ("e", (long)expiresAt), ("max", (long)_maxChallenges)) == 1);
    }

    /// <inheritdoc/>
    public byte[]? FindChallenge(ReadOnlySpan<byte> nonce)
    {
        byte[] key = nonce.ToArray();
        return _db.Read(c => SqlDatabase.Scalar(c, null, "SELECT sealed FROM oc_shared_challenges WHERE nonce = @n", ("n", key)) as byte[]);
    }

    /// <inheritdoc/>
    public bool TakeChallenge(ReadOnlySpan<byte> nonce)
    {
        byte[] key = nonce.ToArray();
        return _db.Write((c, tx) => SqlDatabase.Execute(c, tx, "DELETE FROM oc_shared_challenges WHERE nonce = @n", ("n", key)) == 1);
    }

    /// <inheritdoc/>
    public bool ContainsReplay(ReadOnlySpan<byte> id)
    {
        byte[] key = id.ToArray();
        return _db.Read(c => SqlDatabase.Scalar(c, null, "SELECT 1 FROM oc_shared_replays WHERE id = @i", ("i", key)) is not null);
    }

    /// <inheritdoc/>
    public EngineStatus TryAddReplay(ReadOnlySpan<byte> id, ulong expiresAt)
    {
        byte[] key = id.ToArray();
        return _db.Write((c, tx) =>
        {
            // Over the bound nothing is remembered and the proof is refused: fails closed, as the in-memory cache does.
            if (SqlDatabase.Execute(c, tx,
                    "INSERT INTO oc_shared_replays (id, expires) SELECT @i, @e WHERE (SELECT COUNT(*) FROM oc_shared_replays) < @max ON CONFLICT (id) DO NOTHING",
                    ("i", key), ("e", (long)expiresAt), ("max", (long)_maxReplays)) == 1)
                return EngineStatus.Ok;
            return SqlDatabase.Scalar(c, tx, "SELECT 1 FROM oc_shared_replays WHERE id = @i", ("i", key)) is not null ? EngineStatus.Replay : EngineStatus.CapacityExceeded;
        });
    }

    /// <inheritdoc/>
    public int Sweep(ulong now) => _db.Write((c, tx) =>
        SqlDatabase.Execute(c, tx, "DELETE FROM oc_shared_challenges WHERE expires < @t", ("t", (long)now))
        + SqlDatabase.Execute(c, tx, "DELETE FROM oc_shared_replays WHERE expires < @t", ("t", (long)now)));

    /// <summary>Closes the database.</summary>
    public void Dispose() => _db.Dispose();
}
