using System.Net;
using Engine.Hosting.Onion;
using Engine.Onion;
using Engine.Onion.Keys;
using Engine.Primitives.Groups;
using NUnit.Framework;

namespace Engine.Tests.Onion;

/// <summary>The KGC's enrolment channel and directory encoding: every bad input is refused before it changes anything.</summary>
[TestFixture]
public sealed class EnrolmentTests
{
    private static readonly OnionParameters Parameters = new(PrimeOrderGroups.Bls12381G1);
    private static readonly byte[] Key = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();

    [Test]
    public void Enrolment_RoundTrips_AndTheKeyDecrypts()
    {
        using var kgc = new KeyGenerationCenter(Parameters);
        using var secret = new CertificatelessSecretValue(Parameters, "relay-1");
        using Enrolment.Request request = Enrolment.CreateRequest(secret, Key);
        Assert.That(Enrolment.Answer(kgc, Key, request.Bytes, out byte[]? response), Is.EqualTo(EngineStatus.Ok));
        Assert.That(Enrolment.Complete(secret, request, Key, response, out CertificatelessPrivateKey? key, out byte[]? mpk, out byte[]? listKey), Is.EqualTo(EngineStatus.Ok));
        using (key)
        {
            Assert.That(mpk, Is.EqualTo(kgc.MasterPublicKey.ToArray()));
            Assert.That(listKey, Is.EqualTo(kgc.ListSigningKey.ToArray()));
            Assert.That(PublicNodeList.Verify(Parameters, kgc.PublishNodeList(), listKey, mpk, out var keys), Is.EqualTo(EngineStatus.Ok));
            Assert.That(keys.Single().Id, Is.EqualTo("relay-1"));
        }
    }

    [Test, Category("Malformed")]
    public void TamperedRequests_AreRefusedBeforeTheKgcRecordsAnything()
    {
        using var kgc = new KeyGenerationCenter(Parameters);
        using var secret = new CertificatelessSecretValue(Parameters, "relay-1");
        using Enrolment.Request request = Enrolment.CreateRequest(secret, Key);
        byte[] wrongKey = (byte[])Key.Clone();
        wrongKey[0] ^= 1;
        Assert.That(Enrolment.Answer(kgc, wrongKey, request.Bytes, out _), Is.EqualTo(EngineStatus.VerificationFailed));
        for (int position = 0; position < request.Bytes.Length; position += 7)
        {
            byte[] bad = (byte[])request.Bytes.Clone();
            bad[position] ^= 0x10;
            Assert.That(Enrolment.Answer(kgc, Key, bad, out byte[]? response), Is.Not.EqualTo(EngineStatus.Ok), $"byte {position}");
            Assert.That(response, Is.Null);
        }
        Assert.That(Enrolment.Answer(kgc, Key, request.Bytes.AsSpan(1), out _), Is.EqualTo(EngineStatus.BadLength));
        Assert.That(Enrolment.Answer(kgc, Key, [], out _), Is.EqualTo(EngineStatus.BadLength));
        Assert.That(PublicNodeList.Verify(Parameters, kgc.PublishNodeList(), kgc.ListSigningKey, kgc.MasterPublicKey, out var keys), Is.EqualTo(EngineStatus.Ok));
        Assert.That(keys, Is.Empty, "no refused request left an entry");
        Assert.That(Enrolment.Answer(kgc, Key, request.Bytes, out _), Is.EqualTo(EngineStatus.Ok), "the genuine request still works");
        Assert.That(Enrolment.Answer(kgc, Key, request.Bytes, out _), Is.EqualTo(EngineStatus.Replay), "one key per identity");
    }

    [Test, Category("Malformed")]
    public void TamperedAnswers_FailTheNodesCheck()
    {
        using var kgc = new KeyGenerationCenter(Parameters);
        using var secret = new CertificatelessSecretValue(Parameters, "relay-1");
        using Enrolment.Request request = Enrolment.CreateRequest(secret, Key);
        Assert.That(Enrolment.Answer(kgc, Key, request.Bytes, out byte[]? response), Is.EqualTo(EngineStatus.Ok));
        for (int position = 0; position < response!.Length; position += 5)
        {
            byte[] bad = (byte[])response.Clone();
            bad[position] ^= 0x01;
            Assert.That(Enrolment.Complete(secret, request, Key, bad, out CertificatelessPrivateKey? key, out _, out _), Is.Not.EqualTo(EngineStatus.Ok), $"byte {position}");
            Assert.That(key, Is.Null);
        }
        Assert.That(Enrolment.Complete(secret, request, Key, response.AsSpan(1), out _, out _, out _), Is.EqualTo(EngineStatus.BadLength));
    }

    [Test, Category("Malformed")]
    public void Registrations_NeedTheEnrolmentKey()
    {
        byte[] registration = Enrolment.CreateRegistration("relay-1", 4242, Key);
        Assert.That(Enrolment.ReadRegistration(registration, Key, out string? id, out int port), Is.EqualTo(EngineStatus.Ok));
        Assert.That((id, port), Is.EqualTo(("relay-1", 4242)));
        registration[^1] ^= 1;
        Assert.That(Enrolment.ReadRegistration(registration, Key, out _, out _), Is.EqualTo(EngineStatus.VerificationFailed));
        Assert.That(Enrolment.ReadRegistration(registration.AsSpan(2), Key, out _, out _), Is.EqualTo(EngineStatus.BadLength));
        Assert.That(Enrolment.ReadRegistration(Enrolment.CreateRegistration("relay-1", 0, Key), Key, out _, out _), Is.EqualTo(EngineStatus.Malformed));
    }

    [Test, Category("Malformed")]
    public void DirectoryPayloads_RoundTrip_AndTruncationsAreMalformed()
    {
        var endpoints = new Dictionary<string, IPEndPoint> { ["relay-1"] = new(IPAddress.Loopback, 4000), ["destination"] = new(IPAddress.Parse("::1"), 4001) };
        byte[] payload = KgcDirectoryServer.EncodeDirectory([1, 2, 3], endpoints);
        Assert.That(KgcDirectoryServer.DecodeDirectory(payload, out byte[]? list, out var decoded), Is.EqualTo(EngineStatus.Ok));
        Assert.That(list, Is.EqualTo(new byte[] { 1, 2, 3 }));
        Assert.That(decoded, Is.EquivalentTo(endpoints));
        for (int length = 0; length < payload.Length; length++)
            Assert.That(KgcDirectoryServer.DecodeDirectory(payload.AsSpan(0, length), out _, out _), Is.EqualTo(EngineStatus.Malformed), $"length {length}");
        Assert.That(KgcDirectoryServer.DecodeDirectory(payload.Append((byte)0).ToArray(), out _, out _), Is.EqualTo(EngineStatus.Malformed));
    }
}
