using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Engine.Hosting;
using Engine.Hosting.Framing;
using Engine.Hosting.Roles;
using Engine.IotAuth.Roles;
using Engine.Onion.Roles;
using Engine.Onion.Setup;
using Engine.Primitives.Batching;
using Engine.Primitives.Groups;
using Engine.Tests.IotAuth;
using Engine.Tests.Onion;
using NUnit.Framework;

namespace Engine.Tests.Hosting;

/// <summary>
/// Issue #14's load test: Protocol 1 link setups at a relay and Protocol 3 authentications at an operation centre
/// arrive concurrently at one <see cref="EngineHost"/>. Both protocols' expensive steps are batched by the host's
/// schedulers and computed on its one worker pool, which the counters and the batch-size histogram show.
/// </summary>
[TestFixture, Category("Soak"), NonParallelizable]
public sealed class SharedHostLoadTests
{
    private const int Setups = 1200, Authentications = 600, Concurrency = 12;

    [Test]
    public async Task OnionSetupsAndIotProofs_AtOneHost_ShareItsPool_AndAreBatched()
    {
        using var host = new EngineHost(new EngineHostOptions
        {
            Batching = new() { MaxBatch = 16, MaxDelay = TimeSpan.FromMilliseconds(5), Workers = 2 },
            ProofBatching = new() { MaxBatch = 32, MaxDelay = TimeSpan.FromMilliseconds(5) },
        });
        using var onion = new OnionTestNetwork(PrimeOrderGroups.Modp2048Q256);
        await using var iot = new IotNetwork(host: host);
        using OnionNode relay = host.CreateOnionNode(onion.PrivateKey("relay-1"), maxLinks: Setups + 1);
        var relayRole = new OnionNodeRole(relay);
        var devices = new Device[Concurrency];
        for (int i = 0; i < devices.Length; i++) devices[i] = await iot.EnrolledDevice($"device-{i}");

        var sizes = new ConcurrentDictionary<string, (long Batches, long Items)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) => { if (instrument.Meter.Name == BatchMetrics.MeterName && instrument.Name == "engine.batch.size") l.EnableMeasurementEvents(instrument); };
        listener.SetMeasurementEventCallback<int>((_, items, tags, _) =>
        {
            string scheduler = (string)tags.ToArray().Single(t => t.Key == "scheduler").Value!;
            sizes.AddOrUpdate(scheduler, (1, items), (_, c) => (c.Batches + 1, c.Items + items));
        });
        listener.Start();

        (long batchesBefore, long itemsBefore) = host.BatchCounts;
        long proofsBefore = host.ProofBatcher!.Items;
        var onionWindow = new ConcurrentBag<long>();
        var iotWindow = new ConcurrentBag<long>();
        var clock = Stopwatch.StartNew();

        async Task<int> setups(int worker)
        {
            int ok = 0;
            var connection = new RoleConnection("client");
            var response = new ArrayBufferWriter<byte>();
            for (int i = worker; i < Setups; i += Concurrency)
            {
                byte[] packet = OnionClient.BeginLink(onion.Path(2), DateTimeOffset.UtcNow.AddMinutes(10)).Packet;
                response.ResetWrittenCount();
                RoleReply reply = await relayRole.ProcessAsync(connection, (byte)OnionFrameType.Setup, packet, response);
                if (reply.Status == EngineStatus.Ok) ok++;
                onionWindow.Add(clock.ElapsedTicks);
            }
            return ok;
        }

        async Task<int> authentications(int worker)
        {
            int ok = 0;
            for (int i = worker; i < Authentications; i += Concurrency)
            {
                AuthenticationResult result = await devices[worker].AuthenticateAsync(iot.ToOc);
                result.Keys.Dispose();
                ok++;
                iotWindow.Add(clock.ElapsedTicks);
            }
            return ok;
        }

        Task<int>[] onionTasks = Enumerable.Range(0, Concurrency).Select(w => Task.Run(() => setups(w))).ToArray();
        Task<int>[] iotTasks = Enumerable.Range(0, Concurrency).Select(w => Task.Run(() => authentications(w))).ToArray();
        int[] onionOk = await Task.WhenAll(onionTasks);
        int[] iotOk = await Task.WhenAll(iotTasks);
        listener.RecordObservableInstruments();

        Assert.That(onionOk.Sum(), Is.EqualTo(Setups), "every link setup was answered Ok");
        Assert.That(iotOk.Sum(), Is.EqualTo(Authentications), "every authentication succeeded");
        Assert.That(onionWindow.Min(), Is.LessThan(iotWindow.Max()), "the two protocols' requests overlapped in time");
        Assert.That(iotWindow.Min(), Is.LessThan(onionWindow.Max()));

        (long batches, long items) = host.BatchCounts;
        long exponentiations = items - itemsBefore, modexpBatches = batches - batchesBefore;
        long proofs = host.ProofBatcher.Items - proofsBefore;
        Assert.That(exponentiations, Is.GreaterThanOrEqualTo(2 * Setups), "a setup's exponentiations went through the host's modexp scheduler");
        Assert.That(proofs, Is.EqualTo(Authentications), "every proof went through the host's proof scheduler");
        Assert.That(modexpBatches, Is.LessThan(exponentiations / 2), "exponentiations were batched (more than two per batch on average)");

        var schedulers = host.Pool.Schedulers.ToDictionary(s => s.Scheduler);
        Assert.That(schedulers.Keys, Is.SupersetOf(new[] { "modexp/2048", "proof" }), "both protocols' schedulers run on the host's one pool");
        Assert.That(host.Pool.Workers, Is.EqualTo(2));
        Assert.That(sizes.Keys, Is.SupersetOf(new[] { "modexp/2048", "proof" }), "engine.batch.size was recorded for both");
        Assert.That(sizes["proof"].Items, Is.EqualTo(proofs));
        Assert.That(sizes["proof"].Batches, Is.LessThan(proofs), "proofs shared batches");
        TestContext.Out.WriteLine($"{Setups} setups, {Authentications} authentications in {clock.Elapsed.TotalSeconds:F1} s: " +
                                  $"{exponentiations} exponentiations in {modexpBatches} batches, {proofs} proofs in {sizes["proof"].Batches} batches");
    }
}
