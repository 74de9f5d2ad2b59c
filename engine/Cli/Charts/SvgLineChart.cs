using System.Globalization;
using System.Net;
using System.Text;

namespace Engine.Cli.Charts;

/// <summary>One line of a chart: a name and its points.</summary>
internal sealed record ChartSeries(string Name, IReadOnlyList<(double X, double Y)> Points);

/// <summary>
/// A small, dependency-free SVG line chart (no plotting package is available from NuGet here): linear axes from
/// zero, five ticks each, a legend, and a circle per point. Text is XML-escaped; numbers use the invariant culture.
/// </summary>
internal static class SvgLineChart
{
    private static readonly string[] Colours = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e"];

    public static string Render(string title, string xLabel, string yLabel, IReadOnlyList<ChartSeries> series, int width = 560, int height = 340)
    {
        const int left = 70, right = 36, top = 40, bottom = 50;
        var points = series.SelectMany(s => s.Points).ToList();
        double xMax = Nice(points.Count == 0 ? 1 : points.Max(p => p.X)), yMax = Nice(points.Count == 0 ? 1 : points.Max(p => p.Y));
        double plotW = width - left - right, plotH = height - top - bottom;
        string X(double x) => F(left + x / xMax * plotW);
        string Y(double y) => F(top + plotH - y / yMax * plotH);
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"sans-serif\" font-size=\"12\">");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{width / 2}\" y=\"20\" text-anchor=\"middle\" font-size=\"14\" font-weight=\"bold\">{Escape(title)}</text>");
        for (int i = 0; i <= 5; i++)
        {
            double xv = xMax * i / 5, yv = yMax * i / 5;
            svg.Append($"<line x1=\"{X(xv)}\" y1=\"{F(top)}\" x2=\"{X(xv)}\" y2=\"{F(top + plotH)}\" stroke=\"#eee\"/>");
            svg.Append($"<line x1=\"{F(left)}\" y1=\"{Y(yv)}\" x2=\"{F(left + plotW)}\" y2=\"{Y(yv)}\" stroke=\"#eee\"/>");
            svg.Append($"<text x=\"{X(xv)}\" y=\"{F(top + plotH + 16)}\" text-anchor=\"middle\">{Label(xv)}</text>");
            svg.Append($"<text x=\"{F(left - 6)}\" y=\"{Y(yv)}\" text-anchor=\"end\" dominant-baseline=\"middle\">{Label(yv)}</text>");
        }
        svg.Append($"<line x1=\"{F(left)}\" y1=\"{F(top + plotH)}\" x2=\"{F(left + plotW)}\" y2=\"{F(top + plotH)}\" stroke=\"#333\"/>");
        svg.Append($"<line x1=\"{F(left)}\" y1=\"{F(top)}\" x2=\"{F(left)}\" y2=\"{F(top + plotH)}\" stroke=\"#333\"/>");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{F(left + plotW / 2)}\" y=\"{height - 10}\" text-anchor=\"middle\">{Escape(xLabel)}</text>");
        svg.Append(CultureInfo.InvariantCulture, $"<text transform=\"translate(16 {F(top + plotH / 2)}) rotate(-90)\" text-anchor=\"middle\">{Escape(yLabel)}</text>");
        for (int s = 0; s < series.Count; s++)
        {
            string colour = Colours[s % Colours.Length];
            var ordered = series[s].Points.OrderBy(p => p.X).ToList();
            if (ordered.Count > 0)
                svg.Append($"<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\" points=\"{string.Join(' ', ordered.Select(p => $"{X(p.X)},{Y(p.Y)}"))}\"/>");
            foreach ((double x, double y) in ordered) svg.Append($"<circle cx=\"{X(x)}\" cy=\"{Y(y)}\" r=\"3\" fill=\"{colour}\"><title>{Escape(series[s].Name)}: {Label(x)}, {Label(y)}</title></circle>");
            svg.Append($"<rect x=\"{F(left + 10)}\" y=\"{F(top + 6 + 16 * s)}\" width=\"12\" height=\"3\" fill=\"{colour}\"/>");
            svg.Append($"<text x=\"{F(left + 28)}\" y=\"{F(top + 10 + 16 * s)}\">{Escape(series[s].Name)}</text>");
        }
        svg.Append("</svg>");
        return svg.ToString();
    }

    /// <summary>The smallest of 1, 2, 2.5 or 5 times a power of ten that is at least <paramref name="value"/>.</summary>
    internal static double Nice(double value)
    {
        if (!(value > 0) || double.IsInfinity(value)) return 1;
        double power = Math.Pow(10, Math.Floor(Math.Log10(value)));
        foreach (double m in new[] { 1, 2, 2.5, 5, 10 }) if (m * power >= value * (1 - 1e-12)) return m * power;
        return 10 * power;
    }

    private static string F(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);

    private static string Label(double v) => v >= 1000 ? v.ToString("#,0", CultureInfo.InvariantCulture) : v.ToString("0.###", CultureInfo.InvariantCulture);

    private static string Escape(string text) => WebUtility.HtmlEncode(text);
}
