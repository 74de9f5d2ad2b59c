using ScottPlot;

namespace Engine.Cli.Charts;

/// <summary>One measured point; <see cref="Low"/> and <see cref="High"/> are the spread over repetitions (equal to Y when there was one run).</summary>
internal readonly record struct ChartPoint(double X, double Y, double Low, double High)
{
    public ChartPoint(double x, double y) : this(x, y, y, y) { }
}

/// <summary>One line of a chart: a name and its points.</summary>
internal sealed record ChartSeries(string Name, IReadOnlyList<ChartPoint> Points);

/// <summary>
/// A figure of a simulation report: title (with the paper's figure number where there is one), axis labels with
/// units, and the method (measured or extrapolated, how many runs) written on the figure itself, so that a figure
/// copied out of its report still says what it is.
/// </summary>
internal sealed record ChartSpec(string Title, string XLabel, string YLabel, string Method, IReadOnlyList<ChartSeries> Series);

/// <summary>Draws <see cref="ChartSpec"/>s with ScottPlot: SVG for the HTML reports, PNG for the README and bench/RESULTS.md.</summary>
internal static class Chart
{
    public const int Width = 600, Height = 400;

    public static string Svg(ChartSpec spec, int width = Width, int height = Height) => Build(spec).GetSvgXml(width, height);

    public static void SavePng(ChartSpec spec, string path, int width = Width, int height = Height) => Build(spec).SavePng(path, width, height);

    private static Plot Build(ChartSpec spec)
    {
        var plot = new Plot();
        foreach (ChartSeries series in spec.Series)
        {
            var points = series.Points.OrderBy(p => p.X).ToArray();
            double[] xs = points.Select(p => p.X).ToArray(), ys = points.Select(p => p.Y).ToArray();
            var line = plot.Add.Scatter(xs, ys);
            line.LegendText = series.Name;
            if (points.Any(p => p.High > p.Low))
            {
                double[] none = new double[points.Length];
                var spread = new ScottPlot.Plottables.ErrorBar(xs, ys, none, none, points.Select(p => p.Y - p.Low).ToArray(), points.Select(p => p.High - p.Y).ToArray())
                {
                    Color = line.Color,
                };
                plot.Add.Plottable(spread);
            }
        }
        plot.Title(spec.Title, 14);
        plot.XLabel(spec.XLabel, 12);
        plot.YLabel(spec.YLabel, 12);
        plot.Axes.Margins(bottom: 0);
        plot.ShowLegend(Alignment.UpperLeft);
        var method = plot.Add.Annotation(spec.Method, Alignment.LowerRight);
        method.LabelFontSize = 10;
        method.LabelBackgroundColor = Colors.White.WithAlpha(0.85);
        method.LabelBorderColor = Colors.Gray;
        method.LabelShadowColor = Colors.Transparent;
        return plot;
    }
}
