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
            Assert.That(System.Text.RegularExpressions.Regex.Matches(report, "<svg ").Count, Is.EqualTo(4), "Figures 2, 3, 5 and 6");
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
    public void SvgLineChart_IsWellFormedXml_WithOnePointPerValue_AndEscapedText()
    {
        string svg = SvgLineChart.Render("a < b & c", "x", "y", [new ChartSeries("one", [(1, 2), (3, 4), (2, 8)]), new ChartSeries("two \"q\"", [(5, 1)])]);
        XDocument doc = XDocument.Parse(svg);
        XNamespace ns = "http://www.w3.org/2000/svg";
        Assert.That(doc.Descendants(ns + "circle").Count(), Is.EqualTo(4));
        Assert.That(doc.Descendants(ns + "text").Any(t => t.Value == "a < b & c"), Is.True);
        Assert.That(doc.Descendants(ns + "polyline").First().Attribute("points")!.Value.Split(' '), Has.Length.EqualTo(3));
        // Points stay inside the plot area.
        foreach (XElement c in doc.Descendants(ns + "circle"))
        {
            double cx = double.Parse(c.Attribute("cx")!.Value, System.Globalization.CultureInfo.InvariantCulture), cy = double.Parse(c.Attribute("cy")!.Value, System.Globalization.CultureInfo.InvariantCulture);
            Assert.That(cx, Is.InRange(70, 560 - 36));
            Assert.That(cy, Is.InRange(40, 340 - 50));
        }
    }

    [TestCase(0.7, 1), TestCase(1, 1), TestCase(1.2, 2), TestCase(2.2, 2.5), TestCase(3, 5), TestCase(7, 10), TestCase(554000, 1_000_000), TestCase(0, 1)]
    public void SvgLineChart_NiceAxisMaximum(double value, double expected) => Assert.That(SvgLineChart.Nice(value), Is.EqualTo(expected).Within(1e-9));
}
