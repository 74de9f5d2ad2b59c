using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using NUnit.Framework;

namespace Engine.Tests.Support;

/// <summary>
/// An <c>engine serve …</c> server as a process of its own, for the crash tests (issue #15): started from the built
/// CLI, awaited until it prints "listening on", and killed with SIGKILL (no shutdown code runs) when a test says so.
/// </summary>
internal sealed class ChildServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log;

    private ChildServer(Process process, StringBuilder log) => (_process, _log) = (process, log);

    /// <summary>What the server printed so far (stdout and stderr).</summary>
    public string Log { get { lock (_log) return _log.ToString(); } }

    /// <summary>A port free at the time of the call, so a restarted server can listen where its clients expect it.</summary>
    public static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>Starts <c>engine serve <paramref name="arguments"/></c>; returns once it listens (fails the test after 60 s).</summary>
    public static async Task<ChildServer> StartAsync(params string[] arguments)
    {
        string dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
        var info = new ProcessStartInfo(dotnet) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in new[] { Path.Combine(AppContext.BaseDirectory, "Engine.Cli.dll"), "serve" }.Concat(arguments)) info.ArgumentList.Add(a);
        Process process = Process.Start(info)!;
        var listening = new TaskCompletionSource();
        var log = new StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); if (e.Data?.Contains("listening on") == true) listening.TrySetResult(); };
        process.ErrorDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new ChildServer(process, log);
        Task done = await Task.WhenAny(listening.Task, process.WaitForExitAsync(), Task.Delay(TimeSpan.FromSeconds(60)));
        if (done != listening.Task)
        {
            await server.KillAsync();
            Assert.Fail($"engine serve {string.Join(' ', arguments)} did not start:\n{server.Log}");
        }
        return server;
    }

    /// <summary>SIGKILL, and waits for the process to be gone.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    /// <summary>Kills the server if it still runs.</summary>
    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }
}
