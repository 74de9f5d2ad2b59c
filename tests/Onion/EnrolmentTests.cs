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
        Assert.That(Enrolment.Answer(kgc, Key, request.Bytes, out _), Is.EqualTo(EngineStatus.Ok), "the same u again: a restarted node, answered with its key");
        using (var other = new CertificatelessSecretValue(Parameters, secret.Id))
        using (Enrolment.Request claim = Enrolment.CreateRequest(other, Key))
            Assert.That(Enrolment.Answer(kgc, Key, claim.Bytes, out _), Is.EqualTo(EngineStatus.Replay), "one key per identity: another u is refused");
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
    public void Registrations_NeedTheEnrolmentKey_AndAFreshTime()
    {
        DateTimeOffset now = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);
        byte[] registration = Enrolment.CreateRegistration("relay-1", 4242, Key, now);
        Assert.That(Enrolment.ReadRegistration(registration, Key, now.AddSeconds(3), out string? id, out int port, out long ms), Is.EqualTo(EngineStatus.Ok));
        Assert.That((id, port, ms), Is.EqualTo(("relay-1", 4242, now.ToUnixTimeMilliseconds())));
        Assert.That(Enrolment.ReadRegistration(registration, Key, now.AddMinutes(6), out _, out _, out _), Is.EqualTo(EngineStatus.Expired), "a stale registration");
        Assert.That(Enrolment.ReadRegistration(registration, Key, now.AddMinutes(-6), out _, out _, out _), Is.EqualTo(EngineStatus.Expired), "one from the future");
        registration[^1] ^= 1;
        Assert.That(Enrolment.ReadRegistration(registration, Key, now, out _, out _, out _), Is.EqualTo(EngineStatus.VerificationFailed));
        Assert.That(Enrolment.ReadRegistration(registration.AsSpan(2), Key, now, out _, out _, out _), Is.EqualTo(EngineStatus.BadLength));
        Assert.That(Enrolment.ReadRegistration(Enrolment.CreateRegistration("relay-1", 0, Key, now), Key, now, out _, out _, out _), Is.EqualTo(EngineStatus.Malformed));
        byte[] hostile = Enrolment.CreateRegistration("relay-1", 1, Key, DateTimeOffset.MaxValue);
        Assert.That(Enrolment.ReadRegistration(hostile, Key, now, out _, out _, out _), Is.EqualTo(EngineStatus.Expired));
    }

    [Test, Category("Malformed")]
    public async Task TheKgc_RefusesReplayedAndUnenrolledRegistrations()
    {
        using var kgc = new KeyGenerationCenter(Parameters);
        await using var server = new KgcDirectoryServer(kgc, Key);
        await server.StartAsync();
        using var secret = new CertificatelessSecretValue(Parameters, "relay-1");
        using Enrolment.Request request = Enrolment.CreateRequest(secret, Key);
        Assert.That(Enrolment.Answer(kgc, Key, request.Bytes, out _), Is.EqualTo(EngineStatus.Ok));
        using (var other = new CertificatelessSecretValue(Parameters, "relay-1"))
        using (Enrolment.Request claim = Enrolment.CreateRequest(other, Key))
            Assert.That(Enrolment.Answer(kgc, Key, claim.Bytes, out _), Is.EqualTo(EngineStatus.Replay), "known identity with another u, refused before decoding E_c");
        await using var connection = await Engine.Hosting.Framing.FrameConnection.ConnectAsync(server.EndPoint!, 1 << 16);
        async Task<EngineStatus> Register(byte[] bytes)
        {
            (byte type, byte[] payload) = await connection.RequestAsync((byte)KgcFrameType.Register, bytes);
            return type == (byte)KgcFrameType.Registered ? EngineStatus.Ok : (EngineStatus)payload[0];
        }
        DateTimeOffset now = DateTimeOffset.UtcNow;
        byte[] first = Enrolment.CreateRegistration("relay-1", 4000, Key, now), second = Enrolment.CreateRegistration("relay-1", 5000, Key, now.AddSeconds(1));
        Assert.That(await Register(first), Is.EqualTo(EngineStatus.Ok));
        Assert.That(await Register(second), Is.EqualTo(EngineStatus.Ok));
        Assert.That(await Register(first), Is.EqualTo(EngineStatus.Replay), "an older registration cannot move the endpoint back");
        Assert.That(server.Endpoints["relay-1"].Port, Is.EqualTo(5000));
        Assert.That(await Register(Enrolment.CreateRegistration("nobody", 4000, Key, now)), Is.EqualTo(EngineStatus.NotFound));
        Assert.That(server.Endpoints.ContainsKey("nobody"), Is.False);
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
