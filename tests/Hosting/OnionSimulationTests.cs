using Engine.Simulations;
using Engine.Hosting.Onion;
using NUnit.Framework;

namespace Engine.Tests.Hosting;

/// <summary>The simulation end to end: KGC directory server, enrolled relays, concurrent clients.</summary>
[TestFixture, Category("EndToEnd"), NonParallelizable]
public sealed class OnionSimulationTests
{
    [TestCase(1, true, 8), TestCase(4, true, 8), TestCase(4, false, 8), TestCase(4, true, 5), TestCase(6, true, 3)]
    public async Task Simulation_CompletesEveryLinkAndMessage(int clients, bool batching, int links)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        int last = 0;
        OnionSimulationReport report = await OnionSimulation.RunAsync(
            new OnionSimulationOptions(Relays: 2, Links: links, Messages: 16, Clients: clients, Batching: batching),
            (done, total) => { lock (timeout) last = Math.Max(last, done); }, timeout.Token);
        Assert.That(report.Repeat, Is.EqualTo(3), "the default: three measured rounds after a warm-up");
        Assert.That(last, Is.EqualTo(3 * (links + 16)), "progress counts only the measured rounds");
        Assert.That(report.Refusals, Is.Zero);
        Assert.That(report.LinkSetupsPerSecond, Is.GreaterThan(0).And.InRange(report.LinkSetupsPerSecondMin, report.LinkSetupsPerSecondMax));
        Assert.That(report.MessagesPerSecond, Is.GreaterThan(0).And.InRange(report.MessagesPerSecondMin, report.MessagesPerSecondMax));
        if (batching && clients > 1) Assert.That(report.ExponentiationsPerBatch, Is.GreaterThan(1));
    }
}
