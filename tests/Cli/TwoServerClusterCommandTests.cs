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
            // Rounds are one second of wall clock on both servers: retry a send that straddles a boundary.
            long round = 0;
            for (int attempt = 0; attempt < 5; attempt++)
            {
                (status, round) = await alice.GetRoundAsync();
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
