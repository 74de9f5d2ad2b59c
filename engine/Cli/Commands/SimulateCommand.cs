using Engine.Simulations;
using System.CommandLine;
using Engine.Hosting.Onion;
using Spectre.Console;

namespace Engine.Cli.Commands;

/// <summary>
/// <c>engine simulate onion</c>: runs a KGC, L relays and a destination as Kestrel servers on loopback, drives a
/// client through them and prints link setups per second, message latency p50/p99, bytes per hop and the
/// servers' packet counts; <c>--json FILE</c> writes the same figures for plotting.
/// </summary>
internal static class SimulateCommand
{
    public static Command Create(TextWriter output)
    {
        var simulate = new Command("simulate", "Run a protocol end to end on loopback servers and report what it costs.");
        var relays = new Option<int>("--relays") { Description = "Relays on the path (1 to 8).", DefaultValueFactory = _ => 3 };
        var links = new Option<int>("--links") { Description = "Links to set up.", DefaultValueFactory = _ => 20 };
        var messages = new Option<int>("--messages") { Description = "Messages to send (round robin over the links; each is echoed back).", DefaultValueFactory = _ => 200 };
        var payload = new Option<int>("--payload") { Description = "Message size in bytes.", DefaultValueFactory = _ => 256 };
        var group = new Option<string>("--group") { Description = "Modp2048Q256, Modp3072Q256 or BLS12381G1.", DefaultValueFactory = _ => "Modp2048Q256" };
        var reencrypt = new Option<bool>("--reencrypt") { Description = "Re-encrypt the payload at every hop instead of the paper's single layer." };
        var clients = new Option<int>("--clients") { Description = "Concurrent clients, each on its own connection (1 to 256).", DefaultValueFactory = _ => 4 };
        var noBatching = new Option<bool>("--no-batching") { Description = "Relays compute each exponentiation at once instead of batching concurrent setups." };
        var json = new Option<FileInfo?>("--json") { Description = "Also write the figures as JSON to this file." };
        var repeat = new Option<int>("--repeat") { Description = "Measured rounds of --links setups and --messages messages after a warm-up (median and min–max reported).", DefaultValueFactory = _ => 3 };
        var onion = new Command("onion", "Protocol 1: certificateless onion routing (SPEC.md §1).");
        foreach (Option o in new Option[] { relays, links, messages, payload, group, reencrypt, clients, noBatching, repeat, json }) onion.Options.Add(o);
        onion.SetAction(r => Run(output, new OnionSimulationOptions(r.GetValue(relays), r.GetValue(links), r.GetValue(messages),
                                                                     r.GetValue(payload), r.GetValue(group)!, r.GetValue(reencrypt),
                                                                     r.GetValue(clients), !r.GetValue(noBatching), r.GetValue(repeat)), r.GetValue(json)));
        simulate.Subcommands.Add(onion);
        simulate.Subcommands.Add(SimulateTwoServerCommand.Create(output));
        simulate.Subcommands.Add(Iot.SimulateIotCommand.Create(output));
        simulate.Subcommands.Add(Abe.SimulateRevocationCommand.Create(output));
        return simulate;
    }

    internal static int Run(TextWriter output, OnionSimulationOptions options, FileInfo? json)
    {
        IAnsiConsole console = DemoCommand.CreateConsole(output);
        using var metrics = new MetricsRecorder();
        console.MarkupLine($"[bold]simulate onion[/]: KGC + {options.Relays} relays + destination on 127.0.0.1, group [blue]{Markup.Escape(options.Group)}[/], " +
                           $"{Math.Min(options.Clients, options.Links)} clients, {options.Links} links and {options.Messages} messages of {options.PayloadBytes} bytes per round, {options.Repeat} measured round(s) after a warm-up" +
                           $"{(options.ReencryptPerHop ? ", per-hop re-encryption" : "")}{(options.Batching ? "" : ", unbatched relays")}");
        OnionSimulationReport report;
        try
        {
            OnionSimulationReport? result = null;
            console.Progress().AutoClear(true).Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                .Start(ctx =>
                {
                    ProgressTask task = ctx.AddTask("links and messages", maxValue: options.Repeat * (options.Links + options.Messages));
                    result = OnionSimulation.RunAsync(options, (done, _) => task.Value = done).GetAwaiter().GetResult();
                    task.Value = task.MaxValue;
                });
            report = result!;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            output.WriteLine($"error: {e.Message}");
            return 1;
        }
        var table = new Table().AddColumns("figure", "value");
        table.AddRow($"link setups per second (median of {report.Repeat} rounds, min–max)", $"{report.LinkSetupsPerSecond:F1} ({report.LinkSetupsPerSecondMin:F1}–{report.LinkSetupsPerSecondMax:F1})");
        table.AddRow($"link setup p50 / p99 ({report.Repeat} × {report.Links} setups)", $"{report.SetupMillisecondsP50:F2} / {report.SetupMillisecondsP99:F2} ms");
        table.AddRow($"message round trip p50 / p99 ({report.Repeat} × {report.Messages} messages)", $"{report.MessageMillisecondsP50:F2} / {report.MessageMillisecondsP99:F2} ms");
        table.AddRow($"messages per second ({report.Clients} clients; median of {report.Repeat} rounds, min–max)", $"{report.MessagesPerSecond:F1} ({report.MessagesPerSecondMin:F1}–{report.MessagesPerSecondMax:F1})");
        table.AddRow("bytes per hop: setup / ACK / data", $"{report.SetupPacketBytes} / {report.AckPacketBytes} / {report.DataPacketBytes}");
        table.AddRow("exponentiations per relay batch", $"{report.ExponentiationsPerBatch:F1}");
        table.AddRow("repair: P_ID derivation, H1 with u / paper's H1", $"{report.KeyDerivationMicrosecondsEngine:F0} / {report.KeyDerivationMicrosecondsPaper:F0} µs ({Percent(report.KeyDerivationMicrosecondsEngine, report.KeyDerivationMicrosecondsPaper)}; none per packet)");
        table.AddRow("re-encryption: round trip p50, per-hop / single layer", $"{report.ReencryptedMessageMillisecondsP50:F2} / {report.SingleLayerMessageMillisecondsP50:F2} ms ({Percent(report.ReencryptedMessageMillisecondsP50, report.SingleLayerMessageMillisecondsP50)})");
        table.AddRow("packets processed by the servers", $"{report.PacketsProcessed}");
        table.AddRow("packets refused", $"{report.Refusals}");
        console.Write(table);
        MetricsTable.Write(console, metrics);
        if (json is not null) File.WriteAllText(json.FullName, OnionSimulation.ToJson(report));
        return 0;
    }

    private static string Percent(double value, double reference) => reference <= 0 ? "n/a" : $"{(value / reference - 1) * 100:+0;-0} %";
}
