using System.Security.Cryptography;
using Engine.IotAuth;
using Engine.IotAuth.Roles;
using Engine.IotAuth.Wire;
using Engine.Primitives.Wire;
using NUnit.Framework;

namespace Engine.Tests.IotAuth;

/// <summary>The three roles of Protocol 3 together (SPEC.md §3.2–3.4), in process.</summary>
[TestFixture]
public sealed class IotRolesTests
{
    [Test]
    public async Task EvaluateRegisterTagAuthenticate_RoundTrips_WithBothConfirmations()
    {
        await using var net = new IotNetwork();
        Device device = net.NewDevice("sensor-1");
        int tl = await device.EvaluateAsync(net.ToCloud, IotNetwork.GoodAttributes);
        Assert.That(tl, Is.EqualTo(7250));
        await device.RegisterAsync(net.ToOc, net.EnrolmentKey);
        await device.RegisterAsync(net.ToOc, net.EnrolmentKey);          // idempotent
        await device.RequestTagAsync(net.ToOc, tl);
        Assert.That(device.Credential!.Epoch, Is.EqualTo(1u));
        AuthenticationResult result = await device.AuthenticateAsync(net.ToOc);
        using (result.Keys)
        {
            Assert.That(net.Oc.Counts.Authentications, Is.EqualTo(1));
            Assert.That(net.Oc.Counts.Confirmed, Is.EqualTo(1));
            Assert.That(net.Oc.FindSession(result.SessionId)!.EncryptionKey.ToArray(), Is.EqualTo(result.Keys.EncryptionKey.ToArray()));
        }
    }

    [Test]
    public async Task ADeviceThatLiesAboutItsTrustLevel_IsRefused_WithTheReasonLogged()
    {
        await using var net = new IotNetwork();
        Device device = net.NewDevice("liar");
        int tl = await device.EvaluateAsync(net.ToCloud, IotNetwork.PoorAttributes);
        Assert.That(tl, Is.EqualTo(1825));
        await device.RegisterAsync(net.ToOc, net.EnrolmentKey);
        var e = await Assert.ThrowsAsync<EngineException>(() => device.RequestTagAsync(net.ToOc, 9000));
        Assert.That(e!.Status, Is.EqualTo(EngineStatus.VerificationFailed));
        Assert.That(e.Message, Does.Contain("disagree"));
        Assert.That(net.Oc.Store.Refusals().Single().Reason, Does.Contain("device reports TL 9000, cloud server 1825"));
        Assert.That(device.Credential, Is.Null);

        // The honest report is below the threshold: refused too, for that reason.
        e = await Assert.ThrowsAsync<EngineException>(() => device.RequestTagAsync(net.ToOc, tl));
        Assert.That(e!.Message, Does.Contain("below the threshold"));
    }

    [Test]
    public async Task ACloudServerThatLies_IsCaughtByTheDevicesSignedView()
    {
        // The CS answers the OC with another TL than it gave the device: the OC sees the disagreement.
        await using var net = new IotNetwork();
        Device device = net.NewDevice("sensor-2");
        int tl = await device.EvaluateAsync(net.ToCloud, IotNetwork.GoodAttributes);
        await device.RegisterAsync(net.ToOc, net.EnrolmentKey);
        var record = net.Cloud.Store.Find("sensor-2")!;
        net.Cloud.Store.Put(record with { TrustLevel = 9999 });
        var e = await Assert.ThrowsAsync<EngineException>(() => device.RequestTagAsync(net.ToOc, tl));
        Assert.That(e!.Message, Does.Contain("cloud server 9999"));
    }

    [Test]
    public async Task RevokedDevice_GetsNoNewTag_AndItsOldTagFailsFromTheNextEpoch()
    {
        await using var net = new IotNetwork();
        Device revoked = await net.EnrolledDevice("revoked");
        Device kept = await net.EnrolledDevice("kept");
        (await revoked.AuthenticateAsync(net.ToOc)).Keys.Dispose();
        Assert.That(net.Oc.RevokeDevice("revoked"), Is.True);
        net.Oc.RotateEpoch();

        var e = await Assert.ThrowsAsync<EngineException>(() => revoked.AuthenticateAsync(net.ToOc));
        Assert.That(e!.Status, Is.EqualTo(EngineStatus.VerificationFailed), "old-epoch tag");
        int tl = await revoked.EvaluateAsync(net.ToCloud, IotNetwork.GoodAttributes);
        e = await Assert.ThrowsAsync<EngineException>(() => revoked.RequestTagAsync(net.ToOc, tl));
        Assert.That(e!.Message, Does.Contain("revoked"));

        // The other device is re-issued for epoch 2 (its TL re-checked with the CS) and proves again.
        net.Clock.Advance(TimeSpan.FromSeconds(1));
        tl = await kept.EvaluateAsync(net.ToCloud, IotNetwork.GoodAttributes);
        await kept.RequestTagAsync(net.ToOc, tl);
        Assert.That(kept.Credential!.Epoch, Is.EqualTo(2u));
        (await kept.AuthenticateAsync(net.ToOc)).Keys.Dispose();
    }

    [Test]
    public async Task ReplayedAndStaleAuthentications_AreRefused()
    {
        await using var net = new IotNetwork();
        Device device = await net.EnrolledDevice("sensor-3");
        (_, byte[] challenge) = await net.ToOc.RequestAsync(IotMessageType.GetChallenge, IotWire.Writer().ToArray());
        (byte[] request, var keys) = device.Respond(challenge);
        keys.Dispose();
        Assert.That((await net.Oc.ProcessAsync(IotMessageType.Authenticate, request)).Status, Is.EqualTo(EngineStatus.Ok));
        Assert.That((await net.Oc.ProcessAsync(IotMessageType.Authenticate, request)).Status, Is.EqualTo(EngineStatus.NotFound), "the challenge is used up");

        (_, challenge) = await net.ToOc.RequestAsync(IotMessageType.GetChallenge, IotWire.Writer().ToArray());
        (request, keys) = device.Respond(challenge);
        keys.Dispose();
        net.Clock.Advance(TimeSpan.FromSeconds(31));
        Assert.That((await net.Oc.ProcessAsync(IotMessageType.Authenticate, request)).Status, Is.EqualTo(EngineStatus.Expired));

        // A stale challenge is refused by the device too.
        (_, challenge) = await net.ToOc.RequestAsync(IotMessageType.GetChallenge, IotWire.Writer().ToArray());
        net.Clock.Advance(TimeSpan.FromSeconds(40));
        Assert.That(Assert.Throws<EngineException>(() => device.Respond(challenge))!.Status, Is.EqualTo(EngineStatus.Expired));
    }

    [Test]
    public async Task AGarbageAnswerNamingSomeoneElsesChallenge_ChangesNothing()
    {
        await using var net = new IotNetwork();
        Device device = await net.EnrolledDevice("sensor-8");
        (_, byte[] challenge) = await net.ToOc.RequestAsync(IotMessageType.GetChallenge, IotWire.Writer().ToArray());
        (byte[] request, var keys) = device.Respond(challenge);
        using (keys)
        {
            // An attacker copies N_OC from the challenge and sends a proof of its own making first.
            byte[] forged = (byte[])request.Clone();
            forged[1 + 32 + 175] ^= 1;                                        // s1 altered
            Assert.That((await net.Oc.ProcessAsync(IotMessageType.Authenticate, forged)).Status, Is.EqualTo(EngineStatus.VerificationFailed));
            Assert.That(net.Oc.TableSizes.Challenges, Is.EqualTo(1), "the challenge is still there");
            Assert.That((await net.Oc.ProcessAsync(IotMessageType.Authenticate, request)).Status, Is.EqualTo(EngineStatus.Ok), "the device still gets its session");
            Assert.That(net.Oc.TableSizes.Challenges, Is.Zero);
        }
    }

    [Test]
    public async Task AChallengeForgedOrFromAnotherOperationCenter_IsRefusedByTheDevice()
    {
        await using var net = new IotNetwork();
        Device device = await net.EnrolledDevice("sensor-4");
        (_, byte[] challenge) = await net.ToOc.RequestAsync(IotMessageType.GetChallenge, IotWire.Writer().ToArray());
        byte[] forged = (byte[])challenge.Clone();
        forged[10] ^= 1;
        Assert.That(Assert.Throws<EngineException>(() => device.Respond(forged))!.Status, Is.EqualTo(EngineStatus.VerificationFailed));
    }

    [Test]
    public async Task WrongConfirmation_IsRefused_AndTheSessionStaysUnconfirmed()
    {
        await using var net = new IotNetwork();
        Device device = await net.EnrolledDevice("sensor-5");
        (_, byte[] challenge) = await net.ToOc.RequestAsync(IotMessageType.GetChallenge, IotWire.Writer().ToArray());
        (byte[] request, var keys) = device.Respond(challenge);
        using (keys)
        {
            (_, _, byte[] answer) = await net.Oc.ProcessAsync(IotMessageType.Authenticate, request);
            (byte[] sessionId, byte[] confirm) = device.Finish(answer, keys);
            confirm[^1] ^= 1;
            Assert.That((await net.Oc.ProcessAsync(IotMessageType.Confirm, confirm)).Status, Is.EqualTo(EngineStatus.VerificationFailed));
            Assert.That(net.Oc.FindSession(sessionId), Is.Null);
            confirm[^1] ^= 1;
            Assert.That((await net.Oc.ProcessAsync(IotMessageType.Confirm, confirm)).Status, Is.EqualTo(EngineStatus.Ok));
            Assert.That(net.Oc.FindSession(sessionId), Is.Not.Null);
        }
    }

    [Test]
    public async Task RegistrationNeedsTheEnrolmentKey_AndAKnownNameCannotBeTaken()
    {
        await using var net = new IotNetwork();
        Device device = net.NewDevice("sensor-6");
        var e = await Assert.ThrowsAsync<EngineException>(() => device.RegisterAsync(net.ToOc, RandomNumberGenerator.GetBytes(32)));
        Assert.That(e!.Status, Is.EqualTo(EngineStatus.VerificationFailed));
        await device.RegisterAsync(net.ToOc, net.EnrolmentKey);
        Device impostor = net.NewDevice("sensor-6");
        e = await Assert.ThrowsAsync<EngineException>(() => impostor.RegisterAsync(net.ToOc, net.EnrolmentKey));
        Assert.That(e!.Message, Does.Contain("other keys"));
        // Nor can it evaluate under the name at the CS once the name is bound there.
        await device.EvaluateAsync(net.ToCloud, IotNetwork.GoodAttributes);
        e = await Assert.ThrowsAsync<EngineException>(() => impostor.EvaluateAsync(net.ToCloud, IotNetwork.GoodAttributes));
        Assert.That(e!.Message, Does.Contain("bound to another key"));
    }

    [Test]
    public async Task Votes_MoveTheVoteAttribute_WeightedByTheVotersReputation()
    {
        await using var net = new IotNetwork();
        Device subject = net.NewDevice("subject"), voter = net.NewDevice("voter");
        Assert.That(await subject.EvaluateAsync(net.ToCloud, IotNetwork.GoodAttributes), Is.EqualTo(7250));    // a_vote = 0.5 (no votes)
        await voter.EvaluateAsync(net.ToCloud, IotNetwork.GoodAttributes);
        await voter.VoteAsync(net.ToCloud, "subject", approves: true);
        net.Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.That(await subject.EvaluateAsync(net.ToCloud, IotNetwork.GoodAttributes), Is.EqualTo(8250), "a_vote = 1: +0.2·0.5");
        await voter.VoteAsync(net.ToCloud, "subject", approves: false);
        net.Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.That(await subject.EvaluateAsync(net.ToCloud, IotNetwork.GoodAttributes), Is.EqualTo(6250), "a_vote = 0");
        await Assert.ThrowsAsync<EngineException>(() => voter.VoteAsync(net.ToCloud, "voter", true), "no self-votes");
    }

    [Test, Category("Malformed")]
    public async Task MalformedFramesOfEveryType_GetATypedErrorAndChangeNoState()
    {
        await using var net = new IotNetwork();
        Device device = await net.EnrolledDevice("sensor-7");
        var before = (net.Oc.Counts, net.Oc.TableSizes.Sessions, net.Cloud.Counts.Evaluations, net.Oc.Store.Find("sensor-7"));
        var rng = new Random(5);
        IotMessageType[] ocTypes = [IotMessageType.Register, IotMessageType.TagRequest, IotMessageType.GetChallenge, IotMessageType.Authenticate,
                                    IotMessageType.Confirm, IotMessageType.RotateEpoch, IotMessageType.Revoke, (IotMessageType)99];
        IotMessageType[] csTypes = [IotMessageType.Evaluate, IotMessageType.Vote, IotMessageType.QueryTrust, (IotMessageType)98];
        byte[][] payloads = [[], [IotWire.Version], [2], RandomNumberGenerator.GetBytes(7), [IotWire.Version, .. RandomNumberGenerator.GetBytes(300)],
                             [IotWire.Version, .. RandomNumberGenerator.GetBytes(rng.Next(1, 2000))]];
        foreach (byte[] payload in payloads)
        {
            foreach (IotMessageType t in ocTypes)
            {
                (EngineStatus status, IotMessageType type, byte[] answer) = await net.Oc.ProcessAsync(t, payload);
                if (t == IotMessageType.GetChallenge && payload.Length == 1 && payload[0] == IotWire.Version) continue;   // a well-formed request
                Assert.That(status, Is.Not.EqualTo(EngineStatus.Ok), $"{t} with {payload.Length} bytes");
                Assert.That(type, Is.EqualTo(IotMessageType.Error));
                Assert.That(IotWire.ReadError(answer).Status, Is.EqualTo(status));
            }
            foreach (IotMessageType t in csTypes)
            {
                (EngineStatus status, IotMessageType type, _) = net.Cloud.Process(t, payload);
                Assert.That(status, Is.Not.EqualTo(EngineStatus.Ok), $"{t} with {payload.Length} bytes");
                Assert.That(type, Is.EqualTo(IotMessageType.Error));
            }
        }
        Assert.That(net.Oc.Counts.Authentications, Is.EqualTo(before.Counts.Authentications));
        Assert.That(net.Oc.Counts.TagsIssued, Is.EqualTo(before.Counts.TagsIssued));
        Assert.That(net.Oc.TableSizes.Sessions, Is.EqualTo(before.Sessions));
        Assert.That(net.Cloud.Counts.Evaluations, Is.EqualTo(before.Evaluations));
        Assert.That(net.Oc.Store.Find("sensor-7"), Is.EqualTo(before.Item4));
        Assert.That(net.Oc.Epoch, Is.EqualTo(1u));
        (await device.AuthenticateAsync(net.ToOc)).Keys.Dispose();              // still works
    }

    [Test]
    public async Task ConcurrentDevices_AreVerifiedInSharedBatches()
    {
        await using var net = new IotNetwork(batching: true);
        var devices = new List<Device>();
        for (int i = 0; i < 24; i++) devices.Add(await net.EnrolledDevice($"d-{i}"));
        // Challenges first, then every proof at once, so the batcher sees them together.
        var requests = new List<(byte[] Request, Engine.IotAuth.Auth.SessionKeys Keys)>();
        foreach (Device d in devices)
        {
            (_, byte[] challenge) = await net.ToOc.RequestAsync(IotMessageType.GetChallenge, IotWire.Writer().ToArray());
            requests.Add(d.Respond(challenge));
        }
        // One bad proof among them (s1 changed: it decodes, so it enters the batch): its caller is refused, the others pass.
        requests[7].Request[1 + 32 + 175] ^= 1;
        var results = await Task.WhenAll(requests.Select(r => net.Oc.ProcessAsync(IotMessageType.Authenticate, r.Request).AsTask()));
        for (int i = 0; i < results.Length; i++)
            Assert.That(results[i].Status, Is.EqualTo(i == 7 ? EngineStatus.VerificationFailed : EngineStatus.Ok), $"device {i}");
        Assert.That(net.Batcher!.Items, Is.EqualTo(24));
        Assert.That(net.Batcher.LargestBatch, Is.GreaterThan(1), "proofs shared a batch");
        foreach (var r in requests) r.Keys.Dispose();
    }
}
