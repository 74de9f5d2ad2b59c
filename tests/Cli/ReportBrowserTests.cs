using System.Text.Json.Nodes;
using Engine.Cli;
using Engine.Tests.Support;
using NUnit.Framework;
using SkiaSharp;

namespace Engine.Tests.Cli;

/// <summary>
/// Every simulation's HTML report, as a user sees it: opened in headless Chromium, with no console error, and every
/// figure drawn (its region of a full-page screenshot holds the chart's lines, not one flat colour).
/// </summary>
[TestFixture, Category("EndToEnd"), NonParallelizable]
public sealed class ReportBrowserTests
{
    private string _folder = "";

    [OneTimeSetUp]
    public void SetUp() => _folder = Directory.CreateTempSubdirectory("engine-reports-").FullName;

    [OneTimeTearDown]
    public void TearDown() => Directory.Delete(_folder, recursive: true);

    public static IEnumerable<TestCaseData> Reports()
    {
        yield return new TestCaseData("two-server", new[] { "simulate", "two-server", "--sizes", "20,60", "--sample", "3", "--block", "64", "--million-group", "40", "--repeat", "3" }, 5)
            .SetName("TwoServerReport_RendersInChromium");
        yield return new TestCaseData("iot-auth", new[] { "simulate", "iot-auth", "--devices", "2,4", "--concurrency", "2", "--repeat", "3" }, 6)
            .SetName("IotAuthReport_RendersInChromium");
        yield return new TestCaseData("revocation", new[] { "simulate", "revocation", "--authorities", "2", "--attributes", "2,4", "--users", "3", "--payload", "2KiB", "--repeat", "3" }, 4)
            .SetName("RevocationReport_RendersInChromium");
    }

    [TestCaseSource(nameof(Reports))]
    public async Task Report_OpensWithoutErrors_AndEveryFigureIsDrawn(string name, string[] simulation, int figures)
    {
        if (HeadlessChromium.FindExecutable() is null) Assert.Ignore("Chromium not installed (apt-get install chromium); .ci/run installs it");
        string html = Path.Combine(_folder, name + ".html");
        var output = new StringWriter();
        int code = Program.BuildRoot(new StringReader(""), output).Parse([.. simulation, "--report", html]).Invoke();
        Assert.That(code, Is.Zero, output.ToString());

        await using HeadlessChromium browser = await HeadlessChromium.StartAsync(1400, 900);
        await browser.OpenAsync(new Uri(html).AbsoluteUri);
        JsonArray regions = (await browser.EvaluateAsync(
            "[...document.querySelectorAll('figure[data-figure]')].map(f => { const r = f.querySelector('svg').getBoundingClientRect();" +
            " return { name: f.dataset.figure, x: r.x + scrollX, y: r.y + scrollY, width: r.width, height: r.height }; })"))!.AsArray();
        byte[] png = await browser.ScreenshotAsync();
        Assert.That(browser.Errors, Is.Empty, "console errors");
        Assert.That(regions, Has.Count.EqualTo(figures));

        using SKBitmap screenshot = SKBitmap.Decode(png);
        foreach (JsonNode? region in regions)
        {
            string figure = region!["name"]!.GetValue<string>();
            int x = (int)region["x"]!.GetValue<double>(), y = (int)region["y"]!.GetValue<double>();
            int width = (int)region["width"]!.GetValue<double>(), height = (int)region["height"]!.GetValue<double>();
            Assert.That(width, Is.GreaterThan(100), $"{figure}: width");
            Assert.That(height, Is.GreaterThan(100), $"{figure}: height");
            Assert.That(x + width, Is.LessThanOrEqualTo(screenshot.Width), $"{figure}: inside the screenshot");
            Assert.That(y + height, Is.LessThanOrEqualTo(screenshot.Height), $"{figure}: inside the screenshot");
            // A drawn chart has text, axes and coloured series: many pixels differ from its background and from each other.
            SKColor background = screenshot.GetPixel(x + 2, y + 2);
            int differing = 0;
            var colours = new HashSet<SKColor>();
            for (int py = y; py < y + height; py += 2)
                for (int px = x; px < x + width; px += 2)
                {
                    SKColor c = screenshot.GetPixel(px, py);
                    if (c != background) differing++;
                    colours.Add(c);
                }
            Assert.That(differing, Is.GreaterThan(width * height / 4 / 50), $"{figure}: at least 2 % of the figure is drawn");
            Assert.That(colours, Has.Count.GreaterThan(8), $"{figure}: more than a flat fill");
            Assert.That(colours.Any(c => c.Blue > 150 && c.Red < 100), Is.True, $"{figure}: the first series' line (blue) is visible");
        }
    }
}
