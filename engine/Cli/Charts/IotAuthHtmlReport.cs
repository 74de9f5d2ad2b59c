using System.Globalization;
using System.Text;
using Engine.Simulations;

namespace Engine.Cli.Charts;

/// <summary>
/// The self-contained HTML report of <c>engine simulate iot-auth --report</c>: the paper's cost figures (unnumbered
/// in our copy of the paper, so named by their titles) and the OC's throughput, and the table.
/// </summary>
internal static class IotAuthHtmlReport
{
    public static IReadOnlyList<ReportFigure> Figures(IotAuthSimulationReport report)
    {
        var points = report.Points.OrderBy(p => p.Devices).ToList();
        ChartSeries Line(string name, Func<IotAuthPointReport, double> y) => new(name, points.Select(p => new ChartPoint(p.Devices, y(p))).ToList());
        ChartSeries Spread(string name, Func<IotAuthPointReport, (double Median, double Min, double Max)> y) =>
            new(name, points.Select(p => { var v = y(p); return new ChartPoint(p.Devices, v.Median, v.Min, v.Max); }).ToList());
        const string devices = "number of devices";
        string onePass = "measured over loopback TCP, one pass (a device enrols once)";
        string rounds = $"measured, median of {report.Repeat} round(s), bars min–max";
        return
        [
            new("iot-oc-tag-generation", "The paper's \"time cost of the OC for tag generation\": total over n devices, measured",
                new ChartSpec("OC: tag generation", devices, "total (ms)", onePass, [Line("tag issue", p => p.OcTagGenerationMs)])),
            new("iot-oc-proof-authentication", "The paper's \"time cost of the OC for proof authentication\": total CPU over n devices, one at a time and in batches",
                new ChartSpec("OC: proof authentication", devices, "total CPU (ms)", rounds,
                              [Spread("one at a time", p => (p.OcProofAuthenticationMs, p.Spread?.ProofAuthenticationMin ?? p.OcProofAuthenticationMs, p.Spread?.ProofAuthenticationMax ?? p.OcProofAuthenticationMs)),
                               Spread("batched", p => (p.OcProofAuthenticationBatchedMs, p.Spread?.ProofAuthenticationBatchedMin ?? p.OcProofAuthenticationBatchedMs, p.Spread?.ProofAuthenticationBatchedMax ?? p.OcProofAuthenticationBatchedMs))])),
            new("iot-device-tag-check", "The paper's \"time cost of the device for tag authentication\": summed over n devices, measured",
                new ChartSpec("Devices: tag check", devices, "total (ms)", onePass, [Line("pairing check", p => p.DeviceTagCheckMs)])),
            new("iot-device-proof-generation", "The paper's \"time cost of the device for proof generation\": summed over n devices, measured",
                new ChartSpec("Devices: proof generation", devices, "total (ms)", rounds,
                              [Spread("proof", p => (p.DeviceProofGenerationMs, p.Spread?.ProofGenerationMin ?? p.DeviceProofGenerationMs, p.Spread?.ProofGenerationMax ?? p.DeviceProofGenerationMs))])),
            new("iot-communication", "The paper's \"IoTD-to-OC communication cost\": frame bytes of one authentication per device, summed",
                new ChartSpec("Communication", devices, "bytes (kB)", "counted on the wire (exact)",
                              [Line("device → OC", p => p.DeviceToOcBytes / 1000.0), Line("OC → device", p => p.OcToDeviceBytes / 1000.0)])),
            new("iot-oc-throughput", "Not one of the paper's figures: authentications per second at the OC",
                new ChartSpec("OC throughput", devices, "authentications per second", $"measured, median of {report.Repeat} round(s), bars min–max",
                              [Spread("batched", p => (p.AuthenticationsPerSecondBatched, p.BatchedMin, p.BatchedMax)),
                               Spread("one at a time", p => (p.AuthenticationsPerSecondUnbatched, p.UnbatchedMin, p.UnbatchedMax))])),
        ];
    }

    public static string Render(IotAuthSimulationReport report)
    {
        var table = new StringBuilder();
        table.Append("<table><tr><th>devices</th><th>OC tag generation (ms)</th><th>OC proof auth., single (ms)</th><th>OC proof auth., batched (ms)</th><th>device tag check (ms)</th><th>device proof (ms)</th><th>device→OC bytes</th><th>auth/s batched</th><th>auth/s single</th><th>mean batch</th><th>failures</th><th>refusals</th></tr>");
        foreach (IotAuthPointReport p in report.Points.OrderBy(p => p.Devices))
            table.Append(CultureInfo.InvariantCulture, $"<tr><td>{p.Devices}</td><td>{p.OcTagGenerationMs:F1}</td><td>{p.OcProofAuthenticationMs:F1}</td><td>{p.OcProofAuthenticationBatchedMs:F1}</td><td>{p.DeviceTagCheckMs:F1}</td><td>{p.DeviceProofGenerationMs:F1}</td><td>{p.DeviceToOcBytes}</td><td>{p.AuthenticationsPerSecondBatched:F1} ({p.BatchedMin:F1}–{p.BatchedMax:F1})</td><td>{p.AuthenticationsPerSecondUnbatched:F1} ({p.UnbatchedMin:F1}–{p.UnbatchedMax:F1})</td><td>{p.MeanBatchSize:F1}</td><td>{p.Failures}</td><td>{p.Refusals}</td></tr>");
        table.Append("</table>");
        return new HtmlReport("engine simulate iot-auth", "Trust evaluation and anonymous authentication of IoT devices (SPEC.md §3)",
                              $"{report.Cpu}; {report.Concurrency} concurrent devices. Method: {report.Method}.")
            .Figures(Figures(report)).Raw(table.ToString()).ToString();
    }
}
