using System.Collections.Concurrent;
using System.IO.Hashing;
using System.Security.Cryptography;
using Engine.Primitives.Replay;
using K4os.Hash.xxHash;

namespace Engine.Bench.Compare;

/// <summary>
/// <c>compare replay</c>: the replay cache's fingerprint (XXH3-64 from System.IO.Hashing, seeded) against XXH64 from
/// K4os.Hash.xxHash, the design's hashing package, on identifier lengths the protocols use (16-byte nonces,
/// 32-byte packet ids); and <see cref="ReplayCache.TryAdd(ReadOnlySpan{byte}, DateTimeOffset, DateTimeOffset)"/>
/// against a <see cref="ConcurrentDictionary{TKey, TValue}"/> of the same fingerprints, the obvious alternative.
/// </summary>
internal static class ReplayComparison
{
    public static int Run(TextWriter output, bool quick)
    {
        int rounds = quick ? 3 : 7, roundMs = quick ? 60 : 200;
        output.WriteLine($"# compare replay — {DateTime.UtcNow:yyyy-MM-dd}, {CompareRunner.CpuModel()}, .NET {Environment.Version}, one thread");
        output.WriteLine();
        output.WriteLine("| operation | engine ns | reference ns | ratio |");
        output.WriteLine("|---|---:|---:|---:|");
        const long seed = 0x1E3779B97F4A7C15;
        const int batch = 1024;
        foreach (int length in new[] { 16, 32, 64 })
        {
            byte[] ids = RandomNumberGenerator.GetBytes(length * batch);
            ulong sink = 0;
            double[] t = CompareRunner.Measure(
            [
                () => { for (int i = 0; i < batch; i++) sink ^= XxHash3.HashToUInt64(ids.AsSpan(i * length, length), seed); },
                () => { for (int i = 0; i < batch; i++) sink ^= Xxh64(ids.AsSpan(i * length, length), (ulong)seed); },
            ], rounds, roundMs);
            GC.KeepAlive(sink);
            output.WriteLine($"| fingerprint of a {length}-byte id: XXH3-64 (System.IO.Hashing) vs XXH64 (K4os) | {t[0] * 1e3 / batch:F1} | {t[1] * 1e3 / batch:F1} | **{t[0] / t[1]:F2}** |");
        }

        const int ids16 = 1 << 16;
        byte[] pool = RandomNumberGenerator.GetBytes(16 * ids16);
        var cache = new ReplayCache(ids16 * 2);
        var dictionary = new ConcurrentDictionary<ulong, long>();
        var now = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        long tick = 0;
        // Each pass moves the clock past the previous pass's expiry, so both tables stay at one pass of live entries.
        double[] c = CompareRunner.Measure(
        [
            () =>
            {
                DateTimeOffset at = now.AddSeconds(++tick * 10);
                for (int i = 0; i < ids16; i++) cache.TryAdd(pool.AsSpan(i * 16, 16), at.AddSeconds(5), at);
            },
            () =>
            {
                long at = ++tick;
                dictionary.Clear();
                for (int i = 0; i < ids16; i++) dictionary.TryAdd(XxHash3.HashToUInt64(pool.AsSpan(i * 16, 16), seed), at);
            },
        ], rounds, roundMs);
        output.WriteLine($"| replay cache TryAdd, 16-byte ids, 65,536 live vs ConcurrentDictionary&lt;ulong, long&gt; | {c[0] * 1e3 / ids16:F1} | {c[1] * 1e3 / ids16:F1} | **{c[0] / c[1]:F2}** |");
        return 0;
    }

    private static unsafe ulong Xxh64(ReadOnlySpan<byte> data, ulong seed)
    {
        fixed (byte* p = data) return XXH64.DigestOf(p, data.Length, seed);
    }
}
