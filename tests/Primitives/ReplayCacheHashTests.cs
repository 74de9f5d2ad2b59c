using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Engine.Primitives.Replay;
using Engine.Tests.Support;
using NUnit.Framework;

namespace Engine.Tests.Primitives;

/// <summary>
/// The replay cache's XXH64 call into K4os.Hash.xxHash, against the published sanity vectors and Debian's xxhsum, so
/// that a wrong call (a dropped seed, a truncated span) is caught.
/// </summary>
[TestFixture, NonParallelizable]
public sealed class ReplayCacheHashTests
{
    private static byte[] SanityBuffer(int length)
    {
        // xsum_sanity_check.c: XSUM_fillTestBuffer.
        var buffer = new byte[length];
        ulong generator = 2654435761;
        for (int i = 0; i < length; i++)
        {
            buffer[i] = (byte)(generator >> 56);
            generator *= 11400714785074694797;
        }
        return buffer;
    }

    public static IEnumerable<TestCaseData> SanityVectors()
    {
        using JsonDocument doc = VectorFiles.Json("xxhash/xsum_sanity_check.json");
        foreach (string algorithm in new[] { "xxh64" })
            foreach (JsonElement v in doc.RootElement.GetProperty(algorithm).EnumerateArray())
            {
                int len = v.GetProperty("len").GetInt32();
                string seedName = v.GetProperty("seed").GetString()!;
                ulong seed = seedName switch { "0" => 0, "PRIME32" => 2654435761, "PRIME64" => 11400714785074694797, _ => throw new FormatException(seedName) };
                ulong hash = ulong.Parse(v.GetProperty("hash").GetString()!, NumberStyles.HexNumber);
                yield return new TestCaseData(algorithm, len, seed, hash).SetName($"{algorithm}_len{len}_seed{seedName}");
            }
    }

    [TestCaseSource(nameof(SanityVectors)), Category("Vectors")]
    public void Xxh64_MatchesThePublishedSanityVectors(string algorithm, int length, ulong seed, ulong expected)
    {
        byte[] data = SanityBuffer(length);
        ulong actual = ReplayCache.Xxh64(data, seed);
        Assert.That(actual.ToString("X16"), Is.EqualTo(expected.ToString("X16")));
    }

    [Test, Category("Differential")]
    public void Xxh64_MatchesXxhsum_OnEveryLengthClass()
    {
        string? xxhsum = new[] { "/usr/bin/xxhsum", "/usr/local/bin/xxhsum" }.FirstOrDefault(File.Exists);
        if (xxhsum is null) Assert.Ignore("xxhsum not installed (apt-get install xxhash); .ci/run installs it");

        var rng = new Random(64);
        var lengths = Enumerable.Range(0, 300).Concat(new[] { 403, 511, 512, 513, 1023, 1024, 1025, 2047, 2048, 2049, 4103, 65536 + 37, 1 << 20 }).ToArray();
        string dir = Directory.CreateTempSubdirectory("xxh-").FullName;
        try
        {
            var files = new List<(string Path, byte[] Data)>();
            foreach (int length in lengths)
            {
                byte[] data = new byte[length];
                rng.NextBytes(data);
                string path = Path.Combine(dir, $"f{length}.bin");
                File.WriteAllBytes(path, data);
                files.Add((path, data));
            }
            Dictionary<string, string> reference = RunXxhsum(xxhsum, "-H1", files.Select(f => f.Path));
            foreach ((string path, byte[] data) in files)
                Assert.That(ReplayCache.Xxh64(data, 0).ToString("x16"), Is.EqualTo(reference[path]), $"{data.Length} bytes");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Runs xxhsum on many files; parses both output styles ("hash  file" and "XXH3 (file) = hash").</summary>
    private static Dictionary<string, string> RunXxhsum(string xxhsum, string flag, IEnumerable<string> paths)
    {
        var info = new ProcessStartInfo(xxhsum) { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(flag);
        foreach (string p in paths) info.ArgumentList.Add(p);
        using Process process = Process.Start(info)!;
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.That(process.ExitCode, Is.Zero, process.StandardError.ReadToEnd());
        var result = new Dictionary<string, string>();
        foreach (string line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.Contains(" = ", StringComparison.Ordinal))
            {
                int open = line.IndexOf('('), close = line.LastIndexOf(')');
                result[line[(open + 1)..close]] = line[(line.LastIndexOf(' ') + 1)..].Trim();
            }
            else
            {
                int space = line.IndexOf(' ');
                result[line[(space + 2)..].Trim()] = line[..space];
            }
        }
        return result;
    }
}
