using System.Buffers;
using Engine.Hosting.Roles;
using Engine.IotAuth.Auth;
using Engine.IotAuth.Roles;
using Engine.IotAuth.Wire;
using Engine.Onion.Roles;
using Engine.Onion.Setup;
using Engine.Primitives.Aead;
using Engine.Primitives.Groups;
using Engine.Primitives.Schnorr;
using Engine.Revocation.Wire;
using Engine.Tests.IotAuth;
using Engine.Tests.Onion;
using Engine.Tests.Revocation;
using Engine.TwoServer;
using Engine.TwoServer.Roles;
using Engine.TwoServer.Wire;
using Engine.Hosting.Framing;
using Engine.Hosting.Onion;
using NUnit.Framework;

namespace Engine.Tests.Hosting;

/// <summary>
/// What the request path of each role allocates under the role contract (issue #14), measured with
/// <see cref="GC.GetAllocatedBytesForCurrentThread"/> around steady-state calls that write into one reused buffer.
/// </summary>
[TestFixture, Category("Allocation"), NonParallelizable]
public sealed class RoleAllocationTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 1, 0, 0, TimeSpan.Zero);

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    /// <summary>Bytes allocated per call of <paramref name="call"/> (indexed 0…n−1) after two warm-up calls.</summary>
    private static double BytesPerCall(Action<int> call, int calls)
    {
        call(0); call(1);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 2; i < calls; i++) call(i);
        return (GC.GetAllocatedBytesForCurrentThread() - before) / (double)(calls - 2);
    }

    /// <summary>
    /// Bytes per call of a call that can be repeated, the least of three rounds: the runtime's one-time work (a method
    /// tiering up) can land inside one round; an allocation per call shows in every round.
    /// </summary>
    private static double BytesPerRepeatedCall(Action call, int calls)
    {
        double least = double.MaxValue;
        for (int round = 0; round < 3; round++) least = Math.Min(least, BytesPerCall(_ => call(), calls));
        return least;
    }

    [Test]
    public void OnionRole_ForwardsBackwardsAndDeliversDataPackets_AllocatingNothing()
    {
        if (!AesCtr.UsesAesNi) Assert.Ignore("Without AES-NI the keystream goes through .NET's Aes, which allocates per call.");
        using var network = new OnionTestNetwork(PrimeOrderGroups.Bls12381G1);
        using ClientLink link = OnionClient.BeginLink(network.Path(2), Now.AddMinutes(10));
        Assert.That(network.Run(link, Now).Status, Is.EqualTo(EngineStatus.Ok));
        OnionNode relay1 = network.NodesByHandle[NodeHandle.Of("relay-1")], relay2 = network.NodesByHandle[NodeHandle.Of("relay-2")];
        OnionNode dest = network.NodesByHandle[NodeHandle.Of("dest")];
        var clock = new FixedClock(Now);
        var relayRole = new OnionNodeRole(relay1, clock);
        var destRole = new OnionNodeRole(dest, clock);
        var connection = new RoleConnection("client");
        var response = new ArrayBufferWriter<byte>(4096);

        const int count = 40;
        byte[][] forward = Enumerable.Range(0, count).Select(i => link.SealForward(new byte[256], Now.AddMinutes(1), reencryptPerHop: true)).ToArray();
        // The same packets as the destination receives them: through relay-1 and relay-2 (the copying API), then a fresh link for the relay.
        byte[][] atDestination = forward.Select(p =>
        {
            Assert.That(relay1.ProcessData(p, Now, out Outgoing o1, out _), Is.EqualTo(EngineStatus.Ok));
            Assert.That(relay2.ProcessData(o1.Packet, Now, out Outgoing o2, out _), Is.EqualTo(EngineStatus.Ok));
            return o2.Packet;
        }).ToArray();
        byte[][] atRelay = Enumerable.Range(0, count).Select(i => link.SealForward(new byte[256], Now.AddMinutes(1), reencryptPerHop: true)).ToArray();
        string destLinkId = relay2.FindByInLink(relay1.FindByInLink(link.FirstLinkId)!.OutLinkId!)!.OutLinkId!;
        byte[][] backward = Enumerable.Range(0, count).Select(_ => dest.CreateBackward(destLinkId, new byte[256], Now.AddMinutes(1)).Packet).ToArray();
        foreach (byte[] p in backward) Assert.That(relay2.ProcessBackward(p.AsSpan(), Now, out DataRoute _), Is.EqualTo(EngineStatus.Ok));

        int ok = 0;
        void Call(OnionNodeRole role, OnionFrameType type, byte[] packet)
        {
            response.ResetWrittenCount();
            if (role.Process(connection, (byte)type, packet, response).Status == EngineStatus.Ok) ok++;
        }
        double forwarded = BytesPerCall(i => Call(relayRole, OnionFrameType.Data, atRelay[i]), count);
        double delivered = BytesPerCall(i => Call(destRole, OnionFrameType.Data, atDestination[i]), count);
        double backwards = BytesPerCall(i => Call(relayRole, OnionFrameType.Backward, backward[i]), count);
        TestContext.Out.WriteLine($"bytes per request: forward {forwarded}, deliver {delivered}, backward {backwards}");
        Assert.That(ok, Is.EqualTo(3 * count), "every packet was accepted");
        Assert.That(response.WrittenCount, Is.GreaterThan(256), "the last answer is the relayed packet");
        Assert.That((forwarded, delivered, backwards), Is.EqualTo((0.0, 0.0, 0.0)), "bytes allocated per data packet: forward, deliver, backward");
    }

    [Test]
    public void TwoServerRole_RoundPollsAndRefusals_AllocateNothing()
    {
        PrimeOrderGroup group = PrimeOrderGroups.Bls12381G1;
        using SchnorrSigningKey k1 = SchnorrSigningKey.Generate(group), k2 = SchnorrSigningKey.Generate(group);
        var role = new TwoServerRole(new TwoServerNode(1, k1, k2.PublicKey, TwoServerParameters.ForBlockSize(64)));
        var connection = new RoleConnection();
        role.Open(connection, new ArrayBufferWriter<byte>());
        var response = new ArrayBufferWriter<byte>(256);
        byte[] getRound = [TwoServerWire.Version], badVersion = [99, 1, 2], unknownSession = new TwoServerWire.Writer().Int64(1).Fixed(new byte[TwoServerWire.SessionIdSize]).UInt64(7)
            .Blob(new byte[2 * TwoServerParameters.ForBlockSize(64).RecordSize]).Blob(new byte[96]).ToArray();
        var requests = new (TwoServerMessageType Type, byte[] Payload, EngineStatus Expected)[]
        {
            (TwoServerMessageType.GetRound, getRound, EngineStatus.Ok),
            ((TwoServerMessageType)200, getRound, EngineStatus.UnknownMessageType),
            (TwoServerMessageType.Upload, badVersion, EngineStatus.UnsupportedVersion),
            (TwoServerMessageType.Upload, unknownSession, EngineStatus.NotFound),
        };
        foreach (var (type, payload, expected) in requests)
        {
            int wrong = 0;
            double bytes = BytesPerRepeatedCall(() =>
            {
                response.ResetWrittenCount();
                if (role.Process(connection, (byte)type, payload, response).Status != expected) wrong++;
            }, 50);
            TestContext.Out.WriteLine($"{type} ({expected}): {bytes} bytes per request");
            Assert.That(wrong, Is.Zero, $"{type} answered {expected}");
            Assert.That(bytes, Is.Zero, $"bytes allocated per {type} answered {expected}");
        }
    }

    [Test]
    public void KgcRole_Refusals_AllocateNothing()
    {
        using var kgc = new Engine.Onion.Keys.KeyGenerationCenter(new Engine.Onion.OnionParameters(PrimeOrderGroups.Bls12381G1));
        using var role = new KgcRole(kgc, System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        var connection = new RoleConnection();
        var response = new ArrayBufferWriter<byte>(64);
        foreach ((KgcFrameType type, byte[] payload) in new[] { (KgcFrameType.Enrol, new byte[] { 1, 2, 3 }), (KgcFrameType.Register, new byte[40]), ((KgcFrameType)250, new byte[] { 1 }) })
        {
            RoleReply last = default;
            double bytes = BytesPerRepeatedCall(() =>
            {
                response.ResetWrittenCount();
                last = role.Process(connection, (byte)type, payload, response);
            }, 50);
            TestContext.Out.WriteLine($"kgc {type}: {bytes} bytes per refusal ({last.Status})");
            Assert.That(last.Status, Is.Not.EqualTo(EngineStatus.Ok), $"{type} refused");
            Assert.That(last.Type, Is.EqualTo((byte)KgcFrameType.Error), "with an Error frame");
            Assert.That(bytes, Is.Zero, $"bytes allocated per refused {type}");
        }
    }

    /// <summary>
    /// The OC's authentication round through the contract (challenge, proof, confirmation), each answer written into
    /// one reused buffer. What a round allocates is the state it keeps (the pending challenge, then the session, its
    /// keys and its replay-cache entry): bounded here, so a regression that builds answers as arrays again, or copies a
    /// proof, shows.
    /// </summary>
    [Test]
    public async Task IotOperationCenter_AuthenticationRound_AllocatesOnlyTheStateItKeeps()
    {
        await using var iot = new IotNetwork();
        Device device = await iot.EnrolledDevice("sensor-alloc");
        var role = new IotRole("iot-oc", iot.Oc);
        var connection = new RoleConnection();
        role.Open(connection, new ArrayBufferWriter<byte>());
        var response = new ArrayBufferWriter<byte>(1024);
        byte[] getChallenge = [IotWire.Version];
        const int count = 24;
        var challenges = new byte[count][];
        var proofs = new byte[count][];
        var keys = new SessionKeys[count];
        var confirms = new byte[count][];
        int refused = 0;

        double challengeBytes = BytesPerCall(i =>
        {
            response.ResetWrittenCount();
            if (role.Process(connection, (byte)IotMessageType.GetChallenge, getChallenge, response).Status != EngineStatus.Ok) refused++;
            challenges[i] = response.WrittenSpan.ToArray();
        }, count);
        for (int i = 0; i < count; i++) (proofs[i], keys[i]) = device.Respond(challenges[i]);
        var answers = new byte[count][];
        double authenticateBytes = BytesPerCall(i =>
        {
            response.ResetWrittenCount();
            if (role.Process(connection, (byte)IotMessageType.Authenticate, proofs[i], response).Status != EngineStatus.Ok) refused++;
            answers[i] = response.WrittenSpan.ToArray();
        }, count);
        for (int i = 0; i < count; i++) (_, confirms[i]) = device.Finish(answers[i], keys[i]);
        double confirmBytes = BytesPerCall(i =>
        {
            response.ResetWrittenCount();
            if (role.Process(connection, (byte)IotMessageType.Confirm, confirms[i], response).Status != EngineStatus.Ok) refused++;
        }, count);
        foreach (SessionKeys k in keys) k.Dispose();

        // The copies of each answer the test keeps (ToArray, outside the role) are counted too: subtract them.
        challengeBytes -= ArrayBytes(challenges[0].Length);
        authenticateBytes -= ArrayBytes(answers[0].Length);
        TestContext.Out.WriteLine($"bytes per request: challenge {challengeBytes}, authenticate {authenticateBytes}, confirm {confirmBytes}");
        Assert.That(refused, Is.Zero, "every step accepted");
        Assert.That(challengeBytes, Is.LessThanOrEqualTo(512), "a challenge keeps its pending entry (nonce, fields, secret a)");
        Assert.That(authenticateBytes, Is.LessThanOrEqualTo(1024), "an authentication keeps its session, keys and replay entry");
        Assert.That(confirmBytes, Is.LessThanOrEqualTo(128), "a confirmation replaces the session's record");
    }

    /// <summary>
    /// The source CSP's access check through the contract: the token is written into the caller's buffer and a policy
    /// that verified before is taken from the CSP's cache, not parsed again (3952 bytes a request before the cache). A
    /// request still allocates its decoded form (the ring signature's points, the access request and its nonce), which
    /// lives until the answer: this bounds it, so a regression that parses or copies again shows.
    /// </summary>
    [Test]
    public async Task SourceCsp_Authentication_AllocatesOnlyItsDecodedRequest()
    {
        await using var abe = new RevocationRolesTests.Network();
        using Engine.Revocation.Roles.RevocationUser user = await abe.EnrolAsync("alloc-user", ["doctor@HOSP"], []);
        Engine.Revocation.Signatures.Ring ring = abe.Hospital.Signatures!.Ring;
        Engine.Revocation.Signatures.RingPublicKey key = abe.Hospital.Signatures.PublicKey;
        Engine.Revocation.Policies.Policy policy = Engine.Revocation.Policies.Policy.Parse("doctor@HOSP");
        const int count = 8;
        byte[][] requests = Enumerable.Range(0, count).Select(_ => user.AuthenticateRequest(ring, key, policy, "csp-b", "r")).ToArray();
        var role = new RevocationRole("source-csp", abe.Source);
        var connection = new RoleConnection();
        var response = new ArrayBufferWriter<byte>(1024);
        int refused = 0;
        double bytes = BytesPerCall(i =>
        {
            response.ResetWrittenCount();
            if (role.Process(connection, (byte)RevocationMessageType.Authenticate, requests[i], response).Status != EngineStatus.Ok) refused++;
        }, count);
        TestContext.Out.WriteLine($"bytes per authentication: {bytes} (request {requests[0].Length} bytes, answer {response.WrittenCount} bytes)");
        Assert.That(refused, Is.Zero, "every request accepted");
        Assert.That(bytes, Is.LessThanOrEqualTo(1536), "bytes allocated per access check (1128 measured on 2026-12-06)");
    }

    private static double ArrayBytes(int length) => 16 + 8 + ((length + 7) & ~7);     // header, length, padded payload (x64)

    /// <summary>
    /// Protocols 3 and 4 write their answers into the caller's buffer (the Error payload of a refusal too), so a flood
    /// of bad requests costs no memory at all (it was 400–512 bytes a refusal while the roles returned arrays).
    /// </summary>
    [Test]
    public async Task IotAndRevocationRoles_Refusals_AllocateNothing()
    {
        await using var iot = new IotNetwork();
        await using var abe = new RevocationRolesTests.Network();
        var roles = new (IEngineRole Role, byte Type, byte[] Payload)[]
        {
            (new IotRole("iot-oc", iot.Oc), (byte)IotMessageType.Authenticate, [1, 2, 3]),
            (new IotRole("iot-cs", iot.Cloud), 250, [1]),
            (new RevocationRole("source-csp", abe.Source), (byte)RevocationMessageType.Authenticate, [1, 2, 3]),
            (new RevocationRole("accepting-csp", abe.Accepting), 250, [1]),
            (new RevocationRole("abe-authority", abe.Hospital), (byte)RevocationMessageType.Grant, [1, 2, 3]),
            (new RevocationRole("abe-authority", abe.Hospital), 250, [1]),
        };
        var response = new ArrayBufferWriter<byte>(256);
        foreach (var (role, type, payload) in roles)
        {
            var connection = new RoleConnection();
            role.Open(connection, new ArrayBufferWriter<byte>());
            int accepted = 0;
            RoleReply last = default;
            double bytes = BytesPerRepeatedCall(() =>
            {
                response.ResetWrittenCount();
                last = role.Process(connection, type, payload, response);
                if (last.Status == EngineStatus.Ok) accepted++;
            }, 50);
            TestContext.Out.WriteLine($"{role.Name} type {type}: {bytes} bytes per refusal ({last.Status})");
            Assert.That(accepted, Is.Zero, "every request refused");
            (EngineStatus written, _) = role is IotRole ? IotWire.ReadError(response.WrittenSpan) : RevocationWire.ReadError(response.WrittenSpan);
            Assert.That(written, Is.EqualTo(last.Status), "the answer is the protocol's Error payload carrying the refusal's status");
            Assert.That(bytes, Is.Zero, $"bytes allocated per refusal at {role.Name}");
        }
    }
}
