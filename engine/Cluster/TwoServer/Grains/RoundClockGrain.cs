namespace Engine.Cluster.TwoServer.Grains;

/// <summary>
/// The round clock: the open round lives in the store (so a reactivation resumes it); with a round length, every call
/// and every reminder tick first closes the rounds the wall clock has passed, so a round closes on time even when no
/// request arrives, and after a crash the reminder brings the clock back on another silo.
/// </summary>
public sealed class RoundClockGrain(ClusterState state) : Grain, IRoundClockGrain, IRemindable
{
    private long _current;

    /// <inheritdoc/>
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _current = state.Store.CurrentRound;
        if (state.RoundLength > TimeSpan.Zero)
            await this.RegisterOrUpdateReminder("round", state.RoundLength, state.RoundLength).ConfigureAwait(true);
        CatchUp();
    }

    /// <inheritdoc/>
    public Task<long> Current() => Task.FromResult(CatchUp());

    /// <inheritdoc/>
    public Task<long> Close() => Task.FromResult(_current = state.Store.CloseRound(ClusterState.RoundsKept));

    /// <inheritdoc/>
    public Task<long> AdvanceTo(long round) => Task.FromResult(_current = state.Store.AdvanceRound(round, ClusterState.RoundsKept));

    /// <inheritdoc/>
    public Task ReceiveReminder(string reminderName, TickStatus status)
    {
        CatchUp();
        return Task.CompletedTask;
    }

    // Round r is open from (r − 1)·T to r·T since the Unix epoch, as in `engine serve two-server`.
    private long CatchUp()
    {
        if (state.RoundLength <= TimeSpan.Zero) return _current;
        long wall = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / (long)state.RoundLength.TotalMilliseconds + 1;
        if (wall > _current) _current = state.Store.AdvanceRound(wall, ClusterState.RoundsKept);
        return _current;
    }
}
