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
    public void AnotherHolderOfTheEnrolmentKey_ReplayingANodesPublicU_CannotOpenItsPartialKey()
    {
        using var kgc = new KeyGenerationCenter(Parameters);
        using var node = new CertificatelessSecretValue(Parameters, "relay-1");
        using (Enrolment.Request honest = Enrolment.CreateRequest(node, Key))
            Assert.That(Enrolment.Answer(kgc, Key, honest.Bytes, out _), Is.EqualTo(EngineStatus.Ok));

        // The attacker knows the enrolment key and relay-1's u (it is in the node list), not t: it sends (ID, u) with
        // its own ephemeral E_c and a valid MAC, and the KGC answers (same identity, same u).
        PrimeOrderGroup group = Parameters.Group;
        int e = group.ElementSizeInBytes;
        using Enrolment.Request template = Enrolment.CreateRequest(node, Key);
        var ephemeral = SecretScalar.Random(group);
        byte[] bytes = (byte[])template.Bytes.Clone();
        Span<ulong> ec = stackalloc ulong[group.ElementLimbs];
        group.PowGenerator(ephemeral.Value, ec);
        group.Encode(ec, bytes.AsSpan(bytes.Length - 32 - e, e));
        System.Security.Cryptography.HMACSHA256.HashData(Key, bytes.AsSpan(0, bytes.Length - 32), bytes.AsSpan(bytes.Length - 32));
        using var forged = new Enrolment.Request(ephemeral, bytes);
        Assert.That(Enrolment.Answer(kgc, Key, forged.Bytes, out byte[]? response), Is.EqualTo(EngineStatus.Ok));

        // With only its e it computes E_k^e, the old channel secret: the answer does not open, so rD stays sealed.
        Span<ulong> ek = stackalloc ulong[group.ElementLimbs], withoutT = stackalloc ulong[group.ElementLimbs];
        Assert.That(group.Decode(response.AsSpan(0, e), ek), Is.EqualTo(EngineStatus.Ok));
        group.Pow(ek, ephemeral.Value, withoutT);
        byte[] partial = new byte[kgc.PartialKeySizeInBytes];
        Assert.That(Enrolment.OpenAnswer(group, Key, withoutT, forged.Bytes, response, partial), Is.False);
        Assert.That(partial, Is.All.Zero);
        // Its best guess of t is its own: the channel key needs e + t, so the answer does not open either.
        using var guess = new CertificatelessSecretValue(Parameters, "relay-1");
        Assert.That(Enrolment.Complete(guess, forged, Key, response, out _, out _, out _), Is.EqualTo(EngineStatus.VerificationFailed));
        // The node itself, with t and that ephemeral, would open it: the refusal above is the missing t, nothing else.
        Assert.That(Enrolment.Complete(node, forged, Key, response, out CertificatelessPrivateKey? key, out _, out _), Is.EqualTo(EngineStatus.Ok));
        key!.Dispose();
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
