using Engine.Cluster.TwoServer;
using Spectre.Console;

namespace Engine.Cli.Commands;

/// <summary>
/// <c>engine simulate two-server --mode cluster</c>: S1 and S2 each as an Orleans cluster of <c>--silos</c> silos and as
/// many frontends on loopback, state in two scratch PostgreSQL databases, <c>--groups</c> groups of users driven
/// through the frontends for <c>--rounds</c> rounds. Prints throughput and each silo's load; with a list of silo
/// counts, one run per count.
/// </summary>
internal static class SimulateTwoServerClusterCommand
{
    public static int Run(TextWriter output, string silosText, int groups, int groupSize, int rounds, int block, string? postgres, FileInfo? json)
    {
        if (string.IsNullOrWhiteSpace(postgres))
            return Fail(output, "cluster mode needs a PostgreSQL server: --postgres \"Host=…;Username=…\" or $ENGINE_POSTGRES (`eval \"$(.ci/postgres-start)\"` starts a local one and sets $ENGINE_TEST_POSTGRES)");
        var counts = new List<int>();
        foreach (string part in silosText.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!int.TryParse(part, out int k) || k is < 1 or > 8) return Fail(output, $"--silos takes 1 to 8 silos, not '{part}'");
            counts.Add(k);
        }
        if (counts.Count == 0) return Fail(output, "--silos is empty");
        IAnsiConsole console = DemoCommand.CreateConsole(output);
        console.MarkupLine($"[bold]simulate two-server --mode cluster[/]: S1 and S2 each an Orleans cluster on loopback (state in PostgreSQL), {groups} groups of {groupSize}, {rounds} round(s), B = {block}, silos {string.Join(", ", counts)}");
        console.MarkupLine($"[grey]{Environment.ProcessorCount} cores shared by every silo, frontend and user: this shows the cluster's overhead, not its scaling.[/]");
        var reports = new List<TwoServerClusterReport>();
        // The reference first: the single-process servers on the same PostgreSQL server, the same users and rounds.
        foreach (int k in counts.Prepend(0))
        {
            try
            {
                using ScratchDatabases databases = ScratchDatabases.Create(postgres);
                reports.Add(TwoServerClusterSimulation.RunAsync(databases.ConnectionStrings[0], databases.ConnectionStrings[1], k, groups, groupSize, rounds, block).GetAwaiter().GetResult());
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or Npgsql.NpgsqlException or OrleansException)
            {
                return Fail(output, e.Message);
            }
        }
        var summary = new Table().AddColumns("servers", "setup", "uploads / s", "÷ single", "fetches / s", "÷ single", "inbox bytes / round", "delivered", "failures");
        TwoServerClusterReport reference = reports[0];
        foreach (TwoServerClusterReport r in reports)
            summary.AddRow(r.Silos == 0 ? "single process" : $"{r.Silos} silo(s) each", $"{r.SetupSeconds:F1} s", $"{r.UploadsPerSecond:F0}", $"{r.UploadsPerSecond / reference.UploadsPerSecond:F2}",
                           $"{r.FetchesPerSecond:F0}", $"{r.FetchesPerSecond / reference.FetchesPerSecond:F2}", $"{r.InboxBytesPerRound:N0}", $"{r.Delivered}/{r.Expected}", $"{r.Failures}");
        console.Write(summary);
        var perSilo = new Table().AddColumns("silos", "server", "silo", "groups activated", "uploads stored", "bytes to frontends / round", "group-rounds read");
        foreach (TwoServerClusterReport r in reports.Skip(1))
            foreach (SiloReport s in r.PerSilo)
                perSilo.AddRow($"{r.Silos}", $"S{s.Server}", $"{s.Silo}", $"{s.GroupActivations}", $"{s.Uploads}", $"{s.BytesServed / r.Rounds:N0}", $"{s.RoundsServed}");
        console.Write(perSilo);
        if (json is not null) File.WriteAllText(json.FullName, System.Text.Json.JsonSerializer.Serialize(reports, new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
        return reports.All(r => r.Delivered == r.Expected && r.Failures == 0) ? 0 : 1;
    }

    private static int Fail(TextWriter output, string message)
    {
        output.WriteLine($"error: {message}");
        return 1;
    }
}
