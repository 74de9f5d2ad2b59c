using Engine.Simulations;
using System.Globalization;
using System.Text;
using Engine.Hosting.TwoServer;

namespace Engine.Cli.Charts;

/// <summary>The self-contained HTML report of <c>engine simulate two-server --report</c>: the paper's Figures 2, 3, 5 and 6, the subgroup cost, and the table.</summary>
internal static class TwoServerHtmlReport
{
    public static IReadOnlyList<ReportFigure> Figures(TwoServerSimulationReport report)
    {
        var sizes = report.Sizes.OrderBy(s => s.GroupSize).ToList();
        ChartSeries Line(string name, Func<TwoServerSizeReport, double> y) =>
            new(name, sizes.Select(s => { (double min, double max) = s.Spread(y); return new ChartPoint(s.GroupSize, y(s), min, max); }).ToList());
        string runs = $"median of {report.Repeat} run(s), bars min–max";
        string measured = $"measured, {runs}, one core";
        return
        [
            new("two-server-figure-2", "Figure 2 (the paper's): latency per message for users within a group, amortised over a round, one core",
                new ChartSpec("Figure 2: message latency within a group", "group size n (users)", "latency per message (ms)", measured,
                              [Line("per message (amortised round)", s => s.MessageMsAmortised), Line("one inbox: reconstruct", s => s.ReconstructMsPerInbox)])),
            new("two-server-figure-3", "Figure 3 (the paper's): one million users divided into groups of n, CPU per round, extrapolated from each measured group",
                new ChartSpec("Figure 3: one million users in groups of n", "group size n (users)", "CPU per round (s)", $"extrapolated from measured groups ({runs})",
                              [Line("all groups", s => Math.Ceiling(1_000_000.0 / s.GroupSize) * s.RoundCpuMs / 1000)])),
            new("two-server-figure-5", "Figure 5 (the paper's): the time for a user to establish what is needed to message (a dial with κ = n parts)",
                new ChartSpec("Figure 5: dial cost", "group size n (users)", "dial (ms)", measured, [Line("caller's shares, κ = n", s => s.DialMs)])),
            new("two-server-figure-6", "Figure 6 (the paper's): server bandwidth per message sent by a user within a group of size n (both servers' inbox bytes for one message)",
                new ChartSpec("Figure 6: server bandwidth per message", "group size n (users)", "bytes sent by S1 + S2 (kB)", "computed from the record size (exact)",
                              [Line("S1 + S2", s => s.ServerBytesPerMessage / 1000)])),
            new("two-server-subgroup", "Not one of the paper's figures: a subgroup message to κ = 25 % of n (SPEC §2's group partitions), amortised per recipient, beside a pair message",
                new ChartSpec("Subgroup message cost per recipient", "group size n (users)", "per recipient (ms)", measured,
                              [Line("subgroup, per recipient", s => s.SubgroupMsPerRecipient), Line("pair message", s => s.MessageMsAmortised)])),
        ];
    }

    public static string Render(TwoServerSimulationReport report)
    {
        var sizes = report.Sizes.OrderBy(s => s.GroupSize).ToList();
        var table = new StringBuilder();
        table.Append(CultureInfo.InvariantCulture, $"<p>One million users as groups of {report.MillionUsersGroupSize}: {report.MillionUsersRoundCpuSeconds:F0} s of CPU per round, {report.MillionUsersMessageMs:F2} ms per message (extrapolated).</p>");
        table.Append("<table><tr><th>n</th><th>per message (ms)</th><th>generation per message (ms)</th><th>fan-out per inbox (ms)</th><th>reconstruct per inbox (ms)</th><th>round CPU (ms)</th><th>server bytes per message</th><th>subgroup per recipient (ms)</th><th>dial (ms)</th></tr>");
        foreach (TwoServerSizeReport s in sizes)
            table.Append(CultureInfo.InvariantCulture, $"<tr><td>{s.GroupSize}</td><td>{s.MessageMsAmortised:F3}</td><td>{s.GenerationMsPerMessage:F3}</td><td>{s.FanOutMsPerInbox:F2}</td><td>{s.ReconstructMsPerInbox:F2}</td><td>{s.RoundCpuMs:F0}</td><td>{s.ServerBytesPerMessage:F0}</td><td>{s.SubgroupMsPerRecipient:F3}</td><td>{s.DialMs:F0}</td></tr>");
        table.Append("</table>");
        return new HtmlReport("engine simulate two-server", "Two-server anonymous messaging (SPEC.md §2)",
                              $"Mode: {report.Mode}; B = {report.BlockSize} bytes; record {report.RecordBytes} bytes. Method: {report.Method}.")
            .Figures(Figures(report)).Raw(table.ToString()).ToString();
    }
}
