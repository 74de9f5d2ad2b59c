using Engine.Revocation.Abe;
using Engine.Revocation.Storage;

namespace Engine.Revocation.Roles;

/// <summary>What one run of the update job did.</summary>
/// <param name="Ciphertexts">Ciphertexts rewritten.</param>
/// <param name="Rows">Rows moved to a new attribute version.</param>
/// <param name="Elapsed">Wall time of the run.</param>
public sealed record UpdateJobReport(int Ciphertexts, int Rows, TimeSpan Elapsed);

/// <summary>
/// The accepting CSP's revocation job (SPEC §4.6): every stored ciphertext with rows at an update key's from-version
/// gets those rows rewritten (chains of keys applied in version order) and is committed atomically on its own. The
/// job is resumable by construction: a rerun after a crash finds the committed ciphertexts at their new versions and
/// skips them, and the ones not yet committed still at their old versions. Ciphertexts are processed in parallel.
/// </summary>
public static class CiphertextUpdateJob
{
    /// <summary>Runs the job; <paramref name="progress"/> gets (done, total) after each ciphertext.</summary>
    public static UpdateJobReport Run(ICiphertextStore store, IReadOnlyList<CiphertextUpdateKey> keys, int workers = 0, Action<int, int>? progress = null, CancellationToken cancellationToken = default)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        IReadOnlyList<string> resources = store.Resources();
        var ordered = keys.OrderBy(k => k.Attribute, StringComparer.Ordinal).ThenBy(k => k.FromVersion).ToList();
        int done = 0, ciphertexts = 0, rows = 0;
        var options = new ParallelOptions { MaxDegreeOfParallelism = workers > 0 ? workers : Environment.ProcessorCount, CancellationToken = cancellationToken };
        Parallel.ForEach(resources, options, resource =>
        {
            byte[]? stored = store.Get(resource);
            byte[]? updated = null;
            int changed = stored is null ? 0 : UpdateOne(stored, ordered, out updated);
            if (changed > 0)
            {
                store.Put(resource, updated!);
                Interlocked.Increment(ref ciphertexts);
                Interlocked.Add(ref rows, changed);
            }
            progress?.Invoke(Interlocked.Increment(ref done), resources.Count);
        });
        return new UpdateJobReport(ciphertexts, rows, started.Elapsed);
    }

    /// <summary>
    /// Runs the job as one worker of several sharing <paramref name="store"/> (threads here, or other processes on the same
    /// database): ciphertexts are claimed a few at a time for <paramref name="lease"/>, updated, and completed; each is
    /// updated by exactly one worker, and one whose worker died is claimed again once its lease ran out. The report
    /// counts what this worker committed. <paramref name="worker"/> names it (unique among the workers).
    /// </summary>
    public static UpdateJobReport RunShared(ISharedCiphertextStore store, IReadOnlyList<CiphertextUpdateKey> keys, string worker, int threads = 0,
                                            TimeSpan? lease = null, int batch = 8, Action<int, int>? progress = null, TimeProvider? time = null,
                                            CancellationToken cancellationToken = default)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        var ordered = keys.OrderBy(k => k.Attribute, StringComparer.Ordinal).ThenBy(k => k.FromVersion).ToList();
        string job = JobId(ordered);
        TimeProvider clock = time ?? TimeProvider.System;
        int done = 0, ciphertexts = 0, rows = 0, total = store.Resources().Count;
        var options = new ParallelOptions { MaxDegreeOfParallelism = threads > 0 ? threads : Environment.ProcessorCount, CancellationToken = cancellationToken };
        Parallel.For(0, options.MaxDegreeOfParallelism, options, thread =>
        {
            string me = $"{worker}#{thread}";
            while (!cancellationToken.IsCancellationRequested)
            {
                IReadOnlyList<string> claimed = store.Claim(job, me, batch, lease ?? TimeSpan.FromMinutes(5), clock.GetUtcNow());
                if (claimed.Count == 0) return;
                foreach (string resource in claimed)
                {
                    byte[]? stored = store.Get(resource);
                    byte[]? updated = null;
                    int changed = stored is null ? 0 : UpdateOne(stored, ordered, out updated);
                    if (store.Complete(job, me, resource, changed > 0 ? updated : null) && changed > 0)
                    {
                        Interlocked.Increment(ref ciphertexts);
                        Interlocked.Add(ref rows, changed);
                    }
                    progress?.Invoke(Interlocked.Increment(ref done), total);
                }
            }
        });
        return new UpdateJobReport(ciphertexts, rows, started.Elapsed);
    }

    /// <summary>A job's name: a hash of its keys in order, so every worker given the same keys shares the same job.</summary>
    public static string JobId(IReadOnlyList<CiphertextUpdateKey> orderedKeys)
    {
        using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        foreach (CiphertextUpdateKey key in orderedKeys) hash.AppendData(key.Encode());
        return Convert.ToHexStringLower(hash.GetHashAndReset().AsSpan(0, 16));
    }

    /// <summary>Applies every key that touches <paramref name="ciphertext"/>; 0 (and no output) when none does.</summary>
    public static int UpdateOne(byte[] ciphertext, IReadOnlyList<CiphertextUpdateKey> orderedKeys, out byte[]? updated)
    {
        updated = null;
        using var input = new MemoryStream(ciphertext, writable: false);
        AbeCiphertextHeader header = AbeCiphertextFile.ReadHeader(input);
        int changed = 0;
        foreach (CiphertextUpdateKey key in orderedKeys) changed += CiphertextUpdater.Apply(header, key);
        if (changed == 0) return 0;
        using var output = new MemoryStream(ciphertext.Length);
        AbeCiphertextFile.WriteHeader(output, header);
        input.CopyTo(output);
        updated = output.ToArray();
        return changed;
    }
}
