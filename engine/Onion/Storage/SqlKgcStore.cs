using System.Data.Common;
using System.Net;
using System.Security.Cryptography;
using Engine.Onion.Keys;
using Engine.Storage;

namespace Engine.Onion.Storage;

/// <summary>
/// The KGC's durable state (issue #15: "a restarted KGC keeps its keys"): sk_sys and the list-signing key, every
/// enrolment (ID, sD, u and the issued partial key) and every node's registered endpoint, in SQLite or PostgreSQL
/// (<see cref="SqlDatabase"/>). The three secrets (sk_sys, the list key, each rD) are sealed by a
/// <see cref="SecretSealer"/> under the operator's state key and never written in the clear. An enrolment is
/// committed before its answer leaves the KGC (<see cref="KeyGenerationCenter.Journal"/>), an endpoint before its
/// registration is acknowledged.
/// </summary>
public sealed class SqlKgcStore : IDisposable
{
    /// <summary>The schema's component name in <c>schema_versions</c>.</summary>
    public const string Component = "kgc";

    private readonly SqlDatabase _db;
    private readonly SecretSealer _sealer;

    /// <summary>Opens (creating or migrating) the store in <paramref name="database"/>, which it then owns; <paramref name="sealer"/> stays the caller's.</summary>
    public SqlKgcStore(SqlDatabase database, SecretSealer sealer)
    {
        _db = database;
        _sealer = sealer;
        string blob = database.BlobType;
        _db.Migrate(Component,
        [
            $"""
            CREATE TABLE kgc_state (id BIGINT PRIMARY KEY, grp TEXT NOT NULL, master_public {blob} NOT NULL, master_sealed {blob} NOT NULL, list_sealed {blob} NOT NULL);
            CREATE TABLE kgc_nodes (id TEXT PRIMARY KEY, partial_public {blob} NOT NULL, secret_value_public {blob} NOT NULL, partial_sealed {blob} NOT NULL);
            CREATE TABLE kgc_endpoints (id TEXT PRIMARY KEY, address TEXT NOT NULL, port BIGINT NOT NULL, registered_ms BIGINT NOT NULL)
            """,
        ]);
    }

    /// <summary>Opens the store at <paramref name="location"/>: a data directory (file <c>kgc.db</c>) or a PostgreSQL connection string.</summary>
    public static SqlKgcStore Open(string location, SecretSealer sealer) => new(SqlDatabase.Open(location, "kgc.db"), sealer);

    /// <summary>Where the state lives.</summary>
    public string Description => _db.Description;

    /// <summary>
    /// The KGC this store holds, or a new one (its secrets sealed and committed first) when the store is empty. The
    /// returned KGC journals its enrolments here.
    /// </summary>
    /// <exception cref="InvalidDataException">The state is for another group, or a sealed secret does not open (another state key, or altered data).</exception>
    public KeyGenerationCenter LoadOrCreate(OnionParameters parameters)
    {
        string group = parameters.Group.Name;
        KeyGenerationCenter kgc;
        using (DbConnection c = _db.OpenConnection())
        using (DbTransaction tx = c.BeginTransaction())
        {
            (string Group, byte[] MasterPublic, byte[] Master, byte[] List)? state = null;
            using (DbCommand command = SqlDatabase.Command(c, tx, "SELECT grp, master_public, master_sealed, list_sealed FROM kgc_state WHERE id = 1"))
            using (DbDataReader r = command.ExecuteReader())
                if (r.Read()) state = (r.GetString(0), r.GetFieldValue<byte[]>(1), r.GetFieldValue<byte[]>(2), r.GetFieldValue<byte[]>(3));
            if (state is null)
            {
                kgc = new KeyGenerationCenter(parameters);
                byte[] master = GC.AllocateArray<byte>(32, pinned: true), list = GC.AllocateArray<byte>(32, pinned: true);
                try
                {
                    kgc.ExportSecrets(master, list);
                    SqlDatabase.Execute(c, tx, "INSERT INTO kgc_state (id, grp, master_public, master_sealed, list_sealed) VALUES (1, @g, @p, @m, @l)",
                                        ("g", group), ("p", kgc.MasterPublicKey.ToArray()), ("m", _sealer.Seal(master, "kgc/master")), ("l", _sealer.Seal(list, "kgc/list")));
                }
                finally
                {
                    CryptographicOperations.ZeroMemory(master);
                    CryptographicOperations.ZeroMemory(list);
                }
            }
            else
            {
                if (state.Value.Group != group) throw new InvalidDataException($"{Description}: the KGC state is for group {state.Value.Group}, not {group}.");
                kgc = Restore(c, tx, parameters, state.Value.Master, state.Value.List);
                if (!kgc.MasterPublicKey.SequenceEqual(state.Value.MasterPublic))
                {
                    kgc.Dispose();
                    throw new InvalidDataException($"{Description}: the restored master key does not match the stored pk_sys.");
                }
            }
            tx.Commit();
        }
        kgc.Journal = RecordEnrolment;
        return kgc;
    }

    private KeyGenerationCenter Restore(DbConnection c, DbTransaction tx, OnionParameters parameters, byte[] masterSealed, byte[] listSealed)
    {
        byte[] master = GC.AllocateArray<byte>(32, pinned: true), list = GC.AllocateArray<byte>(32, pinned: true);
        var enrolled = new List<(NodeEntry, byte[])>();
        try
        {
            if (_sealer.Open(masterSealed, "kgc/master", master) != EngineStatus.Ok || _sealer.Open(listSealed, "kgc/list", list) != EngineStatus.Ok)
                throw new InvalidDataException($"{Description}: the KGC's sealed keys do not open under this state key (another key file, or altered data).");
            using (DbCommand command = SqlDatabase.Command(c, tx, "SELECT id, partial_public, secret_value_public, partial_sealed FROM kgc_nodes"))
            using (DbDataReader r = command.ExecuteReader())
                while (r.Read())
                {
                    string id = r.GetString(0);
                    byte[] sealedPartial = r.GetFieldValue<byte[]>(3);
                    byte[] partial = GC.AllocateArray<byte>(Math.Max(0, sealedPartial.Length - SecretSealer.Overhead), pinned: true);
                    if (_sealer.Open(sealedPartial, "kgc/node/" + id, partial) != EngineStatus.Ok)
                        throw new InvalidDataException($"{Description}: the partial key of '{id}' does not open under this state key.");
                    enrolled.Add((new NodeEntry(id, r.GetFieldValue<byte[]>(1), r.GetFieldValue<byte[]>(2)), partial));
                }
            EngineStatus status = KeyGenerationCenter.Restore(parameters, master, list, enrolled, out KeyGenerationCenter? kgc);
            if (status != EngineStatus.Ok) throw new InvalidDataException($"{Description}: the stored KGC state does not restore: {status}.");
            return kgc!;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(master);
            CryptographicOperations.ZeroMemory(list);
            foreach ((_, byte[] partial) in enrolled) CryptographicOperations.ZeroMemory(partial);
        }
    }

    /// <summary>
    /// Commits one enrolment (the KGC calls this under its lock, before answering).
    /// </summary>
    /// <exception cref="EngineException"><see cref="EngineStatus.Replay"/>: another KGC instance on this store enrolled the identity first.</exception>
    public void RecordEnrolment(NodeEntry entry, ReadOnlySpan<byte> partialKey)
    {
        byte[] sealedPartial = _sealer.Seal(partialKey, "kgc/node/" + entry.Id);
        using DbConnection c = _db.OpenConnection();
        if (SqlDatabase.Execute(c, null, "INSERT INTO kgc_nodes (id, partial_public, secret_value_public, partial_sealed) VALUES (@id, @p, @u, @s) ON CONFLICT (id) DO NOTHING",
                                ("id", entry.Id), ("p", entry.PartialPublic), ("u", entry.SecretValuePublic), ("s", sealedPartial)) == 0)
            throw new EngineException(EngineStatus.Replay, $"'{entry.Id}' was enrolled by another instance of this KGC.");
    }

    /// <summary>
    /// The enrolments in the store that <paramref name="known"/> lacks, their partial keys unsealed (pinned; the KGC
    /// that adopts them keeps copies, the caller wipes these): what another KGC instance on this store enrolled.
    /// </summary>
    /// <exception cref="InvalidDataException">A partial key does not open under this state key.</exception>
    public IReadOnlyList<(NodeEntry Entry, byte[] PartialKey)> EnrolmentsNotIn(IReadOnlyCollection<string> known)
    {
        var set = known as IReadOnlySet<string> ?? known.ToHashSet(StringComparer.Ordinal);
        var found = new List<(NodeEntry, byte[])>();
        using DbConnection c = _db.OpenConnection();
        using DbCommand command = SqlDatabase.Command(c, null, "SELECT id, partial_public, secret_value_public, partial_sealed FROM kgc_nodes");
        using DbDataReader r = command.ExecuteReader();
        while (r.Read())
        {
            string id = r.GetString(0);
            if (set.Contains(id)) continue;
            byte[] sealedPartial = r.GetFieldValue<byte[]>(3);
            byte[] partial = GC.AllocateArray<byte>(Math.Max(0, sealedPartial.Length - SecretSealer.Overhead), pinned: true);
            if (_sealer.Open(sealedPartial, "kgc/node/" + id, partial) != EngineStatus.Ok)
                throw new InvalidDataException($"{Description}: the partial key of '{id}' does not open under this state key.");
            found.Add((new NodeEntry(id, r.GetFieldValue<byte[]>(1), r.GetFieldValue<byte[]>(2)), partial));
        }
        return found;
    }

    /// <summary>Commits a node's endpoint and the time of the registration that set it.</summary>
    public void RecordEndpoint(string id, IPEndPoint endpoint, long registeredUnixMs)
    {
        using DbConnection c = _db.OpenConnection();
        SqlDatabase.Execute(c, null,
            "INSERT INTO kgc_endpoints (id, address, port, registered_ms) VALUES (@id, @a, @p, @t) " +
            "ON CONFLICT (id) DO UPDATE SET address = excluded.address, port = excluded.port, registered_ms = excluded.registered_ms",
            ("id", id), ("a", endpoint.Address.ToString()), ("p", (long)endpoint.Port), ("t", registeredUnixMs));
    }

    /// <summary>Every registered endpoint with its registration time.</summary>
    public IReadOnlyList<(string Id, IPEndPoint EndPoint, long RegisteredUnixMs)> Endpoints()
    {
        var list = new List<(string, IPEndPoint, long)>();
        using DbConnection c = _db.OpenConnection();
        using DbCommand command = SqlDatabase.Command(c, null, "SELECT id, address, port, registered_ms FROM kgc_endpoints");
        using DbDataReader r = command.ExecuteReader();
        while (r.Read()) list.Add((r.GetString(0), new IPEndPoint(IPAddress.Parse(r.GetString(1)), (int)r.GetInt64(2)), r.GetInt64(3)));
        return list;
    }

    /// <summary>Closes the database.</summary>
    public void Dispose() => _db.Dispose();
}
