using Engine.Simulations;
using Spectre.Console;

namespace Engine.Cli.Commands;

/// <summary>Prints what a simulation's <see cref="MetricsRecorder"/> saw: the same instruments <c>serve … --metrics-port</c> exports.</summary>
internal static class MetricsTable
{
    /// <summary>A table of the role servers' and the batch schedulers' figures (nothing when none were recorded).</summary>
    public static void Write(IAnsiConsole console, MetricsRecorder recorder)
    {
        IReadOnlyList<RoleFigures> roles = recorder.Roles;
        IReadOnlyList<SchedulerFigures> schedulers = recorder.Schedulers;
        if (roles.Count == 0 && schedulers.Count == 0) return;
        var table = new Table().Title("server metrics (engine.role.*, engine.batch.*)").AddColumns("role or scheduler", "requests / batches", "refused / items", "latency p50 / p99, mean batch, queue delay p50 / max");
        foreach (RoleFigures r in roles)
            table.AddRow(Markup.Escape(r.Role), $"{r.Requests}", $"{r.Refusals}", $"{r.LatencyP50:F2} / {r.LatencyP99:F2} ms");
        foreach (SchedulerFigures s in schedulers)
            table.AddRow(Markup.Escape($"batch {s.Scheduler}"), $"{s.Batches}", $"{s.Items}", $"{s.MeanBatch:F1} per batch, {s.QueueDelayP50:F2} / {s.QueueDelayMax:F2} ms");
        console.Write(table);
    }
}
