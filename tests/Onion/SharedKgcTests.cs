using System.Buffers;
using System.Net;
using Engine.Hosting.Onion;
using Engine.Hosting.Roles;
using Engine.Onion;
using Engine.Onion.Keys;
using Engine.Onion.Storage;
using Engine.Primitives.Groups;
using Engine.Storage;
using Engine.Tests.Support;
using NUnit.Framework;

namespace Engine.Tests.Onion;

/// <summary>
/// Two KGC instances on one store (issue #17: Protocol 1's directory on PostgreSQL): a node enrolled at one is listed,
/// re-enrolled and registered at the other with the same key, an impostor is refused at either, and two instances
/// enrolling the same node at once both answer with one key.
/// </summary>
[TestFixture, NonParallelizable]
public sealed class SharedKgcTests
{
    private static readonly OnionParameters Parameters = new(PrimeOrderGroups.Bls12381G1);
    private static readonly byte[] StateKey = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();
    private static readonly byte[] EnrolmentKey = Enumerable.Range(100, 32).Select(i => (byte)i).ToArray();

    private sealed class Instance : IDisposable
    {
        private readonly SecretSealer _sealer = new(StateKey);

        public Instance(string location)
        {
            Store = SqlKgcStore.Open(location, _sealer);
            Kgc = Store.LoadOrCreate(Parameters);
            Role = new KgcRole(Kgc, EnrolmentKey) { OnRegistered = Store.RecordEndpoint, Shared = new SharedKgcDirectory(Store) { Staleness = TimeSpan.Zero } };
            Role.RestoreEndpoints(Store.Endpoints());
        }

        public SqlKgcStore Store { get; }

        public KeyGenerationCenter Kgc { get; }

        public KgcRole Role { get; }

        public (EngineStatus Status, byte[] Answer) Call(KgcFrameType type, byte[] request)
        {
            var response = new ArrayBufferWriter<byte>();
            RoleReply reply = Role.Process(new RoleConnection { RemoteAddress = IPAddress.Loopback }, (byte)type, request, response);
            return (reply.Status, response.WrittenSpan.ToArray());
        }

        public void Dispose()
        {
            Role.Dispose();
            Kgc.Dispose();
            Store.Dispose();
            _sealer.Dispose();
        }
    }

    /// <summary>Enrols <paramref name="secret"/> at <paramref name="kgc"/>; returns the status and, on success, the node's public key.</summary>
    private static (EngineStatus Status, byte[]? PublicKey) Enrol(Instance kgc, CertificatelessSecretValue secret)
    {
        using Enrolment.Request request = Enrolment.CreateRequest(secret, EnrolmentKey);
        (EngineStatus status, byte[] answer) = kgc.Call(KgcFrameType.Enrol, request.Bytes);
        if (status != EngineStatus.Ok) return (status, null);
        Assert.That(Enrolment.Complete(secret, request, EnrolmentKey, answer, out CertificatelessPrivateKey? key, out byte[]? master, out _), Is.EqualTo(EngineStatus.Ok));
        Assert.That(master, Is.EqualTo(kgc.Kgc.MasterPublicKey.ToArray()));
        using (key) return (EngineStatus.Ok, key!.PublicKey.PartialPublic);
    }

    [TestCaseSource(typeof(TestDatabase), nameof(TestDatabase.Kinds))]
    public void ANodeEnrolledAtOneInstance_IsListedReEnrolledAndRegisteredAtTheOther(string kind)
    {
        using TestDatabase database = TestDatabase.Create(kind);
        using var a = new Instance(database.Location);
        using var b = new Instance(database.Location);
        Assert.That(b.Kgc.MasterPublicKey.ToArray(), Is.EqualTo(a.Kgc.MasterPublicKey.ToArray()), "one sk_sys, from the store");

        using var relay = new CertificatelessSecretValue(Parameters, "relay-1");
        (EngineStatus status, byte[]? atA) = Enrol(a, relay);
        Assert.That(status, Is.EqualTo(EngineStatus.Ok));
        Assert.That(b.Call(KgcFrameType.GetDirectory, []).Status, Is.EqualTo(EngineStatus.Ok));
        Assert.That(PublicNodeList.Verify(Parameters, b.Kgc.PublishNodeList(), b.Kgc.ListSigningKey, b.Kgc.MasterPublicKey, out var listed), Is.EqualTo(EngineStatus.Ok));
        Assert.That(listed.Select(n => n.Id), Is.EqualTo(new[] { "relay-1" }), "B lists what A enrolled");

        (status, byte[]? atB) = Enrol(b, relay);
        Assert.That((status, atB), Is.EqualTo((EngineStatus.Ok, atA)), "re-enrolling at B gives the key A issued");
        using var impostor = new CertificatelessSecretValue(Parameters, "relay-1");
        Assert.That(Enrol(b, impostor).Status, Is.EqualTo(EngineStatus.Replay), "another secret value under the name, at B");
        Assert.That(Enrol(a, impostor).Status, Is.EqualTo(EngineStatus.Replay), "and at A");

        byte[] registration = Enrolment.CreateRegistration("relay-1", 7401, EnrolmentKey, DateTimeOffset.UtcNow);
        Assert.That(b.Call(KgcFrameType.Register, registration).Status, Is.EqualTo(EngineStatus.Ok), "registered at B");
        Assert.That(a.Call(KgcFrameType.GetDirectory, []).Status, Is.EqualTo(EngineStatus.Ok));
        Assert.That(a.Role.Endpoints["relay-1"], Is.EqualTo(new IPEndPoint(IPAddress.Loopback, 7401)), "A serves the endpoint B recorded");
        Assert.That(a.Call(KgcFrameType.Register, registration).Status, Is.EqualTo(EngineStatus.Replay), "the same registration replayed at A");
    }

    [TestCaseSource(typeof(TestDatabase), nameof(TestDatabase.Kinds))]
    public void OneNodeEnrolledAtBothInstancesAtOnce_GetsOneKey(string kind)
    {
        using TestDatabase database = TestDatabase.Create(kind);
        using var a = new Instance(database.Location);
        using var b = new Instance(database.Location);
        for (int i = 0; i < 4; i++)
        {
            using var node = new CertificatelessSecretValue(Parameters, $"relay-{i}");
            var results = new (EngineStatus Status, byte[]? Key)[2];
            Parallel.Invoke(() => results[0] = Enrol(a, node), () => results[1] = Enrol(b, node));
            Assert.That(results.Select(r => r.Status), Is.All.EqualTo(EngineStatus.Ok), $"node {i}");
            Assert.That(results[0].Key, Is.EqualTo(results[1].Key), $"node {i}: one partial key, whichever instance recorded it");
        }
    }
}
