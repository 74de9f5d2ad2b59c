using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Engine.Primitives.Hashing;
using Engine.Tests.Support;
using NUnit.Framework;

namespace Engine.Tests.Primitives;

/// <summary>XXH64 and XXH3-64 against the published sanity vectors and against Debian's xxhsum.</summary>
[TestFixture, NonParallelizable]
public sealed class XxHashTests
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
        foreach (string algorithm in new[] { "xxh64", "xxh3_64" })
            foreach (JsonElement v in doc.RootElement.GetProperty(algorithm).EnumerateArray())
            {
                int len = v.GetProperty("len").GetInt32();
                string seedName = v.GetProperty("seed").GetString()!;
                ulong seed = seedName switch { "0" => 0, "PRIME32" => 2654435761, "PRIME64" => 11400714785074694797, _ => throw new FormatException(seedName) };
                ulong hash = ulong.Parse(v.GetProperty("hash").GetString()!, NumberStyles.HexNumber);
                yield return new TestCaseData(algorithm, len, seed, hash).SetName($"{algorithm}_len{len}_seed{seedName}");
            }
    }

    [TestCaseSource(nameof(SanityVectors)), Category("Vectors"), Category("Kernels")]
    public void Hash_MatchesThePublishedSanityVectors(string algorithm, int length, ulong seed, ulong expected)
    {
        byte[] data = SanityBuffer(length);
        ulong actual = algorithm == "xxh64" ? XxHash64.Hash(data, seed) : XxHash3.Hash(data, seed);
        Assert.That(actual.ToString("X16"), Is.EqualTo(expected.ToString("X16")));
    }

    [TestCase(241), TestCase(1024), TestCase(1025), TestCase(5000), TestCase(70001)]
    [Category("Kernels")]
    public void LongPathKernels_AgreeWithTheScalarReference(int length)
    {
        if (!System.Runtime.Intrinsics.X86.Avx2.IsSupported) Assert.Ignore("no AVX2 on this CPU");
        var rng = new Random(length);
        byte[] data = new byte[length];
        rng.NextBytes(data);
        ReadOnlySpan<byte> secret = XxHash3.DefaultSecret;
        ulong[] expected = XxHash3.InitialAccumulators.ToArray();
        XxHash3Accumulator.Run(data, secret, expected, XxHash3Accumulator.Kind.Scalar);
        ulong[] avx2 = XxHash3.InitialAccumulators.ToArray();
        XxHash3Accumulator.Run(data, secret, avx2, XxHash3Accumulator.Kind.Vector256);
        Assert.That(avx2, Is.EqualTo(expected), "AVX2");
        if (System.Runtime.Intrinsics.X86.Avx512F.IsSupported)
        {
            ulong[] avx512 = XxHash3.InitialAccumulators.ToArray();
            XxHash3Accumulator.Run(data, secret, avx512, XxHash3Accumulator.Kind.Vector512);
            Assert.That(avx512, Is.EqualTo(expected), "AVX-512");
        }
        ulong accelerated = XxHash3.Hash(data);
        using (new KernelScope(Tier.Scalar)) Assert.That(XxHash3.Hash(data), Is.EqualTo(accelerated), "ForceScalar");
        using (new KernelScope(Tier.No512)) Assert.That(XxHash3.Hash(data), Is.EqualTo(accelerated), "ForceNo512");
    }

    [Test, Category("Differential")]
    public void Hash_MatchesXxhsum_OnEveryLengthClass()
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
            foreach ((string flag, Func<byte[], ulong> hash) in new (string, Func<byte[], ulong>)[] { ("-H1", d => XxHash64.Hash(d)), ("-H3", d => XxHash3.Hash(d)) })
            {
                Dictionary<string, string> reference = RunXxhsum(xxhsum, flag, files.Select(f => f.Path));
                foreach ((string path, byte[] data) in files)
                    Assert.That(hash(data).ToString("x16"), Is.EqualTo(reference[path]), $"{flag}, {data.Length} bytes");
            }
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
