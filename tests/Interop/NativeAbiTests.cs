using System.Diagnostics;
using System.Numerics;
using System.Text;
using System.Text.Json;
using Engine.Pairing;
using Engine.Tests.Support;
using NUnit.Framework;

namespace Engine.Tests.Interop;

/// <summary>
/// The C ABI from C (issue #14): builds libengine.so with NativeAOT and the C tests with cc
/// (<c>interop/native/build.sh</c>; .ci/run builds them first, so this only checks they are there), writes the published
/// vectors as lines, and runs <c>interop/native/tests/engine_tests.c</c> over them: EIP-2537 pairing and G1
/// multiplication, RFC 9380 hash to G1 and G2, ZCash deserialization, then every status path. Skipped, with the
/// reason, where there is no C compiler.
/// </summary>
[TestFixture, Category("Interop"), NonParallelizable]
public sealed class NativeAbiTests
{
    private string _build = "";

    [OneTimeSetUp]
    public void Build()
    {
        string root = RepositoryRoot();
        _build = Path.Combine(root, "interop", "native", "build");
        if (!OperatingSystem.IsLinux()) Assert.Ignore("the C ABI is built and tested on Linux");
        if (!CommandExists(Environment.GetEnvironmentVariable("CC") ?? "cc")) Assert.Ignore("no C compiler (cc): the C ABI tests need one (Debian: gcc)");
        if (!File.Exists(Path.Combine(_build, "engine_tests")) || !File.Exists(Path.Combine(_build, "two_server_host")))
        {
            (int code, string output) = Run(Path.Combine(root, "interop", "native", "build.sh"), "", TimeSpan.FromMinutes(10));
            Assert.That(code, Is.Zero, "interop/native/build.sh failed:\n" + output);
        }
    }

    [Test]
    public void CTests_PassOnThePublishedVectorsAndEveryStatusPath()
    {
        string vectors = Path.Combine(_build, "vectors.txt");
        int lines = WriteVectorLines(vectors);
        (int code, string output) = Run(Path.Combine(_build, "engine_tests"), vectors, TimeSpan.FromMinutes(5));
        TestContext.Out.WriteLine(output);
        Assert.That(code, Is.Zero, output);
        Assert.That(output, Does.Contain($"c-abi: {lines} vector lines"));
        Assert.That(output, Does.Match(@"c-abi: \d{3,} passed, 0 failed"));
    }

    [Test]
    public void Example_SignsAndVerifies()
    {
        (int code, string output) = Run(Path.Combine(_build, "bls_example"), "", TimeSpan.FromMinutes(1));
        Assert.That(code, Is.Zero, output);
        Assert.That(output.Trim(), Is.EqualTo("signature valid"));
    }

    [Test]
    public void TwoServerHost_RunsProtocol2ThroughTheRoleApi()
    {
        // S1 and S2 as roles, two users over the C program's own transport: a message sent, the round closed, fetched
        // and checked against both servers' signed inboxes; then the role API's refusals.
        (int code, string output) = Run(Path.Combine(_build, "two_server_host"), "", TimeSpan.FromMinutes(2));
        TestContext.Out.WriteLine(output);
        Assert.That(code, Is.Zero, output);
        Assert.That(output, Does.Match(@"two-server-host: \d{2,} passed, 0 failed"));
    }

    [Test]
    public void Library_ExportsEveryFunctionOfTheHeader()
    {
        // Every prototype in engine.h resolves in libengine.so (a header line without an export would link-fail a host).
        string header = File.ReadAllText(Path.Combine(_build, "..", "include", "engine.h"));
        var names = System.Text.RegularExpressions.Regex.Matches(header, @"^\s*(?:const\s+)?[a-z_0-9]+\s*\*?\s*(engine_[a-z0-9_]+)\(", System.Text.RegularExpressions.RegexOptions.Multiline)
                         .Select(m => m.Groups[1].Value).Distinct().ToArray();
        Assert.That(names, Has.Length.GreaterThan(15));
        nint library = System.Runtime.InteropServices.NativeLibrary.Load(Path.Combine(_build, "libengine.so"));
        try
        {
            foreach (string name in names)
                Assert.That(System.Runtime.InteropServices.NativeLibrary.TryGetExport(library, name, out _), Is.True, name);
        }
        finally { System.Runtime.InteropServices.NativeLibrary.Free(library); }
    }

    /// <summary>The vector files as the C test's lines; returns the number of lines.</summary>
    private static int WriteVectorLines(string path)
    {
        var text = new StringBuilder();
        int lines = 0;
        void Line(string l) { text.Append(l).Append('\n'); lines++; }

        using (JsonDocument pairing = VectorFiles.Json("eip2537/blsPairing.json"))
            foreach (JsonElement v in pairing.RootElement.EnumerateArray())
                Line($"pairing {v.GetProperty("Input").GetString()} {(Hex.Decode(v.GetProperty("Expected").GetString()!)[^1] == 1 ? 1 : 0)}");
        using (JsonDocument fails = VectorFiles.Json("eip2537/fail-blsPairing.json"))
            foreach (JsonElement v in fails.RootElement.EnumerateArray())
                Line($"pairing-fail {Empty(v.GetProperty("Input").GetString()!)}");

        BigInteger r = BigInteger.Parse("0" + Bls12381.OrderHex, System.Globalization.NumberStyles.HexNumber);
        using (JsonDocument mul = VectorFiles.Json("eip2537/blsG1Mul.json"))
            foreach (JsonElement v in mul.RootElement.EnumerateArray())
            {
                string input = v.GetProperty("Input").GetString()!;
                if (new BigInteger(Hex.Decode(input[256..]), isUnsigned: true, isBigEndian: true) >= r) continue;   // the C ABI takes scalars < r only
                Line($"g1mul {input} {v.GetProperty("Expected").GetString()}");
            }

        foreach ((string file, string kind) in new[] { ("hash-to-curve/BLS12381G1_XMD_SHA-256_SSWU_RO_.json", "h2g1"), ("hash-to-curve/BLS12381G2_XMD_SHA-256_SSWU_RO_.json", "h2g2") })
        {
            using JsonDocument doc = VectorFiles.Json(file);
            string dst = Convert.ToHexStringLower(Encoding.UTF8.GetBytes(doc.RootElement.GetProperty("dst").GetString()!));
            foreach (JsonElement v in doc.RootElement.GetProperty("vectors").EnumerateArray())
            {
                string msg = Empty(Convert.ToHexStringLower(Encoding.UTF8.GetBytes(v.GetProperty("msg").GetString()!)));
                JsonElement p = v.GetProperty("P");
                // ZCash uncompressed: x ‖ y, and in G2 each coordinate c1 ‖ c0 (the vectors write "c0,c1").
                string Coordinate(string name) => string.Concat(p.GetProperty(name).GetString()!.Split(',').Reverse().Select(c => c[2..].PadLeft(96, '0')));
                Line($"{kind} {msg} {dst} {Coordinate("x")}{Coordinate("y")}");
            }
        }

        foreach ((string file, string kind, string key, int size) in new[] { ("deserialization/deserialization_G1.json", "g1-decode", "pubkey", 48), ("deserialization/deserialization_G2.json", "g2-decode", "signature", 96) })
        {
            using JsonDocument doc = VectorFiles.Json(file);
            foreach (JsonElement v in doc.RootElement.EnumerateArray())
            {
                string hex = v.GetProperty("input").GetProperty(key).GetString()!;
                if (Hex.Decode(hex).Length != size) continue;                    // the C API's sizes are fixed in the prototype
                Line($"{kind} {hex[2..]} {(v.GetProperty("output").GetBoolean() ? "ok" : "fail")} {v.GetProperty("name").GetString()}");
            }
        }
        File.WriteAllText(path, text.ToString());
        return lines;
    }

    private static string Empty(string hex) => hex.Length == 0 ? "-" : hex;

    private static (int Code, string Output) Run(string file, string arguments, TimeSpan timeout)
    {
        var info = new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(info)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync(), stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout)) { process.Kill(entireProcessTree: true); return (-1, "timed out"); }
        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    private static bool CommandExists(string command) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(d => File.Exists(Path.Combine(d, command)));

    internal static string RepositoryRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Engine.sln"))) return d.FullName;
        Assert.Ignore("not run from a checkout (no Engine.sln above the test binaries)");
        return "";
    }
}
