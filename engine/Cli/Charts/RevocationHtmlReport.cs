using System.Globalization;
using System.Net;
using System.Text;
using Engine.Simulations;

namespace Engine.Cli.Charts;

/// <summary>The self-contained HTML report of <c>engine simulate revocation --report</c>: Figure 2, Table 1 as a figure and the revocation costs, then Tables 1 and 2.</summary>
internal static class RevocationHtmlReport
{
    public static IReadOnlyList<ReportFigure> Figures(RevocationSimulationReport report)
    {
        var points = report.AttributePoints.OrderBy(p => p.Attributes).ToList();
        var users = report.UserPoints.OrderBy(p => p.Users).ToList();
        ChartSeries Timed(string name, Func<AttributePointReport, Timing> y) =>
            new(name, points.Select(p => { Timing t = y(p); return new ChartPoint(p.Attributes, t.Median, t.Min, t.Max); }).ToList());
        ChartSeries Sized(string name, Func<AttributePointReport, double> y) => new(name, points.Select(p => new ChartPoint(p.Attributes, y(p))).ToList());
        ChartSeries UserLine(string name, Func<UserPointReport, Timing?> y, Func<UserPointReport, double> median) =>
            new(name, users.Select(p => y(p) is { } t ? new ChartPoint(p.Users, t.Median, t.Min, t.Max) : new ChartPoint(p.Users, median(p))).ToList());
        string measured = $"measured, median of {report.Repeat} run(s), bars min–max";
        var figures = new List<ReportFigure>();
        if (points.Count > 0)
        {
            figures.Add(new("revocation-figure-2-abe", "Figure 2 (the paper's, 圖2): computation time of key generation, encryption and decryption against the number of attributes",
                new ChartSpec("Figure 2: Keygen, Encrypt, Decrypt", "attributes in the policy", "time (ms)", measured,
                              [Timed("Keygen", p => p.KeygenMs), Timed("Encrypt", p => p.EncryptMs), Timed("Decrypt", p => p.DecryptMs)])));
            figures.Add(new("revocation-figure-2-ring", "Figure 2 (the paper's, 圖2): computation time of the ring signature against the ring size",
                new ChartSpec("Figure 2: ring Sign, Verify", "ring size (attributes)", "time (ms)", measured, [Timed("Sign", p => p.SignMs), Timed("Verify", p => p.VerifyMs)])));
            figures.Add(new("revocation-table-1", "Table 1 (the paper's) as a figure: sizes against the number of attributes",
                new ChartSpec("Table 1: communication cost", "attributes", "encoded size (kB)", "encoded bytes (exact)",
                              [Sized("ciphertext header", p => p.CiphertextHeaderBytes / 1000.0), Sized("signature", p => p.SignatureBytes / 1000.0), Sized("decryption keys", p => p.DecryptionKeysBytes / 1000.0)])));
        }
        if (users.Count > 0)
            figures.Add(new("revocation-users", "Not one of the paper's figures: revocation cost against the number of users",
                new ChartSpec("Revocation", "users", "time (ms)", $"measured, median of {users.Min(u => u.Revocations)}+ revocations, bars min–max",
                              [UserLine("authority: key updates", p => p.AuthorityRevoke, p => p.AuthorityRevokeMs), UserLine("CSP: row updates", p => p.CspUpdate, p => p.CspUpdateMs),
                               UserLine("ring: re-key", p => p.RingRevoke, p => p.RingRevokeMs)])));
        return figures;
    }

    public static string Render(RevocationSimulationReport report)
    {
        var points = report.AttributePoints.OrderBy(p => p.Attributes).ToList();
        var users = report.UserPoints.OrderBy(p => p.Users).ToList();
        var html = new StringBuilder();
        html.Append("<h2>Table 1: communication cost (bytes)</h2><table><tr><th>attributes</th><th>authority PKs</th><th>ring PK</th><th>decryption keys</th><th>ring key</th><th>signature</th><th>ciphertext header</th><th>ciphertext</th><th>token</th></tr>");
        foreach (AttributePointReport p in points)
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{p.Attributes}</td><td>{p.AuthorityPublicKeyBytes}</td><td>{p.RingPublicKeyBytes}</td><td>{p.DecryptionKeysBytes}</td><td>{p.RingSigningKeyBytes}</td><td>{p.SignatureBytes}</td><td>{p.CiphertextHeaderBytes}</td><td>{p.CiphertextBytes}</td><td>{p.TokenBytes}</td></tr>");
        html.Append("</table>");
        if (points.Count > 0)
        {
            html.Append(CultureInfo.InvariantCulture, $"<h2>Table 2: operation counts at n = {points[^1].Attributes}</h2><table><tr><th>algorithm</th><th>counts</th></tr>");
            foreach ((string algorithm, string counts) in points[^1].OperationCounts)
                html.Append("<tr><td style=\"text-align:left\">").Append(WebUtility.HtmlEncode(algorithm)).Append("</td><td style=\"text-align:left\">").Append(WebUtility.HtmlEncode(counts)).Append("</td></tr>");
            html.Append("</table>");
        }
        html.Append("<h2>Revocation</h2><table><tr><th>users</th><th>authority revoke (ms)</th><th>per holder (ms)</th><th>CSP update (ms)</th><th>rows</th><th>per row (ms)</th><th>ring revoke (ms)</th><th>per member (ms)</th><th>failures</th></tr>");
        foreach (UserPointReport p in users)
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{p.Users}</td><td>{p.AuthorityRevokeMs:F1}</td><td>{p.PerRemainingHolderMs:F2}</td><td>{p.CspUpdateMs:F1}</td><td>{p.RowsUpdated}</td><td>{p.PerRowMs:F2}</td><td>{p.RingRevokeMs:F1}</td><td>{p.PerRemainingMemberMs:F2}</td><td>{p.Failures}</td></tr>");
        html.Append("</table>");
        return new HtmlReport("engine simulate revocation", "Multi-authority CP-ABE, ring signatures and user revocation across CSPs (SPEC.md §4)",
                              $"{report.Cpu}; {report.Authorities} authorities; records of {report.PayloadBytes} bytes. Method: {report.Method}.")
            .Figures(Figures(report)).Raw(html.ToString()).ToString();
    }
}
