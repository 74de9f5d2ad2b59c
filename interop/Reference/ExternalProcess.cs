using System.Diagnostics;

namespace Engine.Interop.Reference;

/// <summary>
/// Runs a reference implementation outside .NET (node with @chainsafe/blst or @noble/curves, npm) for tests and
/// benchmarks: captures both streams, kills the process tree at the timeout, and reports a missing program as a
/// failure with the reason instead of throwing.
/// </summary>
public static class ExternalProcess
{
    /// <summary>Runs <paramref name="file"/> in <paramref name="directory"/>: (exit code, stdout, stderr); −1 when it could not start or timed out.</summary>
    public static (int Code, string Stdout, string Stderr) Run(string file, string arguments, string directory, TimeSpan timeout)
    {
        var info = new ProcessStartInfo(file, arguments)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        try
        {
            using Process process = Process.Start(info)!;
            Task<string> stdout = process.StandardOutput.ReadToEndAsync();
            Task<string> stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(timeout))
            {
                process.Kill(entireProcessTree: true);
                return (-1, "", $"{file} timed out after {timeout}");
            }
            return (process.ExitCode, stdout.Result, stderr.Result);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (-1, "", $"{file} is not available: {e.Message}");
        }
    }
}
