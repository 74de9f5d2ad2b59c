using Engine.Simulations;
using System.CommandLine;
using Engine.Cli.Charts;
using Engine.Hosting.TwoServer;
using Spectre.Console;

namespace Engine.Cli.Commands;

/// <summary>
/// <c>engine simulate two-server</c>: the paper's experiments (Figures 2, 3, 5, 6) for a list of group sizes, in
/// process (the same sharing, fan-out and reconstruction code as the servers). Prints a table with a progress bar,
/// writes <c>--json</c> and a self-contained HTML report with SVG charts (<c>--report</c>).
/// </summary>
internal static class SimulateTwoServerCommand
{
    public static Command Create(TextWriter output)
    {
        var sizes = new Option<string>("--sizes") { Description = "Comma-separated group sizes (the paper's: 500,1000,2000,5000,10000).", DefaultValueFactory = _ => "500,1000,2000,5000,10000" };
        var sample = new Option<int>("--sample") { Description = "Members whose inboxes are built and reconstructed per size (scaled to n).", DefaultValueFactory = _ => 8 };
        var block = new Option<int>("--block") { Description = "Message block size B in bytes (multiple of 8, 16 to 1016).", DefaultValueFactory = _ => 256 };
        var fraction = new Option<double>("--subgroup-fraction") { Description = "κ as a fraction of n for subgroup messages.", DefaultValueFactory = _ => 0.25 };
        var million = new Option<int>("--million-group") { Description = "Group size for the one-million-user extrapolation (Figure 3).", DefaultValueFactory = _ => 1000 };
        var json = new Option<FileInfo?>("--json") { Description = "Also write the figures as JSON to this file." };
        var report = new Option<FileInfo?>("--report") { Description = "Write a self-contained HTML report with the figures as SVG charts." };
        var figures = new Option<DirectoryInfo?>("--figures") { Description = "Also write each figure as a PNG file into this directory." };
        var repeat = new Option<int>("--repeat") { Description = "Measured runs per group size after the warm-up (median and min–max reported).", DefaultValueFactory = _ => 3 };
        var mode = new Option<string>("--mode") { Description = "in-process (the paper's figures, large groups), loopback (S1, S2 and every user over TCP on 127.0.0.1) or cluster (S1 and S2 each an Orleans cluster on PostgreSQL).", DefaultValueFactory = _ => "in-process" };
        var silos = new Option<string>("--silos") { Description = "Cluster mode: silos (and frontends) per server, or a comma-separated list to compare.", DefaultValueFactory = _ => "3" };
        var groups = new Option<int>("--groups") { Description = "Cluster mode: how many groups (of the first --sizes users each).", DefaultValueFactory = _ => 12 };
        var postgres = new Option<string?>("--postgres") { Description = "Cluster mode: a PostgreSQL server's connection string (a role that may create databases; default $ENGINE_POSTGRES). Two scratch databases are created there and dropped after." };
        var rounds = new Option<int>("--rounds") { Description = "Loopback mode: measured rounds per group size after a warm-up (median and min–max per message).", DefaultValueFactory = _ => 3 };
        var batchSignatures = new Option<bool>("--batch-signatures") { Description = "Loopback mode: the servers check upload signatures in batches (see EngineHostOptions.BatchSignatures)." };
        var command = new Command("two-server", "Protocol 2: two-server XOR secret-sharing messaging, the paper's experiments (SPEC.md §2).");
        foreach (Option o in new Option[] { mode, sizes, sample, block, fraction, million, repeat, rounds, batchSignatures, json, report, figures, silos, groups, postgres }) command.Options.Add(o);
        command.SetAction(r => r.GetValue(mode) switch
        {
            "in-process" => Run(output, r.GetValue(sizes)!, r.GetValue(sample), r.GetValue(block), r.GetValue(fraction), r.GetValue(million), r.GetValue(json), r.GetValue(report), r.GetValue(repeat), r.GetValue(figures)),
            "loopback" => RunLoopback(output, r.GetResult(sizes) is null ? "20,50,100" : r.GetValue(sizes)!, r.GetValue(rounds), r.GetValue(block), r.GetValue(json), r.GetValue(batchSignatures)),
            "cluster" => SimulateTwoServerClusterCommand.Run(output, r.GetValue(silos)!, r.GetValue(groups), r.GetResult(sizes) is null ? 20 : ParseSizes(output, r.GetValue(sizes)!)?.FirstOrDefault() ?? 0,
                                                             r.GetValue(rounds), r.GetValue(block), r.GetValue(postgres) ?? Environment.GetEnvironmentVariable("ENGINE_POSTGRES"), r.GetValue(json)),
            var other => Fail(output, $"--mode is in-process, loopback or cluster, not '{other}'"),
        });
        return command;
    }

    private static int Fail(TextWriter output, string message)
    {
        output.WriteLine($"error: {message}");
        return 1;
    }

    private static List<int>? ParseSizes(TextWriter output, string text)
    {
        var sizes = new List<int>();
        foreach (string part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!int.TryParse(part, out int n)) { Fail(output, $"'{part}' is not a group size"); return null; }
            sizes.Add(n);
        }
        return sizes;
    }

    internal static int RunLoopback(TextWriter output, string sizesText, int rounds, int block, FileInfo? json, bool batching = false)
    {
        List<int>? sizes = ParseSizes(output, sizesText);
        if (sizes is null) return 1;
        IAnsiConsole console = DemoCommand.CreateConsole(output);
        using var metrics = new MetricsRecorder();
        console.MarkupLine($"[bold]simulate two-server --mode loopback[/]: S1 and S2 on 127.0.0.1, group sizes {string.Join(", ", sizes)}, {rounds} measured rounds after a warm-up (medians), B = {block}; every user on its own TCP connections{(batching ? "; upload signatures checked in batches" : "")}");
        IReadOnlyList<TwoServerLoopbackSizeReport> reports;
        try
        {
            IReadOnlyList<TwoServerLoopbackSizeReport>? result = null;
            console.Progress().AutoClear(true).Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                .Start(ctx =>
                {
                    ProgressTask task = ctx.AddTask("setups and rounds", maxValue: sizes.Count * (rounds + 1));
                    result = TwoServerLoopbackSimulation.RunAsync(sizes, rounds, block, (done, _) => task.Value = done, batching: batching).GetAwaiter().GetResult();
                });
            reports = result!;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            return Fail(output, e.Message);
        }
        var table = new Table().AddColumns("n", "setup (register, join, session)", "uploads / round", "fetch + reconstruct / round", "per message (median, min–max)", "delivered", "requests (refused)", "failures");
        foreach (TwoServerLoopbackSizeReport s in reports)
            table.AddRow($"{s.GroupSize}", $"{s.SetupSeconds:F2} s", $"{s.UploadMsPerRound:F0} ms", $"{s.FetchMsPerRound:F0} ms", $"{s.MessageMsAmortised:F2} ms ({s.MessageMsMin:F2}–{s.MessageMsMax:F2})",
                         $"{s.Delivered}/{s.Expected}", $"{s.ServerRequests} ({s.ServerRefusals})", $"{s.Failures}");
        console.Write(table);
        MetricsTable.Write(console, metrics);
        if (json is not null) File.WriteAllText(json.FullName, System.Text.Json.JsonSerializer.Serialize(reports, new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
        return reports.All(s => s.Delivered == s.Expected && s.Failures == 0 && s.ServerRefusals == 0) ? 0 : 1;
    }

    internal static int Run(TextWriter output, string sizesText, int sample, int block, double fraction, int million, FileInfo? json, FileInfo? reportFile,
                             int repeat = 3, DirectoryInfo? figures = null)
    {
        List<int>? sizes = ParseSizes(output, sizesText);
        if (sizes is null) return 1;
        IAnsiConsole console = DemoCommand.CreateConsole(output);
        console.MarkupLine($"[bold]simulate two-server[/]: in process, group sizes {string.Join(", ", sizes)}, B = {block}, one message per member per round, {sample} sampled members per size, median of {repeat} run(s) per size after a warm-up");
        TwoServerSimulationReport report;
        try
        {
            var options = new TwoServerSimulationOptions(sizes, sample, block, fraction, million, repeat);
            TwoServerSimulationReport? result = null;
            console.Progress().AutoClear(true).Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                .Start(ctx =>
                {
                    ProgressTask task = ctx.AddTask("group sizes", maxValue: sizes.Distinct().Append(million).Distinct().Count());
                    result = TwoServerSimulation.Run(options, (done, _) => task.Value = done);
                });
            report = result!;
        }
        catch (ArgumentException e)
        {
            output.WriteLine($"error: {e.Message}");
            return 1;
        }
        var table = new Table().AddColumns("n", "per message", "min–max", "generation / msg", "fan-out / inbox", "reconstruct / inbox", "round CPU", "server bytes / msg", "subgroup / recipient", "dial (κ = n)", "failures");
        foreach (TwoServerSizeReport s in report.Sizes)
        {
            (double low, double high) = s.Spread(x => x.MessageMsAmortised);
            table.AddRow($"{s.GroupSize}", $"{s.MessageMsAmortised:F3} ms", $"{low:F2}–{high:F2}", $"{s.GenerationMsPerMessage:F3} ms", $"{s.FanOutMsPerInbox:F2} ms", $"{s.ReconstructMsPerInbox:F2} ms",
                         $"{s.RoundCpuMs / 1000:F1} s", $"{s.ServerBytesPerMessage / 1e6:F2} MB", $"{s.SubgroupMsPerRecipient:F3} ms", $"{s.DialMs:F0} ms", $"{s.Failures}");
        }
        console.Write(table);
        console.MarkupLine($"one million users as groups of {report.MillionUsersGroupSize}: {report.MillionUsersRoundCpuSeconds:F0} s of CPU per round, {report.MillionUsersMessageMs:F3} ms per message [grey](extrapolated)[/]");
        console.MarkupLine($"[grey]{Markup.Escape(report.Method)}[/]");
        if (json is not null) File.WriteAllText(json.FullName, TwoServerSimulation.ToJson(report));
        if (reportFile is not null) File.WriteAllText(reportFile.FullName, TwoServerHtmlReport.Render(report));
        if (figures is not null) HtmlReport.SavePngs(TwoServerHtmlReport.Figures(report), figures);
        return report.Sizes.Any(s => s.Failures > 0) ? 1 : 0;
    }
}
