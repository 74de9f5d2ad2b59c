using System.Diagnostics;
using System.Security.Cryptography;
using Engine.Hosting.Roles;
using Engine.Onion.Keys;
using Engine.Onion.Storage;

namespace Engine.Hosting.Onion;

/// <summary>
/// Several KGC processes on one store (issue #17: Protocol 1's directory on PostgreSQL): each keeps its directory in
/// memory and pulls from the store what the others enrolled and registered, at most once per <see cref="Staleness"/>
/// (and at once when an enrolment collides with another instance's). They hold the same sk_sys (it is in the store,
/// sealed under the state key they share), so a node may enrol at one and fetch the list or register at another.
/// </summary>
public sealed class SharedKgcDirectory(SqlKgcStore store)
{
    private readonly Lock _gate = new();
    private long _lastPull = long.MinValue;

    /// <summary>How old the pulled directory may be before a request pulls again.</summary>
    public TimeSpan Staleness { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Pulls the other instances' enrolments into <paramref name="kgc"/> and their endpoints into <paramref name="role"/> (when stale, or <paramref name="force"/>).</summary>
    /// <exception cref="InvalidDataException">The store holds an enrolment that does not belong to this KGC.</exception>
    public void Pull(KeyGenerationCenter kgc, KgcRole role, bool force = false)
    {
        long now = Stopwatch.GetTimestamp();
        long last = Volatile.Read(ref _lastPull);
        if (!force && last != long.MinValue && Stopwatch.GetElapsedTime(last, now) < Staleness) return;
        lock (_gate)
        {
            IReadOnlyList<(NodeEntry Entry, byte[] PartialKey)> found;
            try { found = store.EnrolmentsNotIn(kgc.EnrolledIds); }
            catch (System.Data.Common.DbException) { return; }          // the store is unreachable: answer from what this instance holds
            try
            {
                if (found.Count > 0 && kgc.Adopt(found) < 0) throw new InvalidDataException($"{store.Description}: an enrolment does not belong to this KGC.");
            }
            finally
            {
                foreach ((_, byte[] partial) in found) CryptographicOperations.ZeroMemory(partial);
            }
            try { role.MergeEndpoints(store.Endpoints()); }
            catch (System.Data.Common.DbException) { return; }
            Volatile.Write(ref _lastPull, now);
        }
    }
}
