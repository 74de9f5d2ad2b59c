using System.Text.Json;
using Engine.Cli;
using NUnit.Framework;

namespace Engine.Tests.Cli;

/// <summary><c>engine simulate onion</c> end to end on loopback: the table, the JSON file and option errors.</summary>
[TestFixture, Category("EndToEnd"), NonParallelizable]
public sealed class SimulateCommandTests
{
    private static (int Code, string Output) Run(params string[] args)
    {
        var output = new StringWriter();
        int code = Program.BuildRoot(new StringReader(""), output).Parse(args).Invoke();
        return (code, output.ToString());
    }

    [Test]
    public void SimulateOnion_ReportsFiguresAndWritesJson()
    {
        string json = Path.Combine(Path.GetTempPath(), $"sim-{Guid.NewGuid():N}.json");
        try
        {
            (int code, string output) = Run("simulate", "onion", "--relays", "2", "--links", "2", "--messages", "6", "--payload", "100",
                                            "--group", "BLS12381G1", "--reencrypt", "--json", json);
            Assert.That(code, Is.Zero, output);
            Assert.That(output, Does.Contain("link setups per second"));
            using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(json));
            Assert.That(doc.RootElement.GetProperty("Messages").GetInt32(), Is.EqualTo(6));
            Assert.That(doc.RootElement.GetProperty("Refusals").GetInt64(), Is.Zero);
            Assert.That(doc.RootElement.GetProperty("PacketsProcessed").GetInt64(), Is.GreaterThanOrEqualTo(2 * 6 + 2 * 2));
        }
        finally
        {
            File.Delete(json);
        }
    }

    [Test, Category("Malformed")]
    public void SimulateOnion_RejectsBadOptionsWithAMessage()
    {
        (int code, string output) = Run("simulate", "onion", "--relays", "9");
        Assert.That(code, Is.EqualTo(1));
        Assert.That(output, Does.Contain("error: Relays must be 1 to 8"));
        (code, output) = Run("simulate", "onion", "--group", "nope");
        Assert.That(code, Is.EqualTo(1));
        Assert.That(output, Does.Contain("Unknown group"));
    }
}
