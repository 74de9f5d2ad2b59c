using Spectre.Console;

namespace Engine.Cli.Commands;

/// <summary>The simulations' progress display: one bar per measured point, fed by the simulation's (point, done, total) callback.</summary>
internal static class SimulationProgress
{
    public static T Run<T>(IAnsiConsole console, Func<Action<string, int, int>, Task<T>> simulation)
    {
        T? result = default;
        console.Progress().AutoClear(true).Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(ctx =>
            {
                var tasks = new Dictionary<string, ProgressTask>();
                result = simulation((label, done, total) =>
                {
                    lock (tasks)
                    {
                        if (!tasks.TryGetValue(label, out ProgressTask? task)) tasks[label] = task = ctx.AddTask(label, maxValue: total);
                        task.Value = done;
                    }
                }).GetAwaiter().GetResult();
            });
        return result!;
    }
}
