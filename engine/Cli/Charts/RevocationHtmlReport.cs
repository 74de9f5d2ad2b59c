using System.Globalization;
using System.Net;
using System.Text;
using Engine.Simulations;

namespace Engine.Cli.Charts;

/// <summary>The self-contained HTML report of <c>engine simulate revocation --report</c>: Figure 2 and the revocation costs as inline SVG, Tables 1 and 2.</summary>
internal static class RevocationHtmlReport
{
    public static string Render(RevocationSimulationReport report)
    {
        var points = report.AttributePoints.OrderBy(p => p.Attributes).ToList();
        var users = report.UserPoints.OrderBy(p => p.Users).ToList();
        ChartSeries Line(string name, Func<AttributePointReport, double> y) => new(name, points.Select(p => ((double)p.Attributes, y(p))).ToList());
        ChartSeries UserLine(string name, Func<UserPointReport, double> y) => new(name, users.Select(p => ((double)p.Users, y(p))).ToList());
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>engine simulate revocation</title>")
            .Append("<style>body{font-family:sans-serif;max-width:1200px;margin:2em auto}figure{display:inline-block;margin:1em}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}</style></head><body>")
            .Append("<h1>Multi-authority CP-ABE, ring signatures and user revocation across CSPs (SPEC.md §4)</h1>")
            .Append(CultureInfo.InvariantCulture, $"<p>{WebUtility.HtmlEncode(report.Cpu)}; {report.Authorities} authorities; records of {report.PayloadBytes} bytes. Method: {WebUtility.HtmlEncode(report.Method)}.</p>");
        void Figure(string caption, string svg) => html.Append("<figure>").Append(svg).Append("<figcaption>").Append(WebUtility.HtmlEncode(caption)).Append("</figcaption></figure>");
        if (points.Count > 0)
        {
            Figure("Figure 2 (the paper's): computation time of the decryption side against the number of attributes, measured (median)",
                   SvgLineChart.Render("Keygen, Encrypt, Decrypt", "attributes in the policy", "ms", [Line("Keygen", p => p.KeygenMs.Median), Line("Encrypt", p => p.EncryptMs.Median), Line("Decrypt", p => p.DecryptMs.Median)]));
            Figure("Figure 2 (the paper's): computation time of the ring signature against the ring size, measured (median)",
                   SvgLineChart.Render("Sign, Verify", "ring size (attributes)", "ms", [Line("Sign", p => p.SignMs.Median), Line("Verify", p => p.VerifyMs.Median)]));
            Figure("Table 1 as a figure: sizes against the number of attributes, encoded bytes",
                   SvgLineChart.Render("Communication cost", "attributes", "kB", [Line("ciphertext header", p => p.CiphertextHeaderBytes / 1000.0), Line("signature", p => p.SignatureBytes / 1000.0), Line("decryption keys", p => p.DecryptionKeysBytes / 1000.0)]));
        }
        if (users.Count > 0)
            Figure("Revocation cost against the number of users, measured",
                   SvgLineChart.Render("Revocation", "users", "ms", [UserLine("authority: key updates", p => p.AuthorityRevokeMs), UserLine("CSP: row updates", p => p.CspUpdateMs), UserLine("ring: re-key", p => p.RingRevokeMs)]));
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
        html.Append("</table></body></html>");
        return html.ToString();
    }
}
