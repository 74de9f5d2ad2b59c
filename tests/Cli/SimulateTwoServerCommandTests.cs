using System.Text.Json;
using System.Xml.Linq;
using Engine.Cli;
using Engine.Cli.Charts;
using NUnit.Framework;

namespace Engine.Tests.Cli;

/// <summary><c>engine simulate two-server</c>: the table, the JSON, the HTML report with its SVG charts, and option errors.</summary>
[TestFixture, Category("EndToEnd"), NonParallelizable]
public sealed class SimulateTwoServerCommandTests
{
    private static (int Code, string Output) Run(params string[] args)
    {
        var output = new StringWriter();
        int code = Program.BuildRoot(new StringReader(""), output).Parse(args).Invoke();
        return (code, output.ToString());
    }

    [Test]
    public void SimulateTwoServer_ReportsEverySize_AndWritesJsonAndHtml()
    {
        string json = Path.Combine(Path.GetTempPath(), $"ts-{Guid.NewGuid():N}.json"), html = Path.ChangeExtension(json, ".html");
        try
        {
            (int code, string output) = Run("simulate", "two-server", "--sizes", "20,60", "--sample", "3", "--block", "64", "--million-group", "40",
                                            "--json", json, "--report", html);
            Assert.That(code, Is.Zero, output);
            Assert.That(output, Does.Contain("one million users as groups of 40"));
            using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(json));
            JsonElement sizes = doc.RootElement.GetProperty("Sizes");
            Assert.That(sizes.EnumerateArray().Select(s => s.GetProperty("GroupSize").GetInt32()), Is.EqualTo(new[] { 20, 60 }), "the million-user basis is not listed unless asked");
            Assert.That(sizes.EnumerateArray().Select(s => s.GetProperty("Failures").GetInt32()), Is.All.Zero);
            Assert.That(sizes.EnumerateArray().Select(s => s.GetProperty("ServerBytesPerMessage").GetDouble()), Is.EqualTo(new[] { 2.0 * 20 * (3 * 65 + 9), 2.0 * 60 * (3 * 65 + 9) }));
            string report = File.ReadAllText(html);
            Assert.That(report, Does.StartWith("<!DOCTYPE html>"));
            Assert.That(System.Text.RegularExpressions.Regex.Matches(report, "<svg ").Count, Is.EqualTo(5), "Figures 2, 3, 5 and 6 and the subgroup cost");
            foreach (string figure in new[] { "Figure 2", "Figure 3", "Figure 5", "Figure 6: server bandwidth per message", "Not one of the paper&#39;s figures" })
                Assert.That(report, Does.Contain(figure));
        }
        finally
        {
            File.Delete(json);
            File.Delete(html);
        }
    }

    [Test, Category("Malformed")]
    public void SimulateTwoServer_RejectsBadOptionsWithAMessage()
    {
        Assert.That(Run("simulate", "two-server", "--sizes", "10,x"), Is.EqualTo((1, "error: 'x' is not a group size\n")).Using<(int, string)>((a, b) => a.Item1 == b.Item1 && a.Item2.Trim() == b.Item2.Trim()));
        (int code, string output) = Run("simulate", "two-server", "--sizes", "1");
        Assert.That(code, Is.EqualTo(1));
        Assert.That(output, Does.Contain("Group sizes are 2 to 100 000"));
        (code, output) = Run("simulate", "two-server", "--sizes", "10", "--block", "20");
        Assert.That(code, Is.EqualTo(1));
        Assert.That(output, Does.Contain("Block sizes are multiples of 8"));
    }

    [Test]
    public void Chart_Svg_IsWellFormedXml_AndCarriesTitleLabelsLegendAndMethod()
    {
        var spec = new ChartSpec("a < b & c", "group size n (users)", "latency (ms)", "measured, median of 3 run(s)",
                                 [new ChartSeries("one", [new(1, 2, 1.5, 2.5), new(3, 4), new(2, 8)]), new ChartSeries("two \"q\"", [new(5, 1)])]);
        XDocument doc = XDocument.Parse(Chart.Svg(spec));
        string text = string.Join("\n", doc.Descendants().Where(e => e.Name.LocalName == "text").Select(t => t.Value));
        foreach (string expected in new[] { "a < b & c", "group size n (users)", "latency (ms)", "measured, median of 3 run(s)", "one", "two \"q\"" })
            Assert.That(text, Does.Contain(expected));
    }

    [Test]
    public void Chart_Png_IsAPngWithDrawnLines()
    {
        var spec = new ChartSpec("t", "x", "y", "measured", [new ChartSeries("s", [new(1, 1), new(2, 4), new(3, 9)])]);
        string path = Path.Combine(Path.GetTempPath(), $"chart-{Guid.NewGuid():N}.png");
        try
        {
            Chart.SavePng(spec, path);
            byte[] bytes = File.ReadAllBytes(path);
            Assert.That(bytes.AsSpan(0, 8).ToArray(), Is.EqualTo(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }));
            using SkiaSharp.SKBitmap bitmap = SkiaSharp.SKBitmap.Decode(path);
            Assert.That((bitmap.Width, bitmap.Height), Is.EqualTo((Chart.Width, Chart.Height)));
            // The series colour (ScottPlot's first palette colour is a blue) appears on many pixels: the line was drawn.
            int blue = 0;
            for (int y = 0; y < bitmap.Height; y++)
                for (int x = 0; x < bitmap.Width; x++)
                {
                    SkiaSharp.SKColor c = bitmap.GetPixel(x, y);
                    if (c.Blue > 150 && c.Red < 100) blue++;
                }
            Assert.That(blue, Is.GreaterThan(100));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
