using System.Net;
using System.Net.Sockets;
using Engine.Cli;
using Engine.Cli.Commands;
using Engine.Cli.Commands.Abe;
using Engine.Cli.Commands.Iot;
using Engine.Hosting.IotAuth;
using Engine.Hosting.Onion;
using Engine.Hosting.Revocation;
using Engine.IotAuth;
using Engine.IotAuth.Roles;
using Engine.IotAuth.Storage;
using Engine.Onion;
using Engine.Onion.Keys;
using Engine.Primitives.Encryption;
using Engine.Primitives.Groups;
using Engine.Primitives.Schnorr;
using Engine.Revocation.Roles;
using Engine.Tests.IotAuth;
using Engine.Tests.Support;
using NUnit.Framework;

namespace Engine.Tests.Cli;

/// <summary>
/// Issue #15's crash tests for the servers that enrol: the KGC (Protocol 1), the operation centre (Protocol 3) and an
/// ABE authority (Protocol 4) each run as their own process, are killed with SIGKILL in the middle of a stream of
/// enrolments, and restart from their data: every enrolment they acknowledged is there and works, the keys are the
/// same, and nothing half-written stops the restart. SQLite, and PostgreSQL where <c>ENGINE_TEST_POSTGRES</c> names a
/// server.
/// </summary>
[TestFixture, Category("EndToEnd"), NonParallelizable]
public sealed class EnrolmentCrashTests
{
    private string _dir = "";

    [SetUp]
    public void CreateDirectory() => _dir = Directory.CreateTempSubdirectory("engine-crash-").FullName;

    [TearDown]
    public void DeleteDirectory() => Directory.Delete(_dir, recursive: true);

    private string P(string name) => Path.Combine(_dir, name);

    private static async Task WaitForFileAsync(string path)
    {
        for (int i = 0; i < 400 && !File.Exists(path); i++) await Task.Delay(25);
        Assert.That(File.Exists(path), Is.True, $"no {path}");
    }

    /// <summary>
    /// Runs <paramref name="enrol"/> for 0, 1, 2, … until <paramref name="count"/> are acknowledged, kills the server with
    /// the next ones in flight, and returns the indexes it acknowledged.
    /// </summary>
    private static async Task<int[]> EnrolUntilKilledAsync(ChildServer server, int count, Func<int, Task<bool>> enrol)
    {
        var acknowledged = new List<int>();
        var enough = new TaskCompletionSource();
        Task stream = Task.Run(async () =>
        {
            for (int i = 0; ; i++)
            {
                try
                {
                    if (!await enrol(i)) return;
                    lock (acknowledged) acknowledged.Add(i);
                    if (acknowledged.Count == count) enough.TrySetResult();
                }
                catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or TimeoutException or EngineException
                                               or System.Threading.Channels.ChannelClosedException or OperationCanceledException) { return; }
            }
        });
        Assert.That(await Task.WhenAny(enough.Task, Task.Delay(TimeSpan.FromSeconds(90))), Is.SameAs(enough.Task), $"{count} enrolments acknowledged:\n{server.Log}");
        await server.KillAsync();                                                // SIGKILL: no shutdown code runs
        await stream;
        lock (acknowledged) return [.. acknowledged];
    }

    [TestCaseSource(typeof(TestDatabase), nameof(TestDatabase.Kinds))]
    public async Task KilledKgc_RestartsWithItsKeys_AndEveryAcknowledgedEnrolment(string kind)
    {
        using TestDatabase database = TestDatabase.Create(kind);
        int port = ChildServer.FreePort();
        string[] arguments = ["kgc", "--group", "BLS12381G1", "--port", port.ToString(), "--enrolment-key", P("ek.hex"), "--trust-file", P("trust.txt"),
                              "--data", database.Location, "--state-key", P("state.key")];
        await using ChildServer kgc = await ChildServer.StartAsync(arguments);
        await WaitForFileAsync(P("trust.txt"));
        KgcTrustFile before = KgcTrustFile.Load(P("trust.txt"));
        byte[] enrolmentKey = ServeCommand.ReadEnrolmentKey(P("ek.hex"), create: false, TextWriter.Null)!;
        var parameters = new OnionParameters(PrimeOrderGroups.Bls12381G1);
        var secrets = new System.Collections.Concurrent.ConcurrentDictionary<int, (CertificatelessSecretValue Secret, byte[] PartialPublic)>();
        var endpoint = new IPEndPoint(IPAddress.Loopback, port);
        try
        {
            await using (KgcClient client = await KgcClient.ConnectAsync(endpoint))
            {
                int[] acknowledged = await EnrolUntilKilledAsync(kgc, 10, async i =>
                {
                    var secret = new CertificatelessSecretValue(parameters, $"node-{i}");
                    secrets[i] = (secret, []);
                    (EngineStatus status, CertificatelessPrivateKey? key, _, _) = await client.EnrolAsync(secret, enrolmentKey);
                    if (status != EngineStatus.Ok) return false;
                    secrets[i] = (secret, key!.PublicKey.PartialPublic);
                    key.Dispose();
                    return true;
                });

                await using ChildServer again = await ChildServer.StartAsync(arguments);
                await WaitForFileAsync(P("trust.txt"));
                KgcTrustFile after = KgcTrustFile.Load(P("trust.txt"));
                Assert.That(after.MasterPublicKey, Is.EqualTo(before.MasterPublicKey), "the same pk_sys");
                Assert.That(after.ListSigningKey, Is.EqualTo(before.ListSigningKey), "the same list key");
                await using KgcClient restarted = await KgcClient.ConnectAsync(endpoint);
                foreach (int i in acknowledged)
                {
                    // A node that restarts with its secret value gets the same partial key back.
                    (EngineStatus status, CertificatelessPrivateKey? key, byte[]? mpk, _) = await restarted.EnrolAsync(secrets[i].Secret, enrolmentKey);
                    Assert.That(status, Is.EqualTo(EngineStatus.Ok), $"node-{i}");
                    Assert.That(key!.PublicKey.PartialPublic, Is.EqualTo(secrets[i].PartialPublic), $"node-{i}'s partial key");
                    Assert.That(mpk, Is.EqualTo(before.MasterPublicKey));
                    key.Dispose();
                    // And another secret value under its name is refused: the enrolment survived.
                    using var impostor = new CertificatelessSecretValue(parameters, $"node-{i}");
                    Assert.That((await restarted.EnrolAsync(impostor, enrolmentKey)).Status, Is.EqualTo(EngineStatus.Replay), $"node-{i} is taken");
                }
                using var fresh = new CertificatelessSecretValue(parameters, "after-the-crash");
                (EngineStatus freshStatus, CertificatelessPrivateKey? freshKey, _, _) = await restarted.EnrolAsync(fresh, enrolmentKey);
                Assert.That(freshStatus, Is.EqualTo(EngineStatus.Ok));
                freshKey!.Dispose();
            }
        }
        finally
        {
            foreach ((CertificatelessSecretValue secret, _) in secrets.Values) secret.Dispose();
        }
    }

    [TestCaseSource(typeof(TestDatabase), nameof(TestDatabase.Kinds))]
    public async Task KilledOperationCentre_RestartsWithEveryAcknowledgedRegistration(string kind)
    {
        using TestDatabase database = TestDatabase.Create(kind);
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        Task<int> cloud = Task.Run(() => ServeIotCommand.RunCloudAsync(new CloudServeOptions(P("cs.key"), P("cs.trust"), [P("oc.trust")], null, "127.0.0.1", 0, 0, 0) { Data = "memory" },
                                                                      TextWriter.Null, stop.Token));
        var devices = new System.Collections.Concurrent.ConcurrentDictionary<int, Device>();
        try
        {
            await WaitForFileAsync(P("cs.trust"));
            TrustFile cs = TrustFile.Read(P("cs.trust"), "cs");
            int port = ChildServer.FreePort();
            string[] arguments = ["iot-oc", "--key", P("oc.key"), "--enrolment-key", P("enrol.key"), "--admin-key", P("admin.key"), "--cs-trust", P("cs.trust"),
                                  "--trust-file", P("oc.trust"), "--port", port.ToString(), "--data", database.Location, "--status-interval", "0"];
            await using ChildServer oc = await ChildServer.StartAsync(arguments);
            await WaitForFileAsync(P("oc.trust"));
            TrustFile ocTrust = TrustFile.Read(P("oc.trust"), "oc");
            var entry = new OperationCenterEntry(ocTrust.Id, ocTrust.SigningKey, ocTrust.EncryptionKey!);
            byte[] enrolmentKey;
            using (SecretFile file = SecretFile.Read(P("enrol.key"))) enrolmentKey = file["enrolment"].ToArray();
            Device NewDevice(int i) => new($"sensor-{i}", SchnorrSigningKey.Generate(IotAuthParameters.Group), HashedElGamalKey.Generate(IotAuthParameters.Group), entry, cs.SigningKey);

            // Device 0 is evaluated by the CS first, so that it can ask for a tag after the OC's restart.
            await using IotTcpConnection toCloud = await IotTcpConnection.ConnectAsync(cs.EndPoint, expectHello: false);
            devices[0] = NewDevice(0);
            int trustLevel = await devices[0].EvaluateAsync(toCloud, IotNetwork.GoodAttributes);
            int[] acknowledged;
            await using (IotTcpConnection toOc = await IotTcpConnection.ConnectAsync(ocTrust.EndPoint, expectHello: true))
                acknowledged = await EnrolUntilKilledAsync(oc, 10, async i =>
                {
                    Device device = devices.GetOrAdd(i, NewDevice);
                    await device.RegisterAsync(toOc, enrolmentKey);
                    return true;
                });

            await using ChildServer again = await ChildServer.StartAsync(arguments);
            using (SqlOperationCenterStore store = SqlOperationCenterStore.Open(database.Location))
                foreach (int i in acknowledged)
                {
                    RegisteredDevice? saved = store.Find($"sensor-{i}");
                    Assert.That(saved, Is.Not.Null, $"sensor-{i} survived");
                    Assert.That(saved!.SigningKey, Is.EqualTo(devices[i].SigningKey.ToArray()), "whole, with its keys");
                }
            await using IotTcpConnection toRestarted = await IotTcpConnection.ConnectAsync(ocTrust.EndPoint, expectHello: true);
            Assert.That((await devices[0].RequestTagAsync(toRestarted, trustLevel)).Epoch, Is.EqualTo(1u), "a device registered before the crash gets its tag after it");
            using Device impostor = NewDevice(acknowledged[^1]);
            var refused = await Assert.ThrowsAsync<EngineException>(() => impostor.RegisterAsync(toRestarted, enrolmentKey));
            Assert.That(refused!.Status, Is.EqualTo(EngineStatus.VerificationFailed), "the name is registered with other keys");
        }
        finally
        {
            stop.Cancel();
            await cloud;
            foreach (Device d in devices.Values) d.Dispose();
        }
    }

    [TestCaseSource(typeof(TestDatabase), nameof(TestDatabase.Kinds))]
    public async Task KilledAuthority_RestartsWithItsKeys_AndEveryAcknowledgedGrant(string kind)
    {
        using TestDatabase database = TestDatabase.Create(kind);
        int port = ChildServer.FreePort();
        string[] arguments = ["abe-authority", "--name", "HOSP", "--data", database.Location, "--state-key", P("state.key"), "--admin-key", P("admin.key"),
                              "--trust-file", P("hosp.trust"), "--port", port.ToString()];
        await using ChildServer authority = await ChildServer.StartAsync(arguments);
        using SchnorrSigningKey admin = ServeAbeCommand.LoadOrCreateSigning(P("admin.key"), "signing");
        var op = new RevocationAdmin(admin);
        var users = new System.Collections.Concurrent.ConcurrentDictionary<int, RevocationUser>();
        var endpoint = new IPEndPoint(IPAddress.Loopback, port);
        try
        {
            await using var toAuthority = new RevocationTcpConnection(endpoint);
            var before = await ServeAbeCommand.FetchPublicKeysAsync("HOSP", toAuthority);
            int[] acknowledged = await EnrolUntilKilledAsync(authority, 10, async i =>
                {
                    RevocationUser user = users.GetOrAdd(i, n => RevocationUser.Create($"user-{n}"));
                    await op.GrantAsync(toAuthority, false, user.Gid, user.SigningKey.PublicKey.ToArray(), user.EncryptionKey.PublicKey.ToArray(), ["doctor@HOSP"]);
                    return true;
                });

            await using ChildServer again = await ChildServer.StartAsync(arguments);
            await using var toRestarted = new RevocationTcpConnection(endpoint);
            foreach (int i in acknowledged)
                Assert.That(await users[i].FetchKeysAsync(toRestarted), Is.EqualTo(1), $"user-{i}'s grant survived");
            var after = await ServeAbeCommand.FetchPublicKeysAsync("HOSP", toRestarted);
            Assert.That(after.Encryption!.Base.EggAlpha, Is.EqualTo(before.Encryption!.Base.EggAlpha), "the same α");
        }
        finally
        {
            foreach (RevocationUser u in users.Values) u.Dispose();
        }
    }
}
