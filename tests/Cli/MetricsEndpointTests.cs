using System.Net;
using Engine.Cli;
using Engine.Cli.Commands;
using Engine.Hosting.TwoServer;
using Engine.TwoServer.Wire;
using NUnit.Framework;

namespace Engine.Tests.Cli;

/// <summary><c>engine serve … --metrics-port</c>: the role server's requests and refusals, scraped in the Prometheus text format.</summary>
[TestFixture, Category("EndToEnd"), NonParallelizable]
public sealed class MetricsEndpointTests
{
    [Test]
    public async Task ServedS1_ExportsItsRequestsRefusalsAndLatency_OnMetricsPort()
    {
        string dir = Directory.CreateTempSubdirectory("engine-metrics-").FullName;
        var output = new StringWriter();
        var writer = TextWriter.Synchronized(output);
        Task<int>? server = null;
        try
        {
            Assert.That(TwoServerCommand.Create(new StringWriter()).Parse(["keygen", "--key", Path.Combine(dir, "s1.key")]).Invoke(), Is.Zero);
            Assert.That(TwoServerCommand.Create(new StringWriter()).Parse(["keygen", "--key", Path.Combine(dir, "s2.key")]).Invoke(), Is.Zero);
            server = Task.Run(() => Program.BuildRoot(new StringReader(""), writer).Parse(
                ["serve", "two-server", "--role", "s1", "--key", Path.Combine(dir, "s1.key"), "--peer-key", Path.Combine(dir, "s2.key.pub"), "--port", "0",
                 "--block", "64", "--data", "memory", "--run-for", "6", "--metrics-port", "0"]).Invoke());
            for (int i = 0; i < 300 && !output.ToString().Contains("listening on"); i++)
            {
                if (server.IsCompleted) Assert.Fail(output.ToString());
                await Task.Delay(50);
            }
            string text = output.ToString();
            Assert.That(text, Does.Contain("metrics on http://127.0.0.1:"), text);
            string metricsUrl = text.Split("metrics on ")[1].Split('\n')[0].Trim();
            var s1 = IPEndPoint.Parse(text.Split("listening on ")[1].Split(',')[0]);

            await using (TwoServerTcpConnection connection = await TwoServerTcpConnection.ConnectAsync(s1))
            {
                (TwoServerMessageType type, _) = await connection.RequestAsync(TwoServerMessageType.GetRound, [TwoServerWire.Version]);
                Assert.That(type, Is.EqualTo(TwoServerMessageType.Round));
                (type, byte[] error) = await connection.RequestAsync((TwoServerMessageType)200, [1, 2, 3]);
                Assert.That(type, Is.EqualTo(TwoServerMessageType.Error));
                Assert.That(error, Is.EqualTo(new[] { TwoServerWire.Version, (byte)EngineStatus.UnknownMessageType }));
            }

            using var http = new HttpClient();
            string metrics = "";
            // The exporter reads the instruments at scrape time; retry briefly while the second answer is recorded.
            for (int i = 0; i < 40 && !metrics.Contains("UnknownMessageType"); i++)
            {
                metrics = await http.GetStringAsync(metricsUrl);
                await Task.Delay(100);
            }
            TestContext.Out.WriteLine(metrics);
            Assert.That(Value(metrics, "engine_role_requests_total", "role=\"two-server/s1\""), Is.EqualTo(2), "two requests");
            Assert.That(Value(metrics, "engine_role_refusals_total", "status=\"UnknownMessageType\""), Is.EqualTo(1), "one refusal, by status");
            Assert.That(Value(metrics, "engine_role_latency_milliseconds_count", "role=\"two-server/s1\""), Is.EqualTo(2), "a latency histogram");
        }
        finally
        {
            if (server is not null) Assert.That(await server, Is.Zero, output.ToString());
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>The value of the one sample of <paramref name="name"/> whose labels contain <paramref name="label"/>, or -1.</summary>
    private static double Value(string metrics, string name, string label)
    {
        string? line = metrics.Split('\n').SingleOrDefault(l => l.StartsWith(name + "{", StringComparison.Ordinal) && l.Contains(label));
        return line is null ? -1 : double.Parse(line[(line.IndexOf('}') + 1)..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
    }
}
