using System.Net;
using System.Text;

namespace Engine.Cli.Charts;

/// <summary>A figure of a report: a file name for its PNG, the caption under it, and the chart.</summary>
internal sealed record ReportFigure(string Name, string Caption, ChartSpec Chart);

/// <summary>
/// The frame of every simulation's self-contained HTML report (inline SVG figures, then the report's tables), and
/// the same figures as PNG files for the README and bench/RESULTS.md.
/// </summary>
internal sealed class HtmlReport
{
    private readonly StringBuilder _html = new();

    public HtmlReport(string title, string heading, string summary)
    {
        _html.Append("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>").Append(WebUtility.HtmlEncode(title)).Append("</title>")
             .Append("<style>body{font-family:sans-serif;max-width:1300px;margin:2em auto}figure{display:inline-block;margin:1em;vertical-align:top}")
             .Append("figcaption{max-width:600px}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}</style></head><body>")
             .Append("<h1>").Append(WebUtility.HtmlEncode(heading)).Append("</h1><p>").Append(WebUtility.HtmlEncode(summary)).Append("</p>");
    }

    public HtmlReport Figures(IEnumerable<ReportFigure> figures)
    {
        foreach (ReportFigure figure in figures)
            _html.Append("<figure data-figure=\"").Append(WebUtility.HtmlEncode(figure.Name)).Append("\">").Append(Chart.Svg(figure.Chart))
                 .Append("<figcaption>").Append(WebUtility.HtmlEncode(figure.Caption)).Append("</figcaption></figure>");
        return this;
    }

    /// <summary>Appends markup the caller built (tables); values in it must already be encoded.</summary>
    public HtmlReport Raw(string html)
    {
        _html.Append(html);
        return this;
    }

    public override string ToString() => _html.ToString() + "</body></html>";

    /// <summary>Writes each figure as <c>&lt;directory&gt;/&lt;name&gt;.png</c>; returns the paths.</summary>
    public static IReadOnlyList<string> SavePngs(IEnumerable<ReportFigure> figures, DirectoryInfo directory)
    {
        directory.Create();
        var paths = new List<string>();
        foreach (ReportFigure figure in figures)
        {
            string path = Path.Combine(directory.FullName, figure.Name + ".png");
            Chart.SavePng(figure.Chart, path);
            paths.Add(path);
        }
        return paths;
    }
}
