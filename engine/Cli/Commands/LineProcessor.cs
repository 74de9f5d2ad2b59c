namespace Engine.Cli.Commands;

/// <summary>Thrown for an input line that cannot be processed; its message becomes the error line.</summary>
internal sealed class LineException(string message) : Exception(message);

/// <summary>
/// The line loop shared by the scripting commands (<c>math …</c>, <c>pairing …</c>): one output line per input
/// line, <c>error: line N: reason</c> for a line that fails, processing goes on; blank lines and '#' comments are
/// skipped. Exit code 0 when every line succeeded, 1 otherwise.
/// </summary>
internal static class LineProcessor
{
    public static int Run(TextReader input, TextWriter output, int minOperands, int maxOperands, Func<string[], string> handler)
    {
        int lineNumber = 0, failures = 0;
        string? line;
        while ((line = input.ReadLine()) is not null)
        {
            lineNumber++;
            string trimmed = line.Trim();
            if (trimmed.Length == 0 || trimmed.StartsWith('#')) continue;
            string[] ops = trimmed.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            try
            {
                if (ops.Length < minOperands || ops.Length > maxOperands)
                    throw new LineException(minOperands == maxOperands
                        ? $"expected {minOperands} operands, found {ops.Length}"
                        : $"expected {minOperands} to {maxOperands} operands, found {ops.Length}");
                output.WriteLine(handler(ops));
            }
            catch (LineException e)
            {
                failures++;
                output.WriteLine($"error: line {lineNumber}: {e.Message}");
            }
        }
        output.Flush();
        return failures == 0 ? 0 : 1;
    }

    public static string Truncate(string s) => s.Length <= 32 ? s : s[..32] + "…";
}
