using Engine.Cli.Commands;
using System.CommandLine;
using Engine.Cli.Charts;
using Engine.Simulations;
using Spectre.Console;

namespace Engine.Cli.Commands.Iot;

/// <summary>
/// <c>engine simulate iot-auth</c>: Protocol 3 end to end over loopback (a CS, an OC and concurrent devices), the
/// paper's cost figures against the number of devices, with a progress bar, a table, <c>--json</c> and an HTML report.
/// </summary>
internal static class SimulateIotCommand
{
    public static Command Create(TextWriter output)
    {
        var devices = new Option<string>("--devices") { Description = "Comma-separated device counts (the paper's x axis).", DefaultValueFactory = _ => "10,50,200" };
        var concurrency = new Option<int>("--concurrency") { Description = "Devices talking to the servers at once (1 to 256).", DefaultValueFactory = _ => 16 };
        var repeat = new Option<int>("--repeat") { Description = "Authentication rounds per point (throughput is their median).", DefaultValueFactory = _ => 3 };
        var json = new Option<FileInfo?>("--json") { Description = "Also write the figures as JSON to this file." };
        var report = new Option<FileInfo?>("--report") { Description = "Write a self-contained HTML report with the figures as SVG charts." };
        var figures = new Option<DirectoryInfo?>("--figures") { Description = "Also write each figure as a PNG file into this directory." };
        var command = new Command("iot-auth", "Protocol 3: trust evaluation, tags and anonymous authentication of IoT devices, over loopback (SPEC.md §3).");
        foreach (Option o in new Option[] { devices, concurrency, repeat, json, report, figures }) command.Options.Add(o);
        command.SetAction(r => Run(output, r.GetValue(devices)!, r.GetValue(concurrency), r.GetValue(repeat), r.GetValue(json), r.GetValue(report), r.GetValue(figures)));
        return command;
    }

    internal static int Run(TextWriter output, string devicesText, int concurrency, int repeat, FileInfo? json, FileInfo? reportFile, DirectoryInfo? figures = null)
    {
        var counts = new List<int>();
        foreach (string part in devicesText.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!int.TryParse(part, out int n)) return IotFiles.Fail(output, $"'{part}' is not a device count");
            counts.Add(n);
        }
        IAnsiConsole console = DemoCommand.CreateConsole(output);
        using var metrics = new MetricsRecorder();
        console.MarkupLine($"[bold]simulate iot-auth[/]: a cloud server, an operation centre and {string.Join(", ", counts)} devices on 127.0.0.1, {concurrency} at a time, {repeat} authentication round(s) per point");
        IotAuthSimulationReport report;
        try
        {
            report = SimulationProgress.Run(console, progress => IotAuthSimulation.RunAsync(new IotAuthSimulationOptions(counts, concurrency, repeat), progress));
        }
        catch (ArgumentException e) { return IotFiles.Fail(output, e.Message); }
        var table = new Table().AddColumns("devices", "OC tag gen. (ms)", "OC proof auth. single / batched (ms)", "device tag check (ms)", "device proof (ms)",
                                           "device→OC bytes", "auth/s batched", "auth/s single", "mean batch", "failures / refusals");
        foreach (IotAuthPointReport p in report.Points)
            table.AddRow($"{p.Devices}", $"{p.OcTagGenerationMs:F1}", $"{p.OcProofAuthenticationMs:F1} / {p.OcProofAuthenticationBatchedMs:F1}", $"{p.DeviceTagCheckMs:F1}",
                         $"{p.DeviceProofGenerationMs:F1}", $"{p.DeviceToOcBytes}", $"{p.AuthenticationsPerSecondBatched:F1} ({p.BatchedMin:F1}–{p.BatchedMax:F1})",
                         $"{p.AuthenticationsPerSecondUnbatched:F1} ({p.UnbatchedMin:F1}–{p.UnbatchedMax:F1})", $"{p.MeanBatchSize:F1}", $"{p.Failures} / {p.Refusals}");
        console.Write(table);
        MetricsTable.Write(console, metrics);
        console.MarkupLine(Markup.Escape($"totals over N devices (one authentication each for the costs and bytes); {report.Method}; {report.Cpu}"));
        if (json is not null) File.WriteAllText(json.FullName, IotAuthSimulation.ToJson(report));
        if (reportFile is not null) File.WriteAllText(reportFile.FullName, IotAuthHtmlReport.Render(report));
        if (figures is not null) HtmlReport.SavePngs(IotAuthHtmlReport.Figures(report), figures);
        return report.Points.Sum(p => p.Failures) == 0 ? 0 : 1;
    }
}
