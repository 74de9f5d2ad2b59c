using System.Diagnostics;
using System.Globalization;
using Engine.Interop.Exports;
using Engine.Pairing.Groups;

namespace Engine.Bench.Compare;

/// <summary>
/// <c>compare abi</c> (issue #14): the cost of calling the engine through the C ABI. The same BLS12-381 work, a G1
/// multiplication with its point decoded and validated and its result encoded, and a two-pair pairing check with
/// four points validated, timed from C through libengine.so (NativeAOT; interop/native/tests/abi_bench.c) and from C#
/// on the JIT (the code behind each export), in alternating blocks of the same run. Target: the C ABI within 5 %.
/// </summary>
internal static class AbiComparison
{
    public static int Run(TextWriter output, bool quick)
    {
        string? root = FindRoot();
        string bench = root is null ? "" : Path.Combine(root, "interop", "native", "build", "abi_bench");
        if (!File.Exists(bench))
        {
            output.WriteLine("interop/native/build/abi_bench is missing: run interop/native/build.sh first (it needs cc).");
            return 1;
        }
        int blocks = quick ? 2 : 4, blockMs = quick ? 300 : 800;

        byte[] g1 = new byte[48], g2 = new byte[96], scalar = new byte[32], product = new byte[48], p = new byte[96], q = new byte[192];
        G1Affine.Generator.EncodeCompressed(g1);
        G2Affine.Generator.EncodeCompressed(g2);
        for (int i = 0; i < 32; i++) scalar[i] = (byte)(0x3c + 7 * i);    // the scalar abi_bench uses
        scalar[0] = 0x1f;
        if (CurveExports.G1Multiply(g1, scalar, p.AsSpan(0, 48)) != EngineStatus.Ok) throw new InvalidOperationException("g1_mul");
        p.AsSpan(0, 48).CopyTo(p.AsSpan(48));
        p[48] ^= 0x20;
        g2.CopyTo(q, 0); g2.CopyTo(q, 96);
        if (PairingExports.Check(p, q, 2, out bool holds) != EngineStatus.Ok || !holds) throw new InvalidOperationException("pairing_check_2");

        var ops = new (string Name, string What, Action Managed)[]
        {
            ("g1_mul", "G1 multiplication: decode + validate, [k]P (GLV, constant time), encode", () => CurveExports.G1Multiply(g1, scalar, product)),
            ("pairing_check_2", "pairing check of 2 pairs: 4 points validated, shared final exponentiation", () => PairingExports.Check(p, q, 2, out _)),
        };
        output.WriteLine($"# compare abi — {DateTime.UtcNow:yyyy-MM-dd}, {CompareRunner.CpuModel()}, .NET {Environment.Version}, one thread");
        output.WriteLine($"{blocks} blocks of {blockMs} ms per side, alternating C# / C; µs per call, median of the blocks");
        output.WriteLine();
        output.WriteLine("| operation | C# (JIT) µs | C ABI (libengine.so) µs | C ABI / C# | target |");
        output.WriteLine("|---|---:|---:|---:|---|");
        foreach (var op in ops)
        {
            var managed = new List<double>();
            var native = new List<double>();
            for (int b = 0; b < blocks; b++)
            {
                managed.Add(CompareRunner.Measure([op.Managed], 1, blockMs)[0]);
                native.Add(RunNative(bench, op.Name, blockMs));
            }
            double m = Median(managed), n = Median(native);
            output.WriteLine($"| {op.What} | {m:F1} | {n:F1} | {n / m:F3} | ≤ 1.05 |");
        }
        return 0;
    }

    private static double RunNative(string bench, string op, int milliseconds)
    {
        var info = new ProcessStartInfo(bench, $"{op} {milliseconds}") { RedirectStandardOutput = true };
        using var process = Process.Start(info)!;
        string line = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"abi_bench {op} failed: {line}");
        return double.Parse(line.Split(' ')[1], CultureInfo.InvariantCulture);
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    private static string? FindRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Engine.sln"))) return d.FullName;
        return Directory.Exists("interop") ? Directory.GetCurrentDirectory() : null;
    }
}
