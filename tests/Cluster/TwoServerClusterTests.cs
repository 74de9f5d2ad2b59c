using Engine.Cluster.TwoServer;
using Engine.Tests.Support;
using Engine.TwoServer;
using NUnit.Framework;

namespace Engine.Tests.Cluster;

/// <summary>
/// S1 and S2 as Orleans clusters on loopback (issue #17), state in PostgreSQL (two databases: the servers never share
/// one): groups spread over three silos, a silo killed mid-round, a frontend restarted. Every check goes through real
/// users over TCP, so "delivered" means the recipient reconstructed the sender's message from both servers' inboxes.
/// </summary>
[TestFixture, NonParallelizable, Category("Cluster")]
public sealed class TwoServerClusterTests
{
    private static readonly TwoServerParameters Parameters = TwoServerParameters.ForBlockSize(64);

    private static async Task<(TestDatabase S1, TestDatabase S2, TwoServerClusterRig Rig)> StartAsync(int silos, int frontends)
    {
        TestDatabase s1 = TestDatabase.Create("postgres"), s2 = TestDatabase.Create("postgres");
        return (s1, s2, await TwoServerClusterRig.StartAsync(s1.Location, s2.Location, silos, frontends, Parameters));
    }

    /// <summary>Each user's message is among its recipient's accepted messages of the round.</summary>
    private static async Task AssertEveryMessageDeliveredAsync(ClusterUsers users, long round, IReadOnlyCollection<int> senders)
    {
        var received = new List<byte[]>[users.Count];
        for (int i = 0; i < users.Count; i++)
        {
            (EngineStatus status, List<byte[]> messages, int tampered, _) = await users.FetchAsync(i, round, CancellationToken.None);
            Assert.That((status, tampered), Is.EqualTo((EngineStatus.Ok, 0)), $"user {i}'s fetch");
            received[i] = messages;
        }
        foreach (int i in senders)
            Assert.That(received[users.RecipientOf(i)].Any(m => m.AsSpan().SequenceEqual(ClusterUsers.Message(round, i))), Is.True,
                        $"user {i}'s message reached user {users.RecipientOf(i)}");
    }

    [Test, CancelAfter(240_000)]
    public async Task ThreeSilos_GroupsSpreadOverThem_AndEveryMessageIsDelivered()
    {
        (TestDatabase d1, TestDatabase d2, TwoServerClusterRig rig) = await StartAsync(silos: 3, frontends: 2);
        using (d1) using (d2) await using (rig)
        {
            await using ClusterUsers users = await ClusterUsers.ConnectAsync(rig, Parameters, groups: 12, groupSize: 3, CancellationToken.None);
            await users.RegisterJoinAndOpenSessionsAsync(CancellationToken.None);
            long round = await users.SendAllAsync(CancellationToken.None);
            Assert.That(await rig.CloseRoundAsync(), Is.EqualTo(round + 1));
            await AssertEveryMessageDeliveredAsync(users, round, [.. Enumerable.Range(0, users.Count)]);
            foreach ((TestDatabase database, TwoServerClusterRig.Side side) in new[] { (d1, rig.S1), (d2, rig.S2) })
            {
                // Each server's silos found each other through its own membership table, and only there.
                using var sql = Engine.Storage.SqlDatabase.Open(database.Location, "unused");
                long active = sql.Read(c => (long)Engine.Storage.SqlDatabase.Scalar(c, null, "SELECT COUNT(*) FROM orleans_membership WHERE status = @s",
                                                                                     ("s", (long)Orleans.Runtime.SiloStatus.Active))!);
                Assert.That(active, Is.EqualTo(3), $"S{side.Index}: three active silos in its own membership table");
            }
            foreach (TwoServerClusterRig.Side side in new[] { rig.S1, rig.S2 })
            {
                long[] groupsPerSilo = [.. side.Loads.Select(l => l.GroupActivations)];
                TestContext.Out.WriteLine($"S{side.Index}: groups per silo {string.Join(", ", groupsPerSilo)}; uploads per silo {string.Join(", ", side.Loads.Select(l => l.Uploads))}");
                Assert.That(groupsPerSilo.Sum(), Is.EqualTo(12), $"S{side.Index}: each group is one grain");
                Assert.That(groupsPerSilo.Count(g => g > 0), Is.GreaterThanOrEqualTo(2), $"S{side.Index}: groups on more than one silo");
                Assert.That(side.Loads.Sum(l => l.Uploads), Is.EqualTo(users.Count), $"S{side.Index}: one upload per user, stored once");
            }
        }
    }

    [Test, CancelAfter(240_000)]
    public async Task HostileClients_AtAFrontend_AreRefusedBeforeAnyStateChanges_AndAnUnreachableClusterIsAnsweredNotDropped()
    {
        (TestDatabase d1, TestDatabase d2, TwoServerClusterRig rig) = await StartAsync(silos: 2, frontends: 1);
        using (d1) using (d2) await using (rig)
        {
            await using ClusterUsers users = await ClusterUsers.ConnectAsync(rig, Parameters, groups: 1, groupSize: 3, CancellationToken.None);
            await users.RegisterJoinAndOpenSessionsAsync(CancellationToken.None);
            long round = await users.RoundAsync(CancellationToken.None);
            await using Engine.Hosting.TwoServer.TwoServerTcpConnection attacker = await Engine.Hosting.TwoServer.TwoServerTcpConnection.ConnectAsync(rig.EndPoint(1, 0));
            var refusals = new Dictionary<EngineStatus, int>();
            for (int i = 0; i < 200; i++)
            {
                // Well-formed uploads naming sessions nobody opened, and garbage: refused, never stored, the connection kept.
                byte[] request = i % 2 == 0
                    ? new Engine.TwoServer.Wire.TwoServerWire.Writer().Int64(round).Fixed(System.Security.Cryptography.RandomNumberGenerator.GetBytes(Engine.TwoServer.Wire.TwoServerWire.SessionIdSize))
                          .UInt64((ulong)i).Blob(new byte[2 * Parameters.RecordSize]).Blob(new byte[96]).ToArray()
                    : System.Security.Cryptography.RandomNumberGenerator.GetBytes(64);
                (Engine.TwoServer.Wire.TwoServerMessageType type, byte[] payload) = await attacker.RequestAsync(Engine.TwoServer.Wire.TwoServerMessageType.Upload, request);
                Assert.That(type, Is.EqualTo(Engine.TwoServer.Wire.TwoServerMessageType.Error));
                EngineStatus status = payload.Length >= 2 ? (EngineStatus)payload[1] : EngineStatus.Ok;
                refusals[status] = refusals.GetValueOrDefault(status) + 1;
            }
            TestContext.Out.WriteLine("refusals: " + string.Join(", ", refusals.Select(r => $"{r.Key} {r.Value}")));
            Assert.That(refusals.GetValueOrDefault(EngineStatus.NotFound), Is.EqualTo(100), "every unknown session is NotFound");
            Assert.That(rig.S1.Loads.Sum(l => l.Uploads), Is.Zero, "nothing stored");
            Assert.That(await users.SendAsync(0, round, CancellationToken.None), Is.EqualTo(EngineStatus.Ok), "an honest user is served meanwhile");

            // Every silo of S1 gone: the frontend answers Unreachable (nothing acknowledged) instead of dropping the user.
            await rig.KillSiloAsync(1, 0);
            await rig.KillSiloAsync(1, 1);
            (Engine.TwoServer.Wire.TwoServerMessageType answer, byte[] error) = await attacker.RequestAsync(Engine.TwoServer.Wire.TwoServerMessageType.GetRound,
                                                                                                              new Engine.TwoServer.Wire.TwoServerWire.Writer().ToArray());
            Assert.That((answer, (EngineStatus)error[1]), Is.EqualTo((Engine.TwoServer.Wire.TwoServerMessageType.Error, EngineStatus.Unreachable)));
        }
    }

    [Test, CancelAfter(240_000)]
    public async Task TheUploadQuota_HoldsAcrossFrontends()
    {
        using TestDatabase d1 = TestDatabase.Create("postgres"), d2 = TestDatabase.Create("postgres");
        await using TwoServerClusterRig rig = await TwoServerClusterRig.StartAsync(d1.Location, d2.Location, silos: 1, frontends: 2, Parameters,
                                                                                  quotas: Engine.TwoServer.Roles.TwoServerQuotas.Default with { MaxUploadsPerUserPerRound = 2 });
        await using ClusterUsers users = await ClusterUsers.ConnectAsync(rig, Parameters, groups: 1, groupSize: 2, CancellationToken.None);
        await users.RegisterJoinAndOpenSessionsAsync(CancellationToken.None);
        long round = await users.RoundAsync(CancellationToken.None);
        await users.ReconnectAsync(0, CancellationToken.None, frontend: 0);
        for (int k = 0; k < 2; k++) Assert.That(await users.SendAsync(0, round, CancellationToken.None), Is.EqualTo(EngineStatus.Ok), $"upload {k} through frontend 0");
        await users.ReconnectAsync(0, CancellationToken.None, frontend: 1);
        Assert.That(await users.SendAsync(0, round, CancellationToken.None), Is.EqualTo(EngineStatus.QuotaExceeded), "a third through frontend 1: the count is the cluster's");
        Assert.That(await users.SendAsync(1, round, CancellationToken.None), Is.EqualTo(EngineStatus.Ok), "another user is not affected");
        await rig.CloseRoundAsync();
        Assert.That(await users.SendAsync(0, round + 1, CancellationToken.None), Is.EqualTo(EngineStatus.Ok), "a new round, a new count");
    }

    [Test, CancelAfter(120_000)]
    public async Task TheRoundClock_FollowsTheWallClock_AndIsKeptByAReminder()
    {
        using TestDatabase database = TestDatabase.Create("postgres");
        var options = new TwoServerClusterOptions { ConnectionString = database.Location, ServerIndex = 1, RoundLength = TimeSpan.FromSeconds(1), FastFailureDetection = true };
        Microsoft.Extensions.Hosting.IHost silo = await TwoServerCluster.StartSiloAsync(options);
        try
        {
            var clock = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<IGrainFactory>(silo.Services)
                                                                                                  .GetGrain<Engine.Cluster.TwoServer.Grains.IRoundClockGrain>(0);
            long wall = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000 + 1;
            long first = await clock.Current();
            Assert.That(first, Is.InRange(wall, wall + 1), "round r is open from (r − 1)·T to r·T");
            await Task.Delay(2500);
            Assert.That(await clock.Current(), Is.GreaterThanOrEqualTo(first + 2));
            using var sql = Engine.Storage.SqlDatabase.Open(database.Location, "unused");
            long reminders = sql.Read(c => (long)Engine.Storage.SqlDatabase.Scalar(c, null, "SELECT COUNT(*) FROM orleans_reminders WHERE name = 'round'")!);
            Assert.That(reminders, Is.EqualTo(1), "the clock's reminder is in PostgreSQL, for whichever silo outlives this one");
            long stored = sql.Read(c => (long)Engine.Storage.SqlDatabase.Scalar(c, null, "SELECT round FROM ts_meta WHERE id = 1")!);
            Assert.That(stored, Is.GreaterThanOrEqualTo(first + 2), "the open round is in the store, not only in the grain");
        }
        finally
        {
            await silo.StopAsync();
            silo.Dispose();
        }
    }

    [Test, CancelAfter(300_000)]
    public async Task SiloKilledMidRound_EveryAcknowledgedUploadIsStillDelivered()
    {
        (TestDatabase d1, TestDatabase d2, TwoServerClusterRig rig) = await StartAsync(silos: 3, frontends: 2);
        using (d1) using (d2) await using (rig)
        {
            await using ClusterUsers users = await ClusterUsers.ConnectAsync(rig, Parameters, groups: 6, groupSize: 3, CancellationToken.None);
            await users.RegisterJoinAndOpenSessionsAsync(CancellationToken.None);
            long round = await users.RoundAsync(CancellationToken.None);
            int half = users.Count / 2;
            for (int i = 0; i < half; i++) Assert.That(await users.SendAsync(i, round, CancellationToken.None), Is.EqualTo(EngineStatus.Ok));
            long groupsOnVictim = rig.S1.Loads[0].GroupsActive + rig.S2.Loads[0].GroupsActive;
            await rig.KillSiloAsync(1, 0);
            await rig.KillSiloAsync(2, 0);
            // The rest upload while the cluster notices: a refusal (Unreachable) acknowledged nothing, so the user retries.
            var acknowledged = new List<int>(Enumerable.Range(0, half));
            for (int i = half; i < users.Count; i++)
            {
                EngineStatus status = EngineStatus.Unreachable;
                for (int attempt = 0; attempt < 60 && status != EngineStatus.Ok; attempt++)
                {
                    status = await users.SendAsync(i, round, CancellationToken.None);
                    if (status is EngineStatus.Unreachable or EngineStatus.Replay) await Task.Delay(500);
                    if (status == EngineStatus.Replay) status = EngineStatus.Ok;      // one server stored it before the other answered
                }
                Assert.That(status, Is.EqualTo(EngineStatus.Ok), $"user {i} uploads after the kill");
                acknowledged.Add(i);
            }
            Assert.That(await rig.CloseRoundAsync(), Is.EqualTo(round + 1), "the round clock came back with its round");
            await AssertEveryMessageDeliveredAsync(users, round, acknowledged);
            TestContext.Out.WriteLine($"group grains on the killed silos: {groupsOnVictim}; reactivated on the others: S1 {string.Join(", ", rig.S1.Loads.Select(l => l.GroupActivations))}");
            Assert.That(groupsOnVictim, Is.GreaterThan(0), "the killed silos held groups (else the test proves nothing)");
        }
    }

    [Test, CancelAfter(240_000)]
    public async Task FrontendRestarted_LosesNothing()
    {
        (TestDatabase d1, TestDatabase d2, TwoServerClusterRig rig) = await StartAsync(silos: 2, frontends: 2);
        using (d1) using (d2) await using (rig)
        {
            await using ClusterUsers users = await ClusterUsers.ConnectAsync(rig, Parameters, groups: 3, groupSize: 4, CancellationToken.None);
            await users.RegisterJoinAndOpenSessionsAsync(CancellationToken.None);
            long round = await users.RoundAsync(CancellationToken.None);
            for (int i = 0; i < users.Count; i += 2) Assert.That(await users.SendAsync(i, round, CancellationToken.None), Is.EqualTo(EngineStatus.Ok));
            await rig.RestartFrontendAsync(1, 0);
            await rig.RestartFrontendAsync(2, 0);
            await users.ReconnectAllAsync(CancellationToken.None);
            // Sessions opened before the restart still work through the new frontends: they were grain state, not the frontend's.
            for (int i = 1; i < users.Count; i += 2) Assert.That(await users.SendAsync(i, round, CancellationToken.None), Is.EqualTo(EngineStatus.Ok));
            await rig.CloseRoundAsync();
            await AssertEveryMessageDeliveredAsync(users, round, [.. Enumerable.Range(0, users.Count)]);
        }
    }
}
