using System.Net;
using Engine.Cli.Commands;
using Engine.Hosting.TwoServer;
using Engine.Primitives.Groups;
using Engine.Primitives.Schnorr;
using Engine.TwoServer;
using Engine.TwoServer.Partitions;
using Engine.TwoServer.Records;
using Engine.TwoServer.Roles;
using NUnit.Framework;

namespace Engine.Tests.Cli;

/// <summary><c>engine serve two-server</c> for S1 and S2 on loopback, and users talking to them over TCP; <c>simulate two-server --mode loopback</c>.</summary>
[TestFixture, Category("EndToEnd"), NonParallelizable]
public sealed class ServeTwoServerCommandTests
{
    private static async Task WaitForAsync(Func<bool> condition, string what)
    {
        for (int i = 0; i < 400 && !condition(); i++) await Task.Delay(50);
        Assert.That(condition(), Is.True, $"timed out waiting for {what}");
    }

    [Test, CancelAfter(60_000)]
    public async Task TheServersRound_NeverRunsAheadOfTheWallClock()
    {
        // Round r is open from (r − 1)·T to r·T: a server whose timer fired early once used to close the round anyway and
        // ran ahead of the clock (and of a cluster's S1, which follows the clock exactly). Found by the cluster kill test.
        string dir = Directory.CreateTempSubdirectory("engine-two-server-clock-").FullName;
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var output = new StringWriter();
        Assert.That(TwoServerCommand.Create(new StringWriter()).Parse(["keygen", "--key", Path.Combine(dir, "s1.key")]).Invoke(), Is.Zero);
        Assert.That(TwoServerCommand.Create(new StringWriter()).Parse(["keygen", "--key", Path.Combine(dir, "s2.key")]).Invoke(), Is.Zero);
        const double RoundSeconds = 0.2;
        Task<int> s1 = Task.Run(() => ServeTwoServerCommand.RunAsync(new TwoServerServeOptions("s1", Path.Combine(dir, "s1.key"), Path.Combine(dir, "s2.key.pub"), "127.0.0.1", 0, 64,
                                                                                               RoundSeconds, 0) { Data = "memory" }, output, stop.Token));
        try
        {
            await WaitForAsync(() => output.ToString().Contains("listening on"), "the server");
            await using TwoServerTcpConnection connection = await TwoServerTcpConnection.ConnectAsync(IPEndPoint.Parse(output.ToString().Split("listening on ")[1].Split(',')[0]));
            long WallRound() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / (long)(RoundSeconds * 1000) + 1;
            long first = 0, last = 0;
            for (int i = 0; i < 80; i++)                                            // 4 s: 20 round boundaries
            {
                long before = WallRound();
                (Engine.TwoServer.Wire.TwoServerMessageType type, byte[] payload) = await connection.RequestAsync(Engine.TwoServer.Wire.TwoServerMessageType.GetRound,
                                                                                                                   [Engine.TwoServer.Wire.TwoServerWire.Version]);
                long after = WallRound();
                Assert.That(type, Is.EqualTo(Engine.TwoServer.Wire.TwoServerMessageType.Round));
                last = System.Buffers.Binary.BinaryPrimitives.ReadInt64BigEndian(payload.AsSpan(1));
                if (first == 0) first = last;
                Assert.That(last, Is.LessThanOrEqualTo(after), $"poll {i}: the server's round {last}, the wall clock's {before}–{after}");
                await Task.Delay(50);
            }
            Assert.That(last - first, Is.GreaterThanOrEqualTo(15), "the rounds did close");
        }
        finally
        {
            await stop.CancelAsync();
            await s1;
            Directory.Delete(dir, recursive: true);
        }
    }

    [Test]
    public async Task ServedS1AndS2_CarryAMessageThroughARound()
    {
        string dir = Directory.CreateTempSubdirectory("engine-two-server-").FullName;
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var out1 = new StringWriter();
        var out2 = new StringWriter();
        Task<int>? s1 = null, s2 = null;
        var keys = new List<SchnorrSigningKey>();
        var connections = new List<TwoServerTcpConnection>();
        try
        {
            Assert.That(TwoServerCommand.Create(new StringWriter()).Parse(["keygen", "--key", Path.Combine(dir, "s1.key")]).Invoke(), Is.Zero);
            Assert.That(TwoServerCommand.Create(new StringWriter()).Parse(["keygen", "--key", Path.Combine(dir, "s2.key")]).Invoke(), Is.Zero);
            s1 = Task.Run(() => ServeTwoServerCommand.RunAsync(new TwoServerServeOptions("s1", Path.Combine(dir, "s1.key"), Path.Combine(dir, "s2.key.pub"), "127.0.0.1", 0, 64, 2, 0), out1, stop.Token));
            s2 = Task.Run(() => ServeTwoServerCommand.RunAsync(new TwoServerServeOptions("s2", Path.Combine(dir, "s2.key"), Path.Combine(dir, "s1.key.pub"), "127.0.0.1", 0, 64, 2, 0), out2, stop.Token));
            await WaitForAsync(() => out1.ToString().Contains("listening on") && out2.ToString().Contains("listening on"), "both servers");
            IPEndPoint Endpoint(StringWriter w) => IPEndPoint.Parse(w.ToString().Split("listening on ")[1].Split(',')[0]);
            byte[] Pub(string name) => Convert.FromHexString(File.ReadAllText(Path.Combine(dir, name)).Trim());

            TwoServerParameters p = TwoServerParameters.ForBlockSize(64);
            var users = new List<TwoServerUser>();
            for (int i = 0; i < 4; i++)
            {
                var key = SchnorrSigningKey.Generate(PrimeOrderGroups.Bls12381G1);
                keys.Add(key);
                TwoServerTcpConnection c1 = await TwoServerTcpConnection.ConnectAsync(Endpoint(out1)), c2 = await TwoServerTcpConnection.ConnectAsync(Endpoint(out2));
                connections.Add(c1);
                connections.Add(c2);
                var user = new TwoServerUser($"u{i}", p, key, c1, c2, Pub("s1.key.pub"), Pub("s2.key.pub"));
                Assert.That(await user.RegisterAsync(), Is.EqualTo(EngineStatus.Ok));
                Assert.That(await user.JoinAsync("team"), Is.EqualTo(EngineStatus.Ok));
                users.Add(user);
            }
            (EngineStatus status, GroupView? group) = await users[0].GetGroupAsync("team");
            Assert.That(status, Is.EqualTo(EngineStatus.Ok));
            (status, TwoServerSession? session) = await users[0].OpenSessionAsync(group!, GroupPartition.ForRecipient(4, 2));
            Assert.That(status, Is.EqualTo(EngineStatus.Ok));
            // Upload in the open round; a round boundary between GetRound and the upload refuses it as Expired: retry.
            long round = 0;
            for (int attempt = 0; attempt < 3; attempt++)
            {
                (status, round) = await users[0].GetRoundAsync();
                if (status != EngineStatus.Ok) { await Task.Delay(200); continue; }               // the two servers are between closes
                (status, _) = await users[0].SendAsync(round, session!, "over tcp"u8.ToArray());
                if (status == EngineStatus.Ok) break;
            }
            Assert.That(status, Is.EqualTo(EngineStatus.Ok));
            await WaitForAsync(() => users[0].GetRoundAsync().GetAwaiter().GetResult() is (EngineStatus.Ok, long now) && now > round, "the round to close");
            (status, FetchedRound? fetched) = await users[2].FetchAsync(round, group!);
            Assert.That(status, Is.EqualTo(EngineStatus.Ok));
            Assert.That(fetched!.Messages.Single().Verdict, Is.EqualTo(RecordVerdict.Accepted));
            Assert.That(fetched.Messages.Single().Payload, Is.EqualTo("over tcp"u8.ToArray()));
            (status, fetched) = await users[1].FetchAsync(round, group!);
            Assert.That(fetched!.Messages.Single().Verdict, Is.EqualTo(RecordVerdict.Noise));
        }
        finally
        {
            foreach (TwoServerTcpConnection c in connections) await c.DisposeAsync();
            stop.Cancel();
            if (s1 is not null) Assert.That(await s1, Is.Zero, out1.ToString());
            if (s2 is not null) Assert.That(await s2, Is.Zero, out2.ToString());
            foreach (SchnorrSigningKey k in keys) k.Dispose();
            Directory.Delete(dir, recursive: true);
        }
        Assert.That(out1.ToString(), Does.Contain("closed with"));
    }

    [TestCase(false), TestCase(true)]
    public void SimulateLoopback_DeliversEveryMessage(bool batchSignatures)
    {
        var output = new StringWriter();
        string[] args = ["simulate", "two-server", "--mode", "loopback", "--sizes", "6,15", "--rounds", "3", "--block", "32", .. (batchSignatures ? new[] { "--batch-signatures" } : [])];
        int code = Engine.Cli.Program.BuildRoot(new StringReader(""), output).Parse(args).Invoke();
        Assert.That(code, Is.Zero, output.ToString());
        Assert.That(output.ToString(), Does.Contain("18/18").And.Contain("45/45"));
        Assert.That(output.ToString(), Does.Contain("3 measured rounds after a warm-up"));
    }

    [Test, Category("Malformed")]
    public void ServeTwoServer_RefusesBadOptions()
    {
        string dir = Directory.CreateTempSubdirectory("engine-two-server-").FullName;
        try
        {
            var output = new StringWriter();
            Assert.That(ServeTwoServerCommand.RunAsync(new TwoServerServeOptions("s3", "k", "p", "127.0.0.1", 0, 64, 1, 1), output, default).Result, Is.EqualTo(1));
            Assert.That(output.ToString(), Does.Contain("--role is s1 or s2"));
            output = new StringWriter();
            Assert.That(ServeTwoServerCommand.RunAsync(new TwoServerServeOptions("s1", Path.Combine(dir, "k"), Path.Combine(dir, "missing.pub"), "127.0.0.1", 0, 64, 1, 1), output, default).Result, Is.EqualTo(1));
            Assert.That(output.ToString(), Does.Contain("cannot read the peer key"));
            output = new StringWriter();
            Assert.That(ServeTwoServerCommand.RunAsync(new TwoServerServeOptions("s1", Path.Combine(dir, "k"), Path.Combine(dir, "k.pub"), "127.0.0.1", 0, 64, 1, 1), output, default).Result, Is.EqualTo(1));
            Assert.That(output.ToString(), Does.Contain("the peer key is this server's own key"));
            foreach ((string flag, string value) in new[] { ("--max-connections", "0"), ("--max-per-address", "-1"), ("--idle-timeout", "0") })
            {
                output = new StringWriter();
                string[] args = ["serve", "two-server", "--role", "s1", "--key", Path.Combine(dir, "k"), "--peer-key", Path.Combine(dir, "k.pub"), flag, value];
                Assert.That(Engine.Cli.Program.BuildRoot(new StringReader(""), output).Parse(args).Invoke(), Is.EqualTo(1), flag);
                Assert.That(output.ToString(), Does.Contain(flag), "the error names the option");
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
