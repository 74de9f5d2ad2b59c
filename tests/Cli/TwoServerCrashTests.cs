using System.Net;
using System.Net.Sockets;
using Engine.Cli.Commands;
using Engine.Hosting.TwoServer;
using Engine.Primitives.Groups;
using Engine.Primitives.Schnorr;
using Engine.Tests.Support;
using Engine.TwoServer;
using Engine.TwoServer.Partitions;
using Engine.TwoServer.Records;
using Engine.TwoServer.Roles;
using Engine.TwoServer.Storage;
using NUnit.Framework;

namespace Engine.Tests.Cli;

/// <summary>
/// Issue #15's crash test for Protocol 2: S1 runs as its own process (<c>engine serve two-server --data …</c>), is
/// killed with SIGKILL in the middle of a stream of uploads, and restarts from its data: every upload it acknowledged
/// is there, whole, the round is the same, and the users carry on (their registrations and sessions survived).
/// SQLite, and PostgreSQL where <c>ENGINE_TEST_POSTGRES</c> names a server.
/// </summary>
[TestFixture, Category("EndToEnd"), NonParallelizable]
public sealed class TwoServerCrashTests
{
    /// <summary>S1 as a child process; returns once it listens.</summary>
    private static Task<ChildServer> StartS1Async(string dir, string data, int port)
        => ChildServer.StartAsync("two-server", "--role", "s1", "--key", Path.Combine(dir, "s1.key"), "--peer-key", Path.Combine(dir, "s2.key.pub"),
                                  "--port", port.ToString(), "--block", "64", "--round-seconds", "86400", "--data", data);

    [TestCaseSource(typeof(TestDatabase), nameof(TestDatabase.Kinds))]
    public async Task KilledS1_RestartsFromItsData_WithEveryAcknowledgedUpload(string kind)
    {
        using TestDatabase database = TestDatabase.Create(kind);
        string dir = Directory.CreateTempSubdirectory("engine-crash-").FullName;
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var out2 = new StringWriter();
        Task<int>? s2 = null;
        ChildServer? s1 = null;
        var keys = new List<SchnorrSigningKey>();
        var connections = new List<TwoServerTcpConnection>();
        try
        {
            Assert.That(TwoServerCommand.Create(new StringWriter()).Parse(["keygen", "--key", Path.Combine(dir, "s1.key")]).Invoke(), Is.Zero);
            Assert.That(TwoServerCommand.Create(new StringWriter()).Parse(["keygen", "--key", Path.Combine(dir, "s2.key")]).Invoke(), Is.Zero);
            s2 = Task.Run(() => ServeTwoServerCommand.RunAsync(new TwoServerServeOptions("s2", Path.Combine(dir, "s2.key"), Path.Combine(dir, "s1.key.pub"), "127.0.0.1", 0, 64, 86400, 0)
                                                                { Data = "memory" }, out2, stop.Token));
            int port = ChildServer.FreePort();
            s1 = await StartS1Async(dir, database.Location, port);
            for (int i = 0; i < 400 && !out2.ToString().Contains("listening on"); i++) await Task.Delay(50);
            var s1End = new IPEndPoint(IPAddress.Loopback, port);
            IPEndPoint s2End = IPEndPoint.Parse(out2.ToString().Split("listening on ")[1].Split(',')[0]);
            byte[] Pub(string name) => Convert.FromHexString(File.ReadAllText(Path.Combine(dir, name)).Trim());

            TwoServerParameters p = TwoServerParameters.ForBlockSize(64);
            async Task<TwoServerUser> UserAsync(int i, SchnorrSigningKey key)
            {
                TwoServerTcpConnection c1 = await TwoServerTcpConnection.ConnectAsync(s1End), c2 = await TwoServerTcpConnection.ConnectAsync(s2End);
                connections.Add(c1);
                connections.Add(c2);
                return new TwoServerUser($"u{i}", p, key, c1, c2, Pub("s1.key.pub"), Pub("s2.key.pub"));
            }
            var users = new List<TwoServerUser>();
            for (int i = 0; i < 3; i++)
            {
                keys.Add(SchnorrSigningKey.Generate(PrimeOrderGroups.Bls12381G1));
                TwoServerUser user = await UserAsync(i, keys[i]);
                Assert.That(await user.RegisterAsync(), Is.EqualTo(EngineStatus.Ok));
                Assert.That(await user.JoinAsync("team"), Is.EqualTo(EngineStatus.Ok));
                users.Add(user);
            }
            (EngineStatus status, GroupView? group) = await users[0].GetGroupAsync("team");
            Assert.That(status, Is.EqualTo(EngineStatus.Ok));
            (status, TwoServerSession? session) = await users[0].OpenSessionAsync(group!, GroupPartition.ForRecipient(3, 1));
            Assert.That(status, Is.EqualTo(EngineStatus.Ok));
            (status, long round) = await users[0].GetRoundAsync();
            Assert.That(status, Is.EqualTo(EngineStatus.Ok));

            // Upload after upload; SIGKILL once 15 are acknowledged, with the next ones in flight.
            var acknowledged = new List<ulong>();
            var fifteen = new TaskCompletionSource();
            Task sender = Task.Run(async () =>
            {
                for (int i = 0; ; i++)
                {
                    try
                    {
                        (EngineStatus s, ulong id) = await users[0].SendAsync(round, session!, System.Text.Encoding.UTF8.GetBytes($"message {i}"));
                        if (s != EngineStatus.Ok) return;
                        lock (acknowledged) acknowledged.Add(id);
                        if (acknowledged.Count == 15) fifteen.TrySetResult();
                    }
                    catch (Exception e) when (e is IOException or System.Threading.Channels.ChannelClosedException or SocketException or ObjectDisposedException) { return; }
                }
            });
            Assert.That(await Task.WhenAny(fifteen.Task, Task.Delay(TimeSpan.FromSeconds(60))), Is.SameAs(fifteen.Task), "15 uploads acknowledged");
            await s1.KillAsync();                                               // SIGKILL: no shutdown code runs
            await sender;
            ulong[] acked;
            lock (acknowledged) acked = acknowledged.ToArray();

            await s1.DisposeAsync();
            s1 = await StartS1Async(dir, database.Location, port);
            using (SqlTwoServerStore store = SqlTwoServerStore.Open(database.Location))
            {
                Assert.That(store.CurrentRound, Is.EqualTo(round), "the same round is open");
                IReadOnlyList<StoredUpload> uploads = store.Uploads(round);
                Assert.That(uploads.Select(u => u.MessageId), Is.SupersetOf(acked), "every acknowledged upload survived");
                Assert.That(uploads, Has.Count.LessThanOrEqualTo(acked.Length + 1), "at most the one in flight besides");
                Assert.That(uploads.All(u => u.Shares.Length == 2 * p.RecordSize && u.SenderSignature.Length > 0), Is.True, "nothing half-written");
                Assert.That(Enumerable.Range(0, 3).All(i => store.FindUser($"u{i}")?.Active == true), Is.True, "registrations survived");
            }

            // The users carry on against the restarted S1: new connections, the same keys, sessions and round.
            TwoServerUser again = await UserAsync(0, keys[0]);
            (status, _) = await again.SendAsync(round, session!, "after the crash"u8.ToArray());
            Assert.That(status, Is.EqualTo(EngineStatus.Ok));
            (status, GroupView? same) = await again.GetGroupAsync("team");
            Assert.That((status, same!.Epoch), Is.EqualTo((EngineStatus.Ok, group!.Epoch)));
        }
        finally
        {
            foreach (TwoServerTcpConnection c in connections) await c.DisposeAsync();
            if (s1 is not null) await s1.DisposeAsync();
            stop.Cancel();
            if (s2 is not null) await s2;
            foreach (SchnorrSigningKey k in keys) k.Dispose();
            Directory.Delete(dir, recursive: true);
        }
    }
}
