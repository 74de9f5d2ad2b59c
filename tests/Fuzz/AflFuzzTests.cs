using System.Diagnostics;
using NUnit.Framework;

namespace Engine.Tests.Fuzz;

/// <summary>
/// The afl++ run of every target in tests/Fuzz/Harness, bounded (issue #15: "a bounded run in CI"): <c>tests/Fuzz/run-afl</c>
/// with <c>ENGINE_FUZZ_SECONDS</c> per target (15 by default). Skipped, with the reason, where afl-fuzz is not installed.
/// </summary>
[TestFixture, Category("Soak"), NonParallelizable]
public sealed class AflFuzzTests
{
    [Test]
    public void EveryTarget_RunsUnderAfl_WithoutACrash()
    {
        string root = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../.."));
        string script = Path.Combine(root, "tests/Fuzz/run-afl");
        if (!File.Exists(script)) Assert.Ignore($"no {script} (not run from a checkout)");
        string seconds = Environment.GetEnvironmentVariable("ENGINE_FUZZ_SECONDS") ?? "15";
        var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = root };
        info.ArgumentList.Add(script);
        info.ArgumentList.Add(seconds);
        using Process process = Process.Start(info)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync(), errors = process.StandardError.ReadToEndAsync();
        Assert.That(process.WaitForExit(TimeSpan.FromMinutes(20)), Is.True, "run-afl finished");
        if (process.ExitCode == 3) Assert.Ignore("afl-fuzz is not installed (Debian: apt-get install afl++)");
        TestContext.Out.WriteLine(output.Result);
        Assert.That(process.ExitCode, Is.Zero, output.Result + errors.Result);
        Assert.That(output.Result, Does.Contain("frame:").And.Contain("two-server:").And.Contain("0 crashes"));
    }
}
