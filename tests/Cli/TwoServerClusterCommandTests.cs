using System.Net;
using Engine.Cli.Commands;
using Engine.Hosting.TwoServer;
using Engine.Primitives.Groups;
using Engine.Primitives.Schnorr;
using Engine.Tests.Support;
using Engine.TwoServer;
using Engine.TwoServer.Partitions;
using Engine.TwoServer.Records;
using Engine.TwoServer.Roles;
using NUnit.Framework;

namespace Engine.Tests.Cli;

/// <summary>
/// <c>engine serve two-server --cluster</c> end to end: S1 as two processes' worth of cluster (a silo with a frontend,
/// and a stateless frontend alone) on one PostgreSQL database, S2 single-process; the cluster's round clock closes
/// one-second rounds by itself, and a message sent through one S1 frontend is fetched through the other.
/// </summary>
[TestFixture, Category("EndToEnd"), NonParallelizable]
public sealed class TwoServerClusterCommandTests
{
    [Test, CancelAfter(180_000)]
    public async Task ASiloAndAFrontend_ServeOneCluster_WhoseClockClosesTheRounds()
    {
        using TestDatabase database = TestDatabase.Create("postgres");
        string dir = Directory.CreateTempSubdirectory("engine-cluster-cli-").FullName;
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        Assert.That(TwoServerCommand.Create(new StringWriter()).Parse(["keygen", "--key", Path.Combine(dir, "s1.key")]).Invoke(), Is.Zero);
        Assert.That(TwoServerCommand.Create(new StringWriter()).Parse(["keygen", "--key", Path.Combine(dir, "s2.key")]).Invoke(), Is.Zero);
        TwoServerServeOptions S1(string part) => new("s1", Path.Combine(dir, "s1.key"), Path.Combine(dir, "s2.key.pub"), "127.0.0.1", 0, 64, 1, 0)
        {
            Cluster = database.Location, ClusterPart = part,
        };
        var siloOut = new SyncWriter();
        var frontendOut = new SyncWriter();
        var s2Out = new SyncWriter();
        Task<int> silo = Task.Run(() => ServeTwoServerCommand.RunAsync(S1("both"), siloOut, stop.Token));
        await WaitForAsync(siloOut, "frontend listening on");
        Task<int> frontend = Task.Run(() => ServeTwoServerCommand.RunAsync(S1("frontend"), frontendOut, stop.Token));
        Task<int> s2 = Task.Run(() => ServeTwoServerCommand.RunAsync(new TwoServerServeOptions("s2", Path.Combine(dir, "s2.key"), Path.Combine(dir, "s1.key.pub"), "127.0.0.1", 0, 64, 1, 0)
                                                                         { Data = "memory" }, s2Out, stop.Token));
        await WaitForAsync(frontendOut, "frontend listening on");
        await WaitForAsync(s2Out, "listening on");
        Assert.That(siloOut.ToString(), Does.Contain("silo of cluster engine-two-server-s1 up"));
        Assert.That(frontendOut.ToString(), Does.Not.Contain("silo of cluster"), "a frontend alone runs no silo");

        IPEndPoint viaSilo = EndPointIn(siloOut, "frontend listening on "), viaFrontend = EndPointIn(frontendOut, "frontend listening on "), s2End = EndPointIn(s2Out, "listening on ");
        byte[] Pub(string name) => Convert.FromHexString(File.ReadAllText(Path.Combine(dir, name)).Trim());
        TwoServerParameters p = TwoServerParameters.ForBlockSize(64);
        var connections = new List<TwoServerTcpConnection>();
        using SchnorrSigningKey aliceKey = SchnorrSigningKey.Generate(PrimeOrderGroups.Bls12381G1), bobKey = SchnorrSigningKey.Generate(PrimeOrderGroups.Bls12381G1);
        async Task<TwoServerUser> UserAsync(string id, SchnorrSigningKey key, IPEndPoint s1)
        {
            TwoServerTcpConnection c1 = await TwoServerTcpConnection.ConnectAsync(s1), c2 = await TwoServerTcpConnection.ConnectAsync(s2End);
            connections.AddRange([c1, c2]);
            return new TwoServerUser(id, p, key, c1, c2, Pub("s1.key.pub"), Pub("s2.key.pub"));
        }
        try
        {
            TwoServerUser alice = await UserAsync("alice", aliceKey, viaSilo), bob = await UserAsync("bob", bobKey, viaFrontend);
            foreach (TwoServerUser u in new[] { alice, bob })
            {
                Assert.That(await u.RegisterAsync(), Is.EqualTo(EngineStatus.Ok));
                Assert.That(await u.JoinAsync("pair"), Is.EqualTo(EngineStatus.Ok));
            }
            (EngineStatus status, GroupView? group) = await alice.GetGroupAsync("pair");
            Assert.That((status, group!.Members.Count), Is.EqualTo((EngineStatus.Ok, 2)), "bob's join through the other frontend is there");
            (status, TwoServerSession? session) = await alice.OpenSessionAsync(group, GroupPartition.ForRecipient(2, group.IndexOf("bob")));
            Assert.That(status, Is.EqualTo(EngineStatus.Ok));
            // Rounds are one second of wall clock on both servers: retry a send, or a round query, that straddles a
            // boundary (the servers close it a few milliseconds apart, and meanwhile disagree: VerificationFailed).
            long round = 0;
            for (int attempt = 0; attempt < 10; attempt++)
            {
                (status, round) = await alice.GetRoundAsync();
                if (status == EngineStatus.VerificationFailed) { await Task.Delay(100); continue; }
                Assert.That(status, Is.EqualTo(EngineStatus.Ok));
                (status, _) = await alice.SendAsync(round, session!, "hello through the cluster"u8.ToArray());
                if (status == EngineStatus.Ok) break;
                Assert.That(status, Is.EqualTo(EngineStatus.Expired));
            }
            Assert.That(status, Is.EqualTo(EngineStatus.Ok));
            FetchedRound? fetched = null;
            for (int attempt = 0; attempt < 50 && fetched is null; attempt++)
            {
                await Task.Delay(200);
                (status, fetched) = await bob.FetchAsync(round, group);                      // NotFound until the clock closes the round
                Assert.That(status, Is.EqualTo(EngineStatus.Ok).Or.EqualTo(EngineStatus.NotFound));
            }
            Assert.That(fetched, Is.Not.Null, "the cluster's clock closed the round by itself");
            Assert.That(fetched!.Messages.Where(m => m.Verdict == RecordVerdict.Accepted).Select(m => System.Text.Encoding.UTF8.GetString(m.Payload)),
                        Does.Contain("hello through the cluster"));
        }
        finally
        {
            foreach (TwoServerTcpConnection c in connections) await c.DisposeAsync();
            await stop.CancelAsync();
            Assert.That(await frontend, Is.Zero, frontendOut.ToString());
            Assert.That(await silo, Is.Zero, siloOut.ToString());
            Assert.That(await s2, Is.Zero);
            Directory.Delete(dir, recursive: true);
        }
    }

    [Test, CancelAfter(240_000)]
    public async Task ASiloProcessKilledWithSigkill_LosesNoAcknowledgedUpload()
    {
        using TestDatabase database = TestDatabase.Create("postgres");
        string dir = Directory.CreateTempSubdirectory("engine-cluster-kill-").FullName;
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        Assert.That(TwoServerCommand.Create(new StringWriter()).Parse(["keygen", "--key", Path.Combine(dir, "s1.key")]).Invoke(), Is.Zero);
        Assert.That(TwoServerCommand.Create(new StringWriter()).Parse(["keygen", "--key", Path.Combine(dir, "s2.key")]).Invoke(), Is.Zero);
        const int RoundSeconds = 3;
        Task<ChildServer> Silo(int port) => ChildServer.StartAsync("two-server", "--role", "s1", "--key", Path.Combine(dir, "s1.key"), "--peer-key", Path.Combine(dir, "s2.key.pub"),
                                                                    "--port", port.ToString(), "--block", "64", "--round-seconds", RoundSeconds.ToString(), "--cluster", database.Location,
                                                                    "--fast-failure-detection");
        int[] ports = [ChildServer.FreePort(), ChildServer.FreePort()];
        await using ChildServer first = await Silo(ports[0]);
        await using ChildServer second = await Silo(ports[1]);
        ChildServer[] silos = [first, second];
        var s2Out = new SyncWriter();
        Task<int> s2 = Task.Run(() => ServeTwoServerCommand.RunAsync(new TwoServerServeOptions("s2", Path.Combine(dir, "s2.key"), Path.Combine(dir, "s1.key.pub"), "127.0.0.1", 0, 64,
                                                                                               RoundSeconds, 0) { Data = "memory" }, s2Out, stop.Token));
        await WaitForAsync(s2Out, "listening on");
        IPEndPoint s2End = EndPointIn(s2Out, "listening on ");
        byte[] Pub(string name) => Convert.FromHexString(File.ReadAllText(Path.Combine(dir, name)).Trim());
        TwoServerParameters p = TwoServerParameters.ForBlockSize(64);
        var connections = new List<TwoServerTcpConnection>();
        var keys = new List<SchnorrSigningKey>();
        try
        {
            // Six groups of two, every user through the first silo's frontend.
            async Task<TwoServerUser> ConnectAsync(int i, int frontend)
            {
                TwoServerTcpConnection c1 = await TwoServerTcpConnection.ConnectAsync(new IPEndPoint(IPAddress.Loopback, ports[frontend])), c2 = await TwoServerTcpConnection.ConnectAsync(s2End);
                connections.AddRange([c1, c2]);
                return new TwoServerUser($"u{i}", p, keys[i], c1, c2, Pub("s1.key.pub"), Pub("s2.key.pub"));
            }
            var users = new List<TwoServerUser>();
            for (int i = 0; i < 12; i++)
            {
                keys.Add(SchnorrSigningKey.Generate(PrimeOrderGroups.Bls12381G1));
                TwoServerUser user = await ConnectAsync(i, 0);
                Assert.That(await user.RegisterAsync(), Is.EqualTo(EngineStatus.Ok));
                Assert.That(await user.JoinAsync($"g{i / 2}"), Is.EqualTo(EngineStatus.Ok));
                users.Add(user);
            }
            var views = new GroupView[6];
            var sessions = new TwoServerSession[12];
            for (int i = 0; i < 12; i++)
            {
                (EngineStatus status, GroupView? view) = await users[i].GetGroupAsync($"g{i / 2}");
                Assert.That(status, Is.EqualTo(EngineStatus.Ok));
                views[i / 2] = view!;
                (status, TwoServerSession? session) = await users[i].OpenSessionAsync(view!, GroupPartition.ForRecipient(2, 1 - view!.IndexOf($"u{i}")));
                Assert.That(status, Is.EqualTo(EngineStatus.Ok));
                sessions[i] = session!;
            }

            // Every user sends, the victim is killed with SIGKILL, every user sends again (retrying while the cluster notices).
            var acknowledged = new List<(int Sender, long Round, string Text)>();
            async Task SendAllAsync(string phase)
            {
                for (int i = 0; i < 12; i++)
                {
                    EngineStatus status = EngineStatus.Unreachable;
                    var seen = new List<string>();
                    var started = System.Diagnostics.Stopwatch.StartNew();
                    for (int attempt = 0; attempt < 120 && status != EngineStatus.Ok; attempt++)
                    {
                        (EngineStatus s, long round) = await users[i].GetRoundAsync();
                        if (s != EngineStatus.Ok) { seen.Add($"round {s} at {started.ElapsedMilliseconds} ms ({await RoundsAsync()})"); await Task.Delay(250); continue; }
                        string text = $"{phase} from u{i} in {round} #{attempt}";
                        (status, _) = await users[i].SendAsync(round, sessions[i], System.Text.Encoding.UTF8.GetBytes(text));
                        if (status == EngineStatus.Ok) acknowledged.Add((i, round, text));
                        else
                        {
                            seen.Add($"upload {status} at {started.ElapsedMilliseconds} ms");
                            Assert.That(status, Is.AnyOf(EngineStatus.Unreachable, EngineStatus.Expired), $"u{i}, {phase}");
                            await Task.Delay(250);
                        }
                    }
                    Assert.That(status, Is.EqualTo(EngineStatus.Ok), $"u{i} uploads {phase}: {string.Join("; ", seen.TakeLast(6))}");
                }
            }
            // Each server's open round as a fresh connection sees it (for the failure messages).
            async Task<string> RoundsAsync()
            {
                var parts = new List<string>();
                foreach ((string name, IPEndPoint end) in new[] { ("s1/0", new IPEndPoint(IPAddress.Loopback, ports[0])), ("s1/1", new IPEndPoint(IPAddress.Loopback, ports[1])), ("s2", s2End) })
                {
                    try
                    {
                        await using TwoServerTcpConnection c = await TwoServerTcpConnection.ConnectAsync(end);
                        (Engine.TwoServer.Wire.TwoServerMessageType type, byte[] payload) = await c.RequestAsync(Engine.TwoServer.Wire.TwoServerMessageType.GetRound, [Engine.TwoServer.Wire.TwoServerWire.Version]);
                        parts.Add($"{name} {type} {(payload.Length >= 9 ? System.Buffers.Binary.BinaryPrimitives.ReadInt64BigEndian(payload.AsSpan(1)).ToString() : Convert.ToHexString(payload))}");
                    }
                    catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or System.Threading.Channels.ChannelClosedException) { parts.Add($"{name} down"); }
                }
                return string.Join(", ", parts) + $", wall {DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / (RoundSeconds * 1000) + 1}";
            }
            await SendAllAsync("before");
            // The victim is the silo that holds group grains now (each prints "N groups active" every round); if that is
            // the users' frontend, they connect to the other one, where their registrations and sessions are just as valid.
            int[] groupsActive = new int[2];
            for (int attempt = 0; attempt < 50 && groupsActive.Sum() < 6; attempt++)
            {
                await Task.Delay(200);
                for (int k = 0; k < 2; k++)
                    groupsActive[k] = silos[k].Log.Split('\n').Where(l => l.Contains(" groups active")).Select(l => int.Parse(l.Split("silo: ")[1].Split(' ')[0])).LastOrDefault();
            }
            Assert.That(groupsActive.Sum(), Is.EqualTo(6), "the six group grains, counted on the silos");
            int victim = groupsActive[0] >= groupsActive[1] ? 0 : 1;
            TestContext.Out.WriteLine($"groups active per silo {groupsActive[0]}, {groupsActive[1]}: killing silo {victim}");
            await silos[victim].KillAsync();
            if (victim == 0)
                for (int i = 0; i < 12; i++) users[i] = await ConnectAsync(i, 1);
            await SendAllAsync("after");

            // Every acknowledged message reaches its recipient once its round has closed (the clock runs on the survivor now).
            foreach (IGrouping<(int Recipient, long Round), (int Sender, long Round, string Text)> batch in acknowledged.GroupBy(a => (a.Sender ^ 1, a.Round)))
            {
                FetchedRound? fetched = null;
                for (int attempt = 0; attempt < 100 && fetched is null; attempt++)
                {
                    (EngineStatus status, fetched) = await users[batch.Key.Recipient].FetchAsync(batch.Key.Round, views[batch.Key.Recipient / 2]);
                    if (status != EngineStatus.Ok) await Task.Delay(200);
                }
                Assert.That(fetched, Is.Not.Null, $"u{batch.Key.Recipient} fetches round {batch.Key.Round}");
                string[] received = [.. fetched!.Messages.Where(m => m.Verdict == RecordVerdict.Accepted).Select(m => System.Text.Encoding.UTF8.GetString(m.Payload))];
                foreach ((_, _, string text) in batch) Assert.That(received, Does.Contain(text), $"acknowledged: {text}");
            }
            Assert.That(silos[1 - victim].Log, Does.Not.Contain("Unhandled exception"));
        }
        finally
        {
            foreach (TwoServerTcpConnection c in connections) await c.DisposeAsync();
            foreach (SchnorrSigningKey k in keys) k.Dispose();
            await stop.CancelAsync();
            await s2;
            Directory.Delete(dir, recursive: true);
        }
    }

    private static async Task WaitForAsync(SyncWriter output, string text)
    {
        for (int i = 0; i < 600 && !output.ToString().Contains(text); i++) await Task.Delay(50);
        Assert.That(output.ToString(), Does.Contain(text));
    }

    private static IPEndPoint EndPointIn(SyncWriter output, string marker) => IPEndPoint.Parse(output.ToString().Split(marker)[1].Split(',')[0].Trim());

    /// <summary>A StringWriter the server's thread writes while the test reads.</summary>
    private sealed class SyncWriter : StringWriter
    {
        private readonly Lock _gate = new();

        public override void Write(char value) { lock (_gate) base.Write(value); }

        public override void Write(string? value) { lock (_gate) base.Write(value); }

        public override void WriteLine(string? value) { lock (_gate) base.WriteLine(value); }

        public override string ToString() { lock (_gate) return base.ToString(); }
    }
}
