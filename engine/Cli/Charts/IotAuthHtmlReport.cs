using System.Globalization;
using System.Net;
using System.Text;
using Engine.Simulations;

namespace Engine.Cli.Charts;

/// <summary>The self-contained HTML report of <c>engine simulate iot-auth --report</c>: the paper's cost figures as inline SVG, and the table.</summary>
internal static class IotAuthHtmlReport
{
    public static string Render(IotAuthSimulationReport report)
    {
        var points = report.Points.OrderBy(p => p.Devices).ToList();
        ChartSeries Line(string name, Func<IotAuthPointReport, double> y) => new(name, points.Select(p => ((double)p.Devices, y(p))).ToList());
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>engine simulate iot-auth</title>")
            .Append("<style>body{font-family:sans-serif;max-width:1200px;margin:2em auto}figure{display:inline-block;margin:1em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}</style></head><body>")
            .Append("<h1>Trust evaluation and anonymous authentication of IoT devices (SPEC.md §3)</h1>")
            .Append(CultureInfo.InvariantCulture, $"<p>{WebUtility.HtmlEncode(report.Cpu)}; {report.Concurrency} concurrent devices. Method: {WebUtility.HtmlEncode(report.Method)}.</p>");
        void Figure(string caption, string svg) => html.Append("<figure>").Append(svg).Append("<figcaption>").Append(WebUtility.HtmlEncode(caption)).Append("</figcaption></figure>");
        Figure("Time cost of the OC for tag generation (the paper's figure), measured",
               SvgLineChart.Render("OC: tag generation", "number of devices", "total ms", [Line("tag issue", p => p.OcTagGenerationMs)]));
        Figure("Time cost of the OC for proof authentication (the paper's figure), measured: one at a time and in batches",
               SvgLineChart.Render("OC: proof authentication", "number of devices", "total CPU ms", [Line("one at a time", p => p.OcProofAuthenticationMs), Line("batched", p => p.OcProofAuthenticationBatchedMs)]));
        Figure("Time cost of the device for tag authentication (the paper's figure), measured, summed over devices",
               SvgLineChart.Render("Devices: tag check", "number of devices", "total ms", [Line("pairing check", p => p.DeviceTagCheckMs)]));
        Figure("Time cost of the device for proof generation (the paper's figure), measured, summed over devices",
               SvgLineChart.Render("Devices: proof generation", "number of devices", "total ms", [Line("proof", p => p.DeviceProofGenerationMs)]));
        Figure("IoTD-to-OC communication cost (the paper's figure), measured frame bytes of one authentication per device",
               SvgLineChart.Render("Communication", "number of devices", "kB", [Line("device → OC", p => p.DeviceToOcBytes / 1000.0), Line("OC → device", p => p.OcToDeviceBytes / 1000.0)]));
        Figure("Authentications per second at the OC, median of the rounds",
               SvgLineChart.Render("OC throughput", "number of devices", "authentications / s", [Line("batched", p => p.AuthenticationsPerSecondBatched), Line("one at a time", p => p.AuthenticationsPerSecondUnbatched)]));
        html.Append("<table><tr><th>devices</th><th>OC tag generation (ms)</th><th>OC proof auth., single (ms)</th><th>OC proof auth., batched (ms)</th><th>device tag check (ms)</th><th>device proof (ms)</th><th>device→OC bytes</th><th>auth/s batched</th><th>auth/s single</th><th>mean batch</th><th>failures</th><th>refusals</th></tr>");
        foreach (IotAuthPointReport p in points)
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{p.Devices}</td><td>{p.OcTagGenerationMs:F1}</td><td>{p.OcProofAuthenticationMs:F1}</td><td>{p.OcProofAuthenticationBatchedMs:F1}</td><td>{p.DeviceTagCheckMs:F1}</td><td>{p.DeviceProofGenerationMs:F1}</td><td>{p.DeviceToOcBytes}</td><td>{p.AuthenticationsPerSecondBatched:F1} ({p.BatchedMin:F1}–{p.BatchedMax:F1})</td><td>{p.AuthenticationsPerSecondUnbatched:F1} ({p.UnbatchedMin:F1}–{p.UnbatchedMax:F1})</td><td>{p.MeanBatchSize:F1}</td><td>{p.Failures}</td><td>{p.Refusals}</td></tr>");
        html.Append("</table></body></html>");
        return html.ToString();
    }
}
