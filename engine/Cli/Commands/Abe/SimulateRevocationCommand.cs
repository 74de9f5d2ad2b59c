using Engine.Cli.Commands;
using System.CommandLine;
using Engine.Cli.Charts;
using Engine.Cli.Commands.Iot;
using Engine.Simulations;
using Spectre.Console;

namespace Engine.Cli.Commands.Abe;

/// <summary>
/// <c>engine simulate revocation</c>: Protocol 4 end to end over loopback (authorities, a source and an accepting CSP,
/// users), the paper's Figure 2, Tables 1 and 2 and the revocation costs, with a progress bar, tables, <c>--json</c>
/// and an HTML report.
/// </summary>
internal static class SimulateRevocationCommand
{
    public static Command Create(TextWriter output)
    {
        var authorities = new Option<int>("--authorities") { Description = "Encryption authorities (the first also keeps the ring).", DefaultValueFactory = _ => 3 };
        var attributes = new Option<string>("--attributes") { Description = "Comma-separated attribute counts (policy size and ring size).", DefaultValueFactory = _ => "2,10,50,100" };
        var users = new Option<string>("--users") { Description = "Comma-separated user counts for the revocation points.", DefaultValueFactory = _ => "10,100,1000" };
        var payload = new Option<string>("--payload") { Description = "Record size, e.g. 512KiB (the paper's 512 kB) or 4096.", DefaultValueFactory = _ => "512KiB" };
        var repeat = new Option<int>("--repeat") { Description = "Repetitions per measured operation.", DefaultValueFactory = _ => 3 };
        var json = new Option<FileInfo?>("--json") { Description = "Also write the figures as JSON to this file." };
        var report = new Option<FileInfo?>("--report") { Description = "Write a self-contained HTML report with the figures as SVG charts." };
        var figures = new Option<DirectoryInfo?>("--figures") { Description = "Also write each figure as a PNG file into this directory." };
        var command = new Command("revocation", "Protocol 4: multi-authority CP-ABE, ring signatures and user revocation across CSPs, over loopback (SPEC.md §4).");
        foreach (Option o in new Option[] { authorities, attributes, users, payload, repeat, json, report, figures }) command.Options.Add(o);
        command.SetAction(r => Run(output, r.GetValue(authorities), r.GetValue(attributes)!, r.GetValue(users)!, r.GetValue(payload)!, r.GetValue(repeat), r.GetValue(json), r.GetValue(report), r.GetValue(figures)));
        return command;
    }

    internal static int Run(TextWriter output, int authorities, string attributesText, string usersText, string payloadText, int repeat, FileInfo? json, FileInfo? reportFile, DirectoryInfo? figures = null)
    {
        if (!TryParseList(attributesText, out List<int> attributeCounts)) return IotFiles.Fail(output, $"--attributes '{attributesText}' is not a list of counts");
        if (!TryParseList(usersText, out List<int> userCounts)) return IotFiles.Fail(output, $"--users '{usersText}' is not a list of counts");
        if (!TryParseSize(payloadText, out int payloadBytes)) return IotFiles.Fail(output, $"--payload '{payloadText}' is not a size (e.g. 512KiB, 4096)");
        IAnsiConsole console = DemoCommand.CreateConsole(output);
        using var metrics = new MetricsRecorder();
        console.MarkupLine(Markup.Escape($"simulate revocation: {authorities} authorities, a source and an accepting CSP on 127.0.0.1; attributes {attributesText}; users {usersText}; records of {payloadBytes} bytes; {repeat} repetition(s)"));
        RevocationSimulationReport report;
        try
        {
            report = SimulationProgress.Run(console, progress => RevocationSimulation.RunAsync(new RevocationSimulationOptions(authorities, attributeCounts, userCounts, payloadBytes, repeat), progress));
        }
        catch (ArgumentException e) { return IotFiles.Fail(output, e.Message); }

        static string T(Timing t) => $"{t.Median:F1} ({t.Min:F1}–{t.Max:F1})";
        var figure2 = new Table().Title("Figure 2: computation time (ms, median (min–max))")
            .AddColumns("attributes / ring size", "Keygen (all keys)", "Encrypt (CSP, with DEM)", "Decrypt", "Sign", "Verify", "token + fetch (round trips)", "failures");
        foreach (AttributePointReport p in report.AttributePoints)
            figure2.AddRow($"{p.Attributes}", T(p.KeygenMs), T(p.EncryptMs), T(p.DecryptMs), T(p.SignMs), T(p.VerifyMs), T(p.AccessRoundTripMs), $"{p.Failures}");
        console.Write(figure2);
        var table1 = new Table().Title("Table 1: communication cost (bytes)")
            .AddColumns("attributes", "authority PKs", "ring PK", "user decryption keys", "ring signing key", "signature", "ciphertext header", "ciphertext", "token");
        foreach (AttributePointReport p in report.AttributePoints)
            table1.AddRow($"{p.Attributes}", $"{p.AuthorityPublicKeyBytes}", $"{p.RingPublicKeyBytes}", $"{p.DecryptionKeysBytes}", $"{p.RingSigningKeyBytes}",
                          $"{p.SignatureBytes}", $"{p.CiphertextHeaderBytes}", $"{p.CiphertextBytes}", $"{p.TokenBytes}");
        console.Write(table1);
        if (report.AttributePoints.Count > 0)
        {
            AttributePointReport last = report.AttributePoints[^1];
            var table2 = new Table().Title($"Table 2: operation counts at n = {last.Attributes}").AddColumns("algorithm", "hashes, pairings, exponentiations");
            foreach ((string algorithm, string counts) in last.OperationCounts) table2.AddRow(Markup.Escape(algorithm), Markup.Escape(counts));
            console.Write(table2);
        }
        var revocation = new Table().Title("Revocation cost")
            .AddColumns("users", "authority revoke (ms)", "per remaining holder (ms)", "CSP update (ms)", "rows", "per row (ms)", "ring revoke (ms)", "per member (ms)", "failures");
        foreach (UserPointReport p in report.UserPoints)
            revocation.AddRow($"{p.Users}", $"{p.AuthorityRevokeMs:F1}", $"{p.PerRemainingHolderMs:F2}", $"{p.CspUpdateMs:F1}", $"{p.RowsUpdated}", $"{p.PerRowMs:F2}",
                              $"{p.RingRevokeMs:F1}", $"{p.PerRemainingMemberMs:F2}", $"{p.Failures}");
        console.Write(revocation);
        MetricsTable.Write(console, metrics);
        console.MarkupLine(Markup.Escape($"{report.Method}; {report.Cpu}"));
        if (json is not null) File.WriteAllText(json.FullName, RevocationSimulation.ToJson(report));
        if (reportFile is not null) File.WriteAllText(reportFile.FullName, RevocationHtmlReport.Render(report));
        if (figures is not null) HtmlReport.SavePngs(RevocationHtmlReport.Figures(report), figures);
        int failures = report.AttributePoints.Sum(p => p.Failures) + report.UserPoints.Sum(p => p.Failures);
        return failures == 0 ? 0 : 1;
    }

    private static bool TryParseList(string text, out List<int> values)
    {
        values = [];
        foreach (string part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!int.TryParse(part, out int n)) return false;
            values.Add(n);
        }
        return true;
    }

    internal static bool TryParseSize(string text, out int bytes)
    {
        bytes = 0;
        (string digits, int unit) = text.EndsWith("KiB", StringComparison.OrdinalIgnoreCase) ? (text[..^3], 1024)
                                  : text.EndsWith("MiB", StringComparison.OrdinalIgnoreCase) ? (text[..^3], 1 << 20)
                                  : text.EndsWith("kB", StringComparison.OrdinalIgnoreCase) ? (text[..^2], 1000) : (text, 1);
        if (!int.TryParse(digits, out int n) || n < 0 || (long)n * unit > int.MaxValue) return false;
        bytes = n * unit;
        return true;
    }
}
