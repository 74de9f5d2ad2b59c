using System.Globalization;
using System.Net;
using System.Text;
using Engine.Hosting.TwoServer;

namespace Engine.Cli.Charts;

/// <summary>The self-contained HTML report of <c>engine simulate two-server --report</c>: the paper's Figures 2, 3, 5 and 6 as inline SVG, and the table.</summary>
internal static class TwoServerHtmlReport
{
    public static string Render(TwoServerSimulationReport report)
    {
        var sizes = report.Sizes.OrderBy(s => s.GroupSize).ToList();
        ChartSeries Line(string name, Func<TwoServerSizeReport, double> y) => new(name, sizes.Select(s => ((double)s.GroupSize, y(s))).ToList());
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>engine simulate two-server</title>")
            .Append("<style>body{font-family:sans-serif;max-width:1200px;margin:2em auto}figure{display:inline-block;margin:1em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}</style></head><body>")
            .Append("<h1>Two-server anonymous messaging (SPEC.md §2)</h1>")
            .Append(CultureInfo.InvariantCulture, $"<p>Mode: {report.Mode}; B = {report.BlockSize} bytes; record {report.RecordBytes} bytes. Method: {WebUtility.HtmlEncode(report.Method)}.</p>");
        void Figure(string caption, string svg) => html.Append("<figure>").Append(svg).Append("<figcaption>").Append(WebUtility.HtmlEncode(caption)).Append("</figcaption></figure>");
        Figure("Figure 2: latency per message (amortised over a round, one core)",
               SvgLineChart.Render("Latency per message", "group size n", "ms", [Line("per message", s => s.MessageMsAmortised), Line("one inbox: reconstruct", s => s.ReconstructMsPerInbox)]));
        Figure("Figure 3: one million users split into groups of n, CPU per round (extrapolated from each measured group)",
               SvgLineChart.Render("One million users", "group size n", "CPU seconds per round", [Line("all groups", s => Math.Ceiling(1_000_000.0 / s.GroupSize) * s.RoundCpuMs / 1000)]));
        Figure("Figure 5: dial cost (κ = n parts)", SvgLineChart.Render("Dial", "group size n", "ms", [Line("caller's shares", s => s.DialMs)]));
        Figure("Figure 6: subgroup messages, amortised per recipient (κ = 25 % of n)",
               SvgLineChart.Render("Subgroup", "group size n", "ms", [Line("per recipient", s => s.SubgroupMsPerRecipient), Line("pair message", s => s.MessageMsAmortised)]));
        html.Append(CultureInfo.InvariantCulture, $"<p>One million users as groups of {report.MillionUsersGroupSize}: {report.MillionUsersRoundCpuSeconds:F0} s of CPU per round, {report.MillionUsersMessageMs:F2} ms per message (extrapolated).</p>");
        html.Append("<table><tr><th>n</th><th>per message (ms)</th><th>generation per message (ms)</th><th>fan-out per inbox (ms)</th><th>reconstruct per inbox (ms)</th><th>round CPU (ms)</th><th>server bytes per message</th><th>subgroup per recipient (ms)</th><th>dial (ms)</th></tr>");
        foreach (TwoServerSizeReport s in sizes)
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{s.GroupSize}</td><td>{s.MessageMsAmortised:F3}</td><td>{s.GenerationMsPerMessage:F3}</td><td>{s.FanOutMsPerInbox:F2}</td><td>{s.ReconstructMsPerInbox:F2}</td><td>{s.RoundCpuMs:F0}</td><td>{s.ServerBytesPerMessage:F0}</td><td>{s.SubgroupMsPerRecipient:F3}</td><td>{s.DialMs:F0}</td></tr>");
        html.Append("</table></body></html>");
        return html.ToString();
    }
}
