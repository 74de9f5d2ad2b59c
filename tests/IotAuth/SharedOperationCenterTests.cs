using Engine.Hosting.Roles;
using Engine.IotAuth.Roles;
using Engine.IotAuth.Storage;
using Engine.IotAuth.Wire;
using Engine.Tests.Support;
using NUnit.Framework;

namespace Engine.Tests.IotAuth;

/// <summary>
/// Two instances of one operation centre sharing a database (issue #17): the device registry, the challenges (sealed)
/// and the replay cache. A challenge from one instance is answered at the other, each challenge is used once across
/// both, and a proof replayed at either instance is refused without creating a session.
/// </summary>
[TestFixture, NonParallelizable]
public sealed class SharedOperationCenterTests
{
    private static readonly string[] Kinds = TestDatabase.Kinds;

    private sealed class TwoInstances : IAsyncDisposable
    {
        private readonly TestDatabase _database;
        private readonly List<IDisposable> _stores = [];

        public TwoInstances(string kind)
        {
            _database = TestDatabase.Create(kind);
            Network = new IotNetwork(store: Own(SqlOperationCenterStore.Open(_database.Location)), shared: Own(SqlOperationCenterSharedState.Open(_database.Location)));
            B = Network.NewInstance(Own(SqlOperationCenterStore.Open(_database.Location)), Own(SqlOperationCenterSharedState.Open(_database.Location)));
        }

        public string Location => _database.Location;

        public T Own<T>(T store) where T : IDisposable
        {
            _stores.Add(store);
            return store;
        }

        public IotNetwork Network { get; }

        public OperationCenter A => Network.Oc;

        public OperationCenter B { get; }

        public async ValueTask DisposeAsync()
        {
            await Network.DisposeAsync();
            foreach (IDisposable store in _stores) store.Dispose();
            _database.Dispose();
        }
    }

    private static async Task<byte[]> Challenge(OperationCenter oc)
    {
        (EngineStatus status, IotMessageType type, byte[] payload) = await oc.ProcessAsync(IotMessageType.GetChallenge, new byte[] { IotWire.Version });
        Assert.That((status, type), Is.EqualTo((EngineStatus.Ok, IotMessageType.Challenge)));
        return payload;
    }

    /// <summary>A device evaluated by the CS, registered at <paramref name="registerAt"/> and given its tag by <paramref name="tagFrom"/>.</summary>
    private static async Task<Device> EnrolledDevice(TwoInstances pair, string id, OperationCenter registerAt, OperationCenter tagFrom)
    {
        Device device = pair.Network.NewDevice(id);
        int tl = await device.EvaluateAsync(pair.Network.ToCloud, IotNetwork.GoodAttributes);
        await device.RegisterAsync(new InProcessIotConnection(registerAt), pair.Network.EnrolmentKey);
        await device.RequestTagAsync(new InProcessIotConnection(tagFrom), tl);
        return device;
    }

    [TestCaseSource(nameof(Kinds))]
    public async Task ChallengeFromOneInstance_AnsweredAtTheOther_AndEveryReplayRefusedAtBoth(string kind)
    {
        await using var pair = new TwoInstances(kind);
        // Registered at A, its tag issued by B: the registry is shared.
        Device device = await EnrolledDevice(pair, "sensor-1", pair.A, pair.B);

        (byte[] request, var keys) = device.Respond(await Challenge(pair.A));
        using (keys)
        {
            (EngineStatus status, IotMessageType type, byte[] answer) = await pair.B.ProcessAsync(IotMessageType.Authenticate, request);
            Assert.That((status, type), Is.EqualTo((EngineStatus.Ok, IotMessageType.Authenticated)), "A's challenge answered at B");
            (_, byte[] confirm) = device.Finish(answer, keys);
            Assert.That((await pair.B.ProcessAsync(IotMessageType.Confirm, confirm)).Status, Is.EqualTo(EngineStatus.Ok), "key confirmation at B");
        }
        (int challengesA, int sessionsA) = pair.A.TableSizes;
        int sessionsB = pair.B.TableSizes.Sessions;
        Assert.That((await pair.A.ProcessAsync(IotMessageType.Authenticate, request)).Status, Is.EqualTo(EngineStatus.Replay), "replayed at A, whose challenge it was");
        Assert.That((await pair.B.ProcessAsync(IotMessageType.Authenticate, request)).Status, Is.EqualTo(EngineStatus.Replay), "replayed at B");
        Assert.That((pair.A.TableSizes.Sessions, pair.B.TableSizes.Sessions), Is.EqualTo((sessionsA, sessionsB)), "a refused replay opens no session");
        Assert.That(pair.A.TableSizes.Challenges, Is.EqualTo(challengesA), "nor touches A's challenges");

        // A challenge answered at its own instance, then replayed at the other.
        (request, keys) = device.Respond(await Challenge(pair.B));
        keys.Dispose();
        Assert.That((await pair.B.ProcessAsync(IotMessageType.Authenticate, request)).Status, Is.EqualTo(EngineStatus.Ok));
        Assert.That((await pair.A.ProcessAsync(IotMessageType.Authenticate, request)).Status, Is.EqualTo(EngineStatus.Replay), "B's proof replayed at A");
    }

    [TestCaseSource(nameof(Kinds))]
    public async Task OneChallenge_AnsweredAtBothInstancesAtOnce_IsAcceptedOnce(string kind)
    {
        await using var pair = new TwoInstances(kind);
        Device device = await EnrolledDevice(pair, "sensor-2", pair.A, pair.A);
        for (int trial = 0; trial < 4; trial++)
        {
            (byte[] request, var keys) = device.Respond(await Challenge(pair.A));
            keys.Dispose();
            var answers = await Task.WhenAll(Task.Run(async () => (await pair.A.ProcessAsync(IotMessageType.Authenticate, request)).Status),
                                             Task.Run(async () => (await pair.B.ProcessAsync(IotMessageType.Authenticate, request)).Status));
            Assert.That(answers.Count(s => s == EngineStatus.Ok), Is.EqualTo(1), $"trial {trial}: {string.Join(", ", answers)}");
            Assert.That(answers.Single(s => s != EngineStatus.Ok), Is.EqualTo(EngineStatus.Replay).Or.EqualTo(EngineStatus.NotFound));
        }
    }

    [TestCaseSource(nameof(Kinds))]
    public async Task AFloodOfAnswersToChallengesNobodyIssued_IsRefusedAtEveryInstance_AndStoresNothing(string kind)
    {
        await using var pair = new TwoInstances(kind);
        Device device = await EnrolledDevice(pair, "sensor-4", pair.A, pair.A);
        (byte[] genuine, var keys) = device.Respond(await Challenge(pair.A));
        keys.Dispose();
        var refusals = new Dictionary<EngineStatus, int>();
        for (int i = 0; i < 200; i++)
        {
            // Well-sized answers naming random N_OC (a valid proof's bytes, another nonce), and wrong-sized garbage.
            byte[] request = i % 2 == 0 ? (byte[])genuine.Clone() : System.Security.Cryptography.RandomNumberGenerator.GetBytes(1 + i % 90);
            if (i % 2 == 0) System.Security.Cryptography.RandomNumberGenerator.Fill(request.AsSpan(1, Engine.IotAuth.IotAuthParameters.NonceSize));
            EngineStatus status = (await (i % 4 < 2 ? pair.A : pair.B).ProcessAsync(IotMessageType.Authenticate, request)).Status;
            refusals[status] = refusals.GetValueOrDefault(status) + 1;
        }
        Assert.That(refusals.GetValueOrDefault(EngineStatus.NotFound), Is.EqualTo(100), string.Join(", ", refusals));
        Assert.That(refusals.GetValueOrDefault(EngineStatus.Ok), Is.Zero);
        Assert.That((pair.A.TableSizes.Sessions, pair.B.TableSizes.Sessions), Is.EqualTo((0, 0)), "no session opened");
        Assert.That((await pair.B.ProcessAsync(IotMessageType.Authenticate, genuine)).Status, Is.EqualTo(EngineStatus.Ok), "the genuine answer still works, at the other instance");
    }

    [TestCaseSource(nameof(Kinds))]
    public async Task AnInstanceWithAnotherAdminKey_CannotOpenTheSharedChallenges_AndTakesNothing(string kind)
    {
        await using var pair = new TwoInstances(kind);
        Device device = await EnrolledDevice(pair, "sensor-3", pair.A, pair.A);
        (byte[] request, var keys) = device.Respond(await Challenge(pair.A));
        keys.Dispose();
        // The challenges are sealed under a key derived from the admin key: a process configured otherwise reads the row and cannot open it.
        OperationCenter foreign = pair.Network.NewInstance(pair.Own(SqlOperationCenterStore.Open(pair.Location)), pair.Own(SqlOperationCenterSharedState.Open(pair.Location)),
                                                           adminKey: System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        Assert.That((await foreign.ProcessAsync(IotMessageType.Authenticate, request)).Status, Is.EqualTo(EngineStatus.NotFound));
        Assert.That((await pair.A.ProcessAsync(IotMessageType.Authenticate, request)).Status, Is.EqualTo(EngineStatus.Ok), "the challenge was still there for A");
    }
}
