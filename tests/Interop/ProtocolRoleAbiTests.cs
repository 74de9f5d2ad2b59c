using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Engine.Hosting.Roles;
using Engine.Hosting.Roles.Clients;
using System.Text;
using Engine.Interop.Exports;
using Engine.IotAuth;
using Engine.IotAuth.Roles;
using Engine.IotAuth.Wire;
using Engine.Primitives.Schnorr;
using Engine.Primitives.Wire;
using Engine.Revocation;
using Engine.Revocation.Policies;
using Engine.Revocation.Roles;
using Engine.Revocation.Signatures;
using Engine.Revocation.Wire;
using Engine.Tests.IotAuth;
using NUnit.Framework;

namespace Engine.Tests.Interop;

/// <summary>
/// The C ABI's "iot-oc", "abe-authority" and "source-csp" roles (engine.h, Protocols 3 and 4), driven through the
/// exported entry points: an operation centre whose queries to the cloud server go out through the host's transport
/// callback and whose γ the host persists across a rotation; an authority whose sealed state survives the role being
/// made again; a source CSP that follows the authority's ring.
/// </summary>
[TestFixture]
public sealed class ProtocolRoleAbiTests
{
    /// <summary>What the transport callback reaches: an in-process role, and how many calls it carried.</summary>
    private sealed unsafe class TransportTarget(params IEngineRole[] roles)
    {
        private readonly RoleConnection _connection = new();
        public int Opens, Requests;

        public int Handle(uint server, byte type, ReadOnlySpan<byte> request, Span<byte> response, NativeReply* reply)
        {
            if (server >= roles.Length) return (int)EngineStatus.NotFound;
            IEngineRole role = roles[server];
            var written = new ArrayBufferWriter<byte>();
            RoleReply answer;
            if (type == 0)
            {
                Opens++;
                answer = new RoleReply(EngineStatus.Ok, role.Open(_connection, written));
            }
            else
            {
                Requests++;
                answer = role.Process(_connection, type, request, written);
            }
            *reply = new NativeReply { Status = (int)answer.Status, Type = answer.Type, Length = (nuint)written.WrittenCount };
            if (written.WrittenCount > response.Length) return (int)EngineStatus.DestinationTooSmall;
            written.WrittenSpan.CopyTo(response);
            return (int)EngineStatus.Ok;
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static unsafe int Transport(nint context, uint server, byte type, byte* request, nuint length, byte* response, nuint capacity, NativeReply* reply)
        => ((TransportTarget)GCHandle.FromIntPtr(context).Target!).Handle(server, type, new ReadOnlySpan<byte>(request, (int)length), new Span<byte>(response, (int)capacity), reply);

    private static unsafe nint TransportPointer => (nint)(delegate* unmanaged[Cdecl]<nint, uint, byte, byte*, nuint, byte*, nuint, NativeReply*, int>)&Transport;

    /// <summary>A client's connection to a role made through the C ABI.</summary>
    private sealed class AbiConnection(nint connection, byte[] hello) : IIotConnection, IRevocationConnection
    {
        public ReadOnlyMemory<byte> Hello { get; } = hello;

        private (byte, byte[]) Request(byte type, byte[] payload)
        {
            (EngineStatus call, _, byte reply, byte[] response) = RoleAbi.Request(connection, type, payload);
            Assert.That(call, Is.EqualTo(EngineStatus.Ok), "engine_role_process");
            return (reply, response);
        }

        public Task<(IotMessageType Type, byte[] Payload)> RequestAsync(IotMessageType type, byte[] payload, CancellationToken cancellationToken = default)
        {
            (byte reply, byte[] response) = Request((byte)type, payload);
            return Task.FromResult(((IotMessageType)reply, response));
        }

        public Task<(RevocationMessageType Type, byte[] Payload)> RequestAsync(RevocationMessageType type, byte[] payload, CancellationToken cancellationToken = default)
        {
            (byte reply, byte[] response) = Request((byte)type, payload);
            return Task.FromResult(((RevocationMessageType)reply, response));
        }

        public ValueTask DisposeAsync()
        {
            RoleAbi.Close(connection);
            return ValueTask.CompletedTask;
        }
    }

    private static async Task<AbiConnection> ConnectAsync(nint role)
    {
        (nint connection, _, byte[] hello) = RoleAbi.Open(role);
        return await Task.FromResult(new AbiConnection(connection, hello));
    }

    private static string Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexString(bytes);

    [Test]
    public async Task OperationCentre_QueriesTheCloudThroughTheTransport_AndItsExportedGammaOutlivesTheRole()
    {
        await using var net = new IotNetwork();
        byte[] signing = new byte[32], encryption = new byte[32], gamma = RandomNumberGenerator.GetBytes(32);
        gamma[0] &= 0x3f;                                                     // below r
        net.OcSigning.ExportSecret(signing);
        net.OcEncryption.ExportSecret(encryption);
        string Config(string gammaHex, uint epoch, string enrolment) => $$"""
            {"role":"iot-oc","id":"oc-1","signing_key":"{{Hex(signing)}}","encryption_key":"{{Hex(encryption)}}","gamma":"{{gammaHex}}","epoch":{{epoch}},
             "enrolment_key":"{{enrolment}}","admin_key":"{{Hex(net.AdminKey)}}","cloud_signing_key":"{{Hex(net.CloudKey.PublicKey)}}","threshold":6000}
            """;
        var target = new TransportTarget(new IotRole("iot-cs", net.Cloud));
        GCHandle context = GCHandle.Alloc(target);
        nint host = RoleAbi.NewHost();
        try
        {
            string good = Config(Hex(gamma), 1, Hex(net.EnrolmentKey));
            Assert.That(RoleAbi.CreateRole(host, good, out _), Is.EqualTo(EngineStatus.NullArgument), "an OC without a transport to its cloud server");
            Assert.That(RoleAbi.CreateRole(host, Config(Hex(new byte[32]), 1, Hex(net.EnrolmentKey)), TransportPointer, GCHandle.ToIntPtr(context), out _),
                        Is.Not.EqualTo(EngineStatus.Ok), "γ = 0");
            Assert.That(RoleAbi.CreateRole(host, Config(Hex(gamma), 1, "00112233"), TransportPointer, GCHandle.ToIntPtr(context), out _),
                        Is.EqualTo(EngineStatus.BadLength), "a 4-byte enrolment key");
            Assert.That(RoleAbi.CreateRole(host, good.Replace("\"admin_key\"", "\"admin\""), TransportPointer, GCHandle.ToIntPtr(context), out _),
                        Is.EqualTo(EngineStatus.Malformed), "no admin key");

            Assert.That(RoleAbi.CreateRole(host, good, TransportPointer, GCHandle.ToIntPtr(context), out nint role), Is.EqualTo(EngineStatus.Ok));
            Device device = net.NewDevice("sensor-abi");
            int tl = await device.EvaluateAsync(net.ToCloud, IotNetwork.GoodAttributes);
            await using (AbiConnection oc = await ConnectAsync(role))
            {
                await device.RegisterAsync(oc, net.EnrolmentKey);
                await device.RequestTagAsync(oc, tl);
                Assert.That((target.Opens, target.Requests), Is.EqualTo((1, 1)), "the tag request's trust query went through the transport, after one open");
                (await device.AuthenticateAsync(oc)).Keys.Dispose();

                Assert.That(RoleAbi.RotateOperationCentre(role), Is.EqualTo((EngineStatus.Ok, 2u)));
                Assert.That(async () => (await device.AuthenticateAsync(oc)).Keys.Dispose(), Throws.InstanceOf<EngineException>(), "a tag of epoch 1 after the rotation");
            }
            (EngineStatus exportStatus, byte[] exported, uint exportedEpoch) = RoleAbi.ExportTagKey(role);
            Assert.That((exportStatus, exportedEpoch), Is.EqualTo((EngineStatus.Ok, 2u)));
            Assert.That(exported, Is.Not.EqualTo(gamma), "a fresh γ");
            await using (AbiConnection oc = await ConnectAsync(role)) await device.RequestTagAsync(oc, tl);     // a tag of epoch 2
            RoleAbi.Destroy(role);

            // The host made the role again from the persisted γ and epoch: the epoch-2 tag still authenticates.
            Assert.That(RoleAbi.CreateRole(host, Config(Hex(exported), exportedEpoch, Hex(net.EnrolmentKey)), TransportPointer, GCHandle.ToIntPtr(context), out role),
                        Is.EqualTo(EngineStatus.Ok));
            await using (AbiConnection oc = await ConnectAsync(role))
            {
                // Registrations were in memory (no "data"): the device registers again; its tag is unchanged.
                AuthenticationResult result = await device.AuthenticateAsync(oc);
                result.Keys.Dispose();
                Assert.That(result.SessionId, Has.Length.EqualTo(IotWire.SessionIdSize));
            }
            RoleAbi.Destroy(role);
        }
        finally
        {
            RoleAbi.DestroyHost(host);
            context.Free();
        }
    }

    [Test]
    public async Task AcceptingCsp_SyncsFromItsAuthoritiesThroughTheTransport()
    {
        await using var net = new Engine.Tests.Revocation.RevocationRolesTests.Network();
        await net.GrantCspAsync();
        using RevocationUser alice = await net.EnrolAsync("alice", ["doctor@HOSP"], []);
        using RevocationUser bob = await net.EnrolAsync("bob", ["doctor@HOSP"], []);
        string store = Path.Combine(Path.GetTempPath(), "engine-abi-accepting-" + Guid.NewGuid().ToString("N"));
        byte[] signing = new byte[32], encryption = new byte[32];
        net.CspKey.ExportSecret(signing);
        net.CspEncryption.ExportSecret(encryption);
        string config = $$"""
            {"role":"accepting-csp","name":"csp-b","signing_key":"{{Hex(signing)}}","encryption_key":"{{Hex(encryption)}}","owner_public_key":"{{Hex(net.AdminKey.PublicKey)}}",
             "token_issuers":[{"name":"csp-a","public_key":"{{Hex(net.Source.TokenPublicKey)}}"}],"authorities":["HOSP","INS"],"store":"{{store}}"}
            """;
        var target = new TransportTarget(new RevocationRole("HOSP", net.Hospital), new RevocationRole("INS", net.Insurer));
        GCHandle context = GCHandle.Alloc(target);
        nint host = RoleAbi.NewHost();
        try
        {
            Assert.That(RoleAbi.CreateRole(host, config, out _), Is.EqualTo(EngineStatus.NullArgument), "an accepting CSP without a transport to its authorities");
            Assert.That(RoleAbi.CreateRole(host, config.Replace("[\"HOSP\",\"INS\"]", "[\"HOSP\",\"INS\",\"GONE\"]"), TransportPointer, GCHandle.ToIntPtr(context), out _),
                        Is.EqualTo(EngineStatus.Unreachable), "an authority the transport cannot reach");
            Assert.That(RoleAbi.CreateRole(host, config, TransportPointer, GCHandle.ToIntPtr(context), out nint role), Is.EqualTo(EngineStatus.Ok));
            await using AbiConnection accepting = await ConnectAsync(role);
            byte[] record = RandomNumberGenerator.GetBytes(10_000);
            await net.Admin.StoreAsync(accepting, "record-1", "doctor@HOSP", record);
            Policy ring = Policy.Parse("doctor@HOSP");
            RingPublicKey ringKey = net.Hospital.Signatures!.PublicKey;
            Assert.That(await alice.FetchAndDecryptAsync(accepting, await alice.RequestTokenAsync(net.ToSource, ringKey, ring, "csp-b", "record-1")), Is.EqualTo(record));

            // Revoke bob's doctor@HOSP; the sync pulls HOSP's update keys through the transport and updates the row.
            Assert.That(await net.Admin.RevokeAsync(net.ToHospital, "bob", "doctor@HOSP"), Is.EqualTo(1));
            int before = target.Requests;
            Assert.That(await net.Admin.SyncAsync(accepting), Is.EqualTo((1, 1)));
            Assert.That(target.Requests - before, Is.GreaterThanOrEqualTo(3), "public keys and update keys pulled through the transport");
            Assert.That(await net.Admin.SyncAsync(accepting), Is.EqualTo((0, 0)), "the applied marks moved: nothing left to do");
            Assert.That(await alice.FetchUpdatesAsync(net.ToHospital, "HOSP"), Is.EqualTo(1));
            Assert.That(await alice.FetchAndDecryptAsync(accepting, await alice.RequestTokenAsync(net.ToSource, ringKey, ring, "csp-b", "record-1")), Is.EqualTo(record));
            byte[] bobLate = await bob.RequestTokenAsync(net.ToSource, ringKey, ring, "csp-b", "record-1");
            Assert.That(async () => await bob.FetchAndDecryptAsync(accepting, bobLate), Throws.TypeOf<EngineException>(), "bob is revoked");
            RoleAbi.Destroy(role);
        }
        finally
        {
            RoleAbi.DestroyHost(host);
            context.Free();
            try { Directory.Delete(store, recursive: true); } catch (IOException) { }
        }
    }

    [Test]
    public async Task Device_AsAClientRole_IsDrivenByItsHostThroughTheCAbi()
    {
        await using var net = new IotNetwork();
        using SchnorrSigningKey deviceSigning = SchnorrSigningKey.Generate(IotAuthParameters.Group);
        using var deviceEncryption = Engine.Primitives.Encryption.HashedElGamalKey.Generate(IotAuthParameters.Group);
        byte[] signing = new byte[32], encryption = new byte[32];
        deviceSigning.ExportSecret(signing);
        deviceEncryption.ExportSecret(encryption);
        OperationCenterEntry oc = net.Oc.Entry;
        string config = $$"""
            {"role":"iot-device","id":"sensor-c","signing_key":"{{Hex(signing)}}","encryption_key":"{{Hex(encryption)}}","enrolment_key":"{{Hex(net.EnrolmentKey)}}",
             "operation_centre":{"id":"{{oc.Id}}","signing_key":"{{Hex(oc.SigningKey)}}","encryption_key":"{{Hex(oc.EncryptionKey)}}"},"cloud_signing_key":"{{Hex(net.CloudKey.PublicKey)}}"}
            """;
        var servers = new Dictionary<string, IEngineRole> { ["cs"] = new IotRole("iot-cs", net.Cloud), ["oc"] = new IotRole("iot-oc", net.Oc) };
        nint host = RoleAbi.NewHost();
        try
        {
            Assert.That(RoleAbi.CreateRole(host, config.Replace("\"cloud_signing_key\":\"", "\"cloud_signing_key\":\"00"), out _), Is.Not.EqualTo(EngineStatus.Ok), "a cloud key that is no point");
            Assert.That(RoleAbi.CreateRole(host, config, out nint role), Is.EqualTo(EngineStatus.Ok));
            (nint connection, _, _) = RoleAbi.Open(role);
            var routes = new Dictionary<string, RoleConnection>();

            // The host's loop: each reply is a message for the server engine_connection_route names, or the end.
            async Task<(EngineStatus Status, byte[] Result)> Run(string command)
            {
                (EngineStatus call, EngineStatus status, byte type, byte[] response) = RoleAbi.Request(connection, ClientRole.Command, Encoding.UTF8.GetBytes(command));
                while (call == EngineStatus.Ok && type is not (ClientRole.Result or ClientRole.Error))
                {
                    string route = RoleAbi.RouteOf(connection);
                    var answer = new ArrayBufferWriter<byte>();
                    byte answerType;
                    if (type == ClientRole.OpenRoute) answerType = servers[route].Open(routes[route] = new RoleConnection(), answer);
                    else answerType = (await servers[route].ProcessAsync(routes[route], type, response, answer)).Type;
                    (call, status, type, response) = RoleAbi.Request(connection, answerType, answer.WrittenSpan.ToArray());
                }
                Assert.That(call, Is.EqualTo(EngineStatus.Ok), "engine_role_process");
                return (status, response);
            }

            (EngineStatus s, byte[] tl) = await Run("""{"op":"evaluate","attributes":[{"name":"battery-percent","value":90},{"name":"uptime-hours","value":360},{"name":"packet-loss-percent","value":2},{"name":"firmware-age-days","value":73}]}""");
            Assert.That((s, tl), Is.EqualTo((EngineStatus.Ok, new byte[] { 0x1c, 0x52 })), "TL 7250 = 0x1C52");
            Assert.That((await Run("""{"op":"register"}""")).Status, Is.EqualTo(EngineStatus.Ok));
            Assert.That((await Run("""{"op":"tag","trust_level":7250}""")).Status, Is.EqualTo(EngineStatus.Ok));
            (s, byte[] session) = await Run("""{"op":"authenticate"}""");
            Assert.That(s, Is.EqualTo(EngineStatus.Ok));
            Assert.That(net.Oc.FindSession(session.AsSpan(0, IotWire.SessionIdSize)), Is.Not.Null, "a confirmed session at the OC");
            RoleAbi.Close(connection);
            RoleAbi.Destroy(role);
        }
        finally { RoleAbi.DestroyHost(host); }
    }

    /// <summary>The GetPublicKeys answer: the ring's public key and the ring, as the source CSP's configuration takes them.</summary>
    private static async Task<(byte[] RingKey, byte[] Ring)> RingOf(AbiConnection authority)
    {
        (RevocationMessageType type, byte[] payload) = await authority.RequestAsync(RevocationMessageType.GetPublicKeys, [RevocationParameters.Version]);
        Assert.That(type, Is.EqualTo((RevocationMessageType)((byte)RevocationMessageType.GetPublicKeys | 0x80)));
        WireReader r = RevocationWire.Reader(payload);
        r.Blob(1 << 20);
        byte[] key = r.Blob(1 << 20).ToArray(), ring = r.Blob(1 << 20).ToArray();
        Assert.That(r.AtEndOk, Is.True);
        return (key, ring);
    }

    [Test]
    public async Task Authority_StateSurvivesTheRole_AndASourceCspFollowsItsRing()
    {
        string data = Path.Combine(Path.GetTempPath(), "engine-abi-authority-" + Guid.NewGuid().ToString("N"));
        using SchnorrSigningKey admin = SchnorrSigningKey.Generate(RevocationParameters.Group), token = SchnorrSigningKey.Generate(RevocationParameters.Group);
        byte[] stateKey = RandomNumberGenerator.GetBytes(32), tokenSecret = new byte[32];
        token.ExportSecret(tokenSecret);
        string Authority(byte[] key) => $$"""
            {"role":"abe-authority","name":"HOSP","admin_public_key":"{{Hex(admin.PublicKey)}}","ring":"ring-1","data":"{{data}}","state_key":"{{Hex(key)}}"}
            """;
        var adminClient = new RevocationAdmin(admin);
        Policy policy = Policy.Parse("doctor@HOSP");
        nint host = RoleAbi.NewHost();
        using RevocationUser alice = RevocationUser.Create("alice"), bob = RevocationUser.Create("bob");
        try
        {
            Assert.That(RoleAbi.CreateRole(host, Authority(stateKey)[..^3] + "\"}", out _), Is.Not.EqualTo(EngineStatus.Ok), "a state key that is not 32 bytes of hex");
            Assert.That(RoleAbi.CreateRole(host, Authority(stateKey), out nint authority), Is.EqualTo(EngineStatus.Ok));
            (byte[] ringKey, byte[] ring) before;
            await using (AbiConnection toAuthority = await ConnectAsync(authority))
            {
                await adminClient.GrantAsync(toAuthority, false, "alice", alice.SigningKey.PublicKey.ToArray(), alice.EncryptionKey.PublicKey.ToArray(), ["doctor@HOSP"]);
                await alice.FetchKeysAsync(toAuthority);
                before = await RingOf(toAuthority);
            }
            RoleAbi.Destroy(authority);

            Assert.That(RoleAbi.CreateRole(host, Authority(RandomNumberGenerator.GetBytes(32)), out _), Is.EqualTo(EngineStatus.VerificationFailed), "the sealed state under another key");
            Assert.That(RoleAbi.CreateRole(host, Authority(stateKey), out authority), Is.EqualTo(EngineStatus.Ok));
            await using AbiConnection authorityAgain = await ConnectAsync(authority);
            Assert.That(await RingOf(authorityAgain), Is.EqualTo(before), "the ring (alice in it) came back from the sealed state");
            await alice.FetchKeysAsync(authorityAgain);                          // alice is still registered

            string source = $$"""
                {"role":"source-csp","name":"csp-a","token_key":"{{Hex(tokenSecret)}}","ring_public_key":"{{Hex(before.ringKey)}}","ring":"{{Hex(before.ring)}}"}
                """;
            Assert.That(RoleAbi.CreateRole(host, source.Replace(Hex(before.ring), Hex(before.ring)[..^2]), out _), Is.Not.EqualTo(EngineStatus.Ok), "a truncated ring");
            Assert.That(RoleAbi.CreateRole(host, source, out nint csp), Is.EqualTo(EngineStatus.Ok));
            await using AbiConnection toSource = await ConnectAsync(csp);
            Ring.Decode(before.ring, out Ring? ring1);
            RingPublicKey.Decode(before.ringKey, out RingPublicKey? key);
            (RevocationMessageType type, _) = await toSource.RequestAsync(RevocationMessageType.Authenticate, alice.AuthenticateRequest(ring1!, key!, policy, "csp-b", "r"));
            Assert.That(type, Is.EqualTo((RevocationMessageType)0x90), "alice's ring signature verified, a token issued");

            // Bob joins: the ring grows (same epoch); the host hands the source CSP the grown ring.
            await adminClient.GrantAsync(authorityAgain, false, "bob", bob.SigningKey.PublicKey.ToArray(), bob.EncryptionKey.PublicKey.ToArray(), ["doctor@HOSP"]);
            await bob.FetchKeysAsync(authorityAgain);
            (_, byte[] grown) = await RingOf(authorityAgain);
            Ring.Decode(grown, out Ring? ring2);
            Assert.That(RoleAbi.UpdateRing(csp, grown), Is.EqualTo(EngineStatus.Ok));
            (type, _) = await toSource.RequestAsync(RevocationMessageType.Authenticate, bob.AuthenticateRequest(ring2!, key!, policy, "csp-b", "r"));
            Assert.That(type, Is.EqualTo((RevocationMessageType)0x90), "bob verified under the grown ring");

            // A revocation moves the ring to its next epoch: once the host hands it over, signatures under the older
            // epoch are refused, and the older ring is not taken back.
            await adminClient.RevokeAsync(authorityAgain, "alice", null);
            (_, byte[] next) = await RingOf(authorityAgain);
            Assert.That(RoleAbi.UpdateRing(csp, next), Is.EqualTo(EngineStatus.Ok));
            (type, byte[] refusal) = await toSource.RequestAsync(RevocationMessageType.Authenticate, bob.AuthenticateRequest(ring2!, key!, policy, "csp-b", "r"));
            Assert.That((type, RevocationWire.ReadError(refusal).Status), Is.EqualTo((RevocationMessageType.Error, EngineStatus.Expired)), "a signature under the revoked epoch");
            Assert.That(RoleAbi.UpdateRing(csp, grown), Is.EqualTo(EngineStatus.Expired), "back to the older epoch");
            Assert.That(RoleAbi.UpdateRing(authority, grown), Is.EqualTo(EngineStatus.NullArgument), "not a source CSP");
            RoleAbi.Destroy(csp);
            RoleAbi.Destroy(authority);
        }
        finally
        {
            RoleAbi.DestroyHost(host);
            try { Directory.Delete(data, recursive: true); } catch (IOException) { }
        }
    }
}
