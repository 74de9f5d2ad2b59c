using Engine.Cli.Commands;
using Engine.Hosting.Onion;
using NUnit.Framework;

namespace Engine.Tests.Cli;

/// <summary>
/// <c>engine serve kgc|relay|destination</c> and <c>engine onion send</c> end to end on loopback: the servers a
/// newcomer starts by hand, driven in-process so that the test can stop them.
/// </summary>
[TestFixture, Category("EndToEnd"), NonParallelizable]
public sealed class ServeCommandTests
{
    private string _dir = "";
    private CancellationTokenSource _stop = new();
    private readonly List<Task<int>> _servers = new();

    [SetUp]
    public void SetUp()
    {
        _dir = Directory.CreateTempSubdirectory("engine-serve-").FullName;
        _stop = new CancellationTokenSource(TimeSpan.FromMinutes(3));
    }

    [TearDown]
    public async Task TearDown()
    {
        _stop.Cancel();
        await Task.WhenAll(_servers);
        _servers.Clear();
        Directory.Delete(_dir, recursive: true);
    }

    private string File(string name) => Path.Combine(_dir, name);

    private static async Task WaitForAsync(Func<bool> condition, string what)
    {
        for (int i = 0; i < 600 && !condition(); i++) await Task.Delay(50);
        Assert.That(condition(), Is.True, $"timed out waiting for {what}");
    }

    private async Task<KgcTrustFile> StartKgcAsync(CancellationToken? stop = null, StringWriter? output = null)
    {
        output ??= new StringWriter();
        System.IO.File.Delete(File("trust.txt"));
        _servers.Add(Task.Run(() => ServeCommand.RunKgcAsync(new KgcServeOptions("BLS12381G1", "127.0.0.1", 0, File("ek.hex"), File("trust.txt"), 0), output, stop ?? _stop.Token)));
        await WaitForAsync(() => System.IO.File.Exists(File("trust.txt")), "the trust file");
        return KgcTrustFile.Load(File("trust.txt"));
    }

    private async Task<StringWriter> StartNodeAsync(string role, string id, KgcTrustFile anchor, string keyFile = "ek.hex", string? nodeKey = null, CancellationToken? stop = null)
    {
        var output = new StringWriter();
        var options = new NodeServeOptions(role, id, anchor.Endpoint.ToString(), "BLS12381G1", "127.0.0.1", 0, File(keyFile), true, true, 0, 0)
        {
            KeyFile = nodeKey is null ? null : File(nodeKey),
        };
        Task<int> server = Task.Run(() => ServeCommand.RunNodeAsync(options, output, stop ?? _stop.Token));
        _servers.Add(server);
        await WaitForAsync(() => server.IsCompleted || output.ToString().Contains("listening on"), $"{id} to start");
        return output;
    }

    private static (int Code, string Output) Send(OnionSendOptions options)
    {
        var output = new StringWriter();
        int code = OnionCommand.SendAsync(options, output).GetAwaiter().GetResult();
        return (code, output.ToString());
    }

    [Test]
    public async Task ServedKgcRelaysAndDestination_CarryAClientsMessages()
    {
        KgcTrustFile anchor = await StartKgcAsync();
        // The destination first, then the relays backwards: each knows its next hop from its first directory fetch.
        StringWriter destination = await StartNodeAsync("destination", "destination", anchor);
        await StartNodeAsync("relay", "relay-2", anchor);
        await StartNodeAsync("relay", "relay-1", anchor);

        (int code, string output) = Send(new OnionSendOptions(File("trust.txt"), "relay-1,relay-2,destination", "hello, onion", 3, false, 30));
        Assert.That(code, Is.Zero, output);
        Assert.That(output, Does.Contain("link established through relay-1 → relay-2 → destination"));
        for (int i = 1; i <= 3; i++) Assert.That(output, Does.Match($"reply {i} \\([0-9.]+ ms\\): hello, onion"));
        (code, output) = Send(new OnionSendOptions(File("trust.txt"), "relay-2,destination", "layered", 1, true, 30));
        Assert.That(code, Is.Zero, output);
        Assert.That(output, Does.Contain("): layered"));

        _stop.Cancel();
        await Task.WhenAll(_servers);
        Assert.That(_servers.Select(s => s.Result), Is.All.Zero);
        Assert.That(destination.ToString(), Does.Contain("4 messages delivered"));
    }

    [Test]
    public async Task RestartedKgcAndNodes_KeepTheirKeys_AndTheNetworkWorksAgain()
    {
        KgcTrustFile before;
        using (var first = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token))
        {
            before = await StartKgcAsync(first.Token);
            await StartNodeAsync("destination", "destination", before, stop: first.Token);
            await StartNodeAsync("relay", "relay-1", before, stop: first.Token);
            (int code, string output) = Send(new OnionSendOptions(File("trust.txt"), "relay-1,destination", "before", 1, false, 30));
            Assert.That(code, Is.Zero, output);
            first.Cancel();
            await Task.WhenAll(_servers);
            Assert.That(_servers.Select(t => t.Result), Is.All.Zero);
            _servers.Clear();
        }
        var kgcOutput = new StringWriter();
        KgcTrustFile after = await StartKgcAsync(output: kgcOutput);
        Assert.That(after.MasterPublicKey, Is.EqualTo(before.MasterPublicKey), "pk_sys survived the restart: clients' trust files stay valid");
        Assert.That(after.ListSigningKey, Is.EqualTo(before.ListSigningKey));
        Assert.That(kgcOutput.ToString(), Does.Contain("2 registered endpoints restored"));
        // The restarted nodes re-enrol with their saved secret values (no Replay) and register their new ports.
        StringWriter destination = await StartNodeAsync("destination", "destination", after);
        StringWriter relay = await StartNodeAsync("relay", "relay-1", after);
        Assert.That(destination.ToString() + relay.ToString(), Does.Not.Contain("error"));
        (int code2, string output2) = Send(new OnionSendOptions(File("trust.txt"), "relay-1,destination", "after", 1, false, 30));
        Assert.That(code2, Is.Zero, output2);
        Assert.That(output2, Does.Contain("): after"));
    }

    [Test, Category("Malformed")]
    public async Task BadKeysPathsAndTrustFiles_AreRefusedWithAMessage()
    {
        KgcTrustFile anchor = await StartKgcAsync();
        await StartNodeAsync("destination", "destination", anchor);

        System.IO.File.WriteAllText(File("other.hex"), Convert.ToHexString(new byte[32]));
        StringWriter intruder = await StartNodeAsync("relay", "intruder", anchor, "other.hex");
        Assert.That(await _servers[^1], Is.EqualTo(1));
        Assert.That(intruder.ToString(), Does.Contain("refused to enrol 'intruder': VerificationFailed (wrong enrolment key"));
        StringWriter twice = await StartNodeAsync("relay", "destination", anchor, nodeKey: "another.node-key");
        Assert.That(await _servers[^1], Is.EqualTo(1));
        Assert.That(twice.ToString(), Does.Contain("enrolled with another secret value"));

        (int code, string output) = Send(new OnionSendOptions(File("trust.txt"), "nobody,destination", "x", 1, false, 30));
        Assert.That((code, output), Is.EqualTo((1, "error: 'nobody' is not in the KGC's signed node list (destination)\n")).Using<(int, string)>((a, b) => a.Item1 == b.Item1 && a.Item2.Trim() == b.Item2.Trim()));

        // A trust file whose list key is another valid key: the KGC's signed list no longer verifies.
        using var otherKgc = new Engine.Onion.Keys.KeyGenerationCenter(new Engine.Onion.OnionParameters(Engine.Primitives.Groups.PrimeOrderGroups.Bls12381G1));
        System.IO.File.WriteAllText(File("forged.txt"), (anchor with { ListSigningKey = otherKgc.ListSigningKey.ToArray() }).ToText());
        (code, output) = Send(new OnionSendOptions(File("forged.txt"), "destination,destination", "x", 1, false, 30));
        Assert.That(code, Is.EqualTo(1));
        Assert.That(output, Does.Contain("does not verify against the trust file: VerificationFailed"));

        System.IO.File.WriteAllText(File("broken.txt"), "group=BLS12381G1\nendpoint=nowhere\n");
        (code, output) = Send(new OnionSendOptions(File("broken.txt"), "destination,destination", "x", 1, false, 30));
        Assert.That((code, output.Trim()), Is.EqualTo((1, "error: Trust file: 'endpoint' is not HOST:PORT.")));
    }

    [Test, Category("Malformed")]
    public async Task ARelayThatCannotReachItsNextHop_RefusesTheSetup_AndKeepsNoLink()
    {
        KgcTrustFile anchor = await StartKgcAsync();
        await StartNodeAsync("destination", "destination", anchor);
        StringWriter relay = await StartNodeAsync("relay", "relay-1", anchor);
        // Registered but gone: a destination that enrols, registers, and stops.
        var gone = new CancellationTokenSource();
        var output = new StringWriter();
        Task<int> ghost = ServeCommand.RunNodeAsync(new NodeServeOptions("destination", "ghost", anchor.Endpoint.ToString(), "BLS12381G1", "127.0.0.1", 0,
                                                                          File("ek.hex"), true, true, 0.5, 0), output, gone.Token);
        Assert.That(await ghost, Is.Zero, output.ToString());
        await Task.Delay(2500);                                  // relay-1's refresh loop learns ghost's endpoint

        (int code, string text) = Send(new OnionSendOptions(File("trust.txt"), "relay-1,ghost", "x", 1, false, 30));
        Assert.That((code, text.Trim()), Is.EqualTo((1, "error: link setup refused: Unreachable")));
        (code, text) = Send(new OnionSendOptions(File("trust.txt"), "relay-1,destination", "still works", 1, false, 30));
        Assert.That(code, Is.Zero, text);
        _stop.Cancel();
        await Task.WhenAll(_servers);
        Assert.That(relay.ToString(), Does.Contain("stopped: relay 'relay-1': 1 links"), "the refused setup left no link");
    }
}
