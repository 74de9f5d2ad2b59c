using System.Runtime.InteropServices;

namespace Engine.Cli.Commands;

/// <summary>
/// Stops a server command on Ctrl+C, SIGTERM, or after <c>--run-for</c> seconds (for scripts and CI), whichever comes
/// first; <paramref name="outer"/> (tests) also stops it.
/// </summary>
internal sealed class ShutdownSignal : IDisposable
{
    private readonly CancellationTokenSource _source;
    private readonly PosixSignalRegistration? _sigterm;
    private readonly ConsoleCancelEventHandler _ctrlC;

    public ShutdownSignal(double runForSeconds, CancellationToken outer)
    {
        _source = CancellationTokenSource.CreateLinkedTokenSource(outer);
        if (runForSeconds > 0) _source.CancelAfter(TimeSpan.FromSeconds(runForSeconds));
        _ctrlC = (_, e) => { e.Cancel = true; _source.Cancel(); };
        Console.CancelKeyPress += _ctrlC;
        try { _sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; _source.Cancel(); }); }
        catch (PlatformNotSupportedException) { }
    }

    public CancellationToken Token => _source.Token;

    /// <summary>Completes when the server should stop.</summary>
    public Task WaitAsync() => Task.Delay(Timeout.Infinite, _source.Token).ContinueWith(_ => { }, TaskScheduler.Default);

    public void Dispose()
    {
        Console.CancelKeyPress -= _ctrlC;
        _sigterm?.Dispose();
        _source.Dispose();
    }
}
