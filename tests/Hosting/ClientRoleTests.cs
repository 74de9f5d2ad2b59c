using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Engine.Hosting.Roles;
using Engine.Hosting.Roles.Clients;
using Engine.IotAuth.Roles;
using Engine.IotAuth.Wire;
using Engine.Primitives.Groups;
using Engine.Primitives.Schnorr;
using Engine.Revocation.Roles;
using Engine.Tests.IotAuth;
using Engine.Tests.Onion;
using Engine.Tests.Revocation;
using Engine.TwoServer;
using Engine.TwoServer.Roles;
using NUnit.Framework;

namespace Engine.Tests.Hosting;

/// <summary>
/// The client roles (<see cref="ClientRole"/>): a Protocol 3 device, a Protocol 2 user and a Protocol 4 data user
/// driven through the role contract by a host loop that carries each message to the server its route names (in
/// process here, as a native host would over its sockets) and hands the answer back.
/// </summary>
[TestFixture]
public sealed class ClientRoleTests
{
    /// <summary>A host: one client connection, one connection per route to the servers, and the loop between them.</summary>
    internal sealed class Host(IEngineRole client, IReadOnlyDictionary<string, IEngineRole> servers)
    {
        private readonly RoleConnection _client = Open(client);
        private readonly Dictionary<string, RoleConnection> _routes = new(StringComparer.Ordinal);
        public readonly List<string> Routes = [];

        private static RoleConnection Open(IEngineRole role)
        {
            var connection = new RoleConnection();
            role.Open(connection, new ArrayBufferWriter<byte>());
            return connection;
        }

        /// <summary>Runs one command to its end: the final reply and its bytes.</summary>
        public async Task<(RoleReply Reply, byte[] Result)> RunAsync(string command)
        {
            var response = new ArrayBufferWriter<byte>();
            RoleReply reply = await client.ProcessAsync(_client, ClientRole.Command, Encoding.UTF8.GetBytes(command), response);
            for (int steps = 0; reply.Type is not (ClientRole.Result or ClientRole.Error); steps++)
            {
                Assert.That(steps, Is.LessThan(64), "the operation ends");
                Assert.That(reply.Route, Is.Not.Null, "every message names its server");
                string route = reply.Route!;
                Routes.Add(route);
                var answer = new ArrayBufferWriter<byte>();
                byte answerType;
                if (reply.Type == ClientRole.OpenRoute)
                {
                    var connection = new RoleConnection();
                    _routes[route] = connection;
                    answerType = servers[route].Open(connection, answer);
                }
                else answerType = (await servers[route].ProcessAsync(_routes[route], reply.Type, response.WrittenSpan.ToArray(), answer)).Type;
                response.Clear();
                reply = await client.ProcessAsync(_client, answerType, answer.WrittenSpan.ToArray(), response);
            }
            return (reply, response.WrittenSpan.ToArray());
        }

        /// <summary>Sends raw bytes of a type to the client role (a host's mistake, or abandoning a message).</summary>
        public async Task<RoleReply> SendAsync(byte type, byte[] payload) => await client.ProcessAsync(_client, type, payload, new ArrayBufferWriter<byte>());
    }

    [Test]
    public async Task Device_EvaluatesRegistersTagsAndAuthenticates_ThroughItsHost()
    {
        await using var net = new IotNetwork();
        using var device = new Device("sensor-client", SchnorrSigningKey.Generate(Engine.IotAuth.IotAuthParameters.Group),
                                      Engine.Primitives.Encryption.HashedElGamalKey.Generate(Engine.IotAuth.IotAuthParameters.Group), net.Oc.Entry, net.CloudKey.PublicKey, net.Clock);
        var role = new ClientRole("iot-device", new DeviceClientFlows(device, net.EnrolmentKey));
        var host = new Host(role, new Dictionary<string, IEngineRole> { ["cs"] = new IotRole("iot-cs", net.Cloud), ["oc"] = new IotRole("iot-oc", net.Oc) });

        (RoleReply reply, byte[] result) = await host.RunAsync("""{"op":"evaluate","attributes":[{"name":"battery-percent","value":90},{"name":"uptime-hours","value":360},{"name":"packet-loss-percent","value":2},{"name":"firmware-age-days","value":73}]}""");
        Assert.That((reply.Status, reply.Type), Is.EqualTo((EngineStatus.Ok, ClientRole.Result)));
        Assert.That(BinaryPrimitives.ReadUInt16BigEndian(result), Is.EqualTo(7250), "IotNetwork.GoodAttributes' TL under the default model");
        Assert.That((await host.RunAsync("""{"op":"register"}""")).Reply.Status, Is.EqualTo(EngineStatus.Ok));
        (reply, result) = await host.RunAsync("""{"op":"tag","trust_level":7250}""");
        Assert.That((reply.Status, BinaryPrimitives.ReadUInt32BigEndian(result)), Is.EqualTo((EngineStatus.Ok, 1u)), "a tag of epoch 1");
        (reply, result) = await host.RunAsync("""{"op":"authenticate"}""");
        Assert.That(reply.Status, Is.EqualTo(EngineStatus.Ok));
        Assert.That(result, Has.Length.EqualTo(IotWire.SessionIdSize + 32));
        Assert.That(net.Oc.FindSession(result.AsSpan(0, IotWire.SessionIdSize))!.EncryptionKey.ToArray(), Is.EqualTo(result[IotWire.SessionIdSize..]),
                    "the device's K_enc is the OC's for the confirmed session");
        Assert.That(host.Routes.Count(r => r == "oc"), Is.GreaterThanOrEqualTo(6), "register, tag, challenge, proof, confirmation went to the OC");

        // A wrong tag request ends in the OC's refusal, carried through: TL disagreeing with the CS.
        (reply, _) = await host.RunAsync("""{"op":"tag","trust_level":9000}""");
        Assert.That((reply.Status, reply.Type), Is.EqualTo((EngineStatus.VerificationFailed, ClientRole.Error)));
    }

    [Test]
    public async Task ClientRole_RefusesWhatIsNotACommand_AndLetsTheHostAbandonAMessage()
    {
        await using var net = new IotNetwork();
        Device device = await net.EnrolledDevice("sensor-abandon");
        var role = new ClientRole("iot-device", new DeviceClientFlows(device, net.EnrolmentKey));
        var host = new Host(role, new Dictionary<string, IEngineRole> { ["oc"] = new IotRole("iot-oc", net.Oc) });
        Assert.That((await host.SendAsync(ClientRole.Command, Encoding.UTF8.GetBytes("not json"))).Status, Is.EqualTo(EngineStatus.Malformed));
        Assert.That((await host.SendAsync(ClientRole.Command, Encoding.UTF8.GetBytes("""{"no-op":1}"""))).Status, Is.EqualTo(EngineStatus.Malformed));
        Assert.That((await host.SendAsync(7, [1, 2])).Status, Is.EqualTo(EngineStatus.UnknownMessageType), "an answer with no message outstanding");
        Assert.That((await host.RunAsync("""{"op":"fly"}""")).Reply.Status, Is.EqualTo(EngineStatus.UnknownMessageType));

        // A second host call while one is in progress on the same client connection is refused.
        var busy = new ClientRole("iot-device", new DeviceClientFlows(device, net.EnrolmentKey));
        var connection = new RoleConnection();
        busy.Open(connection, new ArrayBufferWriter<byte>());
        var session = (ClientSession)connection.State!;
        Assert.That(session.TryEnter(), Is.True, "a call in progress");
        RoleReply refused = await busy.ProcessAsync(connection, ClientRole.Command, Encoding.UTF8.GetBytes("""{"op":"register"}"""), new ArrayBufferWriter<byte>());
        Assert.That((refused.Status, refused.Type), Is.EqualTo((EngineStatus.Malformed, ClientRole.Error)), "one request at a time");
        session.Exit();
        session.Dispose();

        // The host cannot reach the OC: it abandons the message with a command; the operation ends Unreachable.
        RoleReply first = await host.SendAsync(ClientRole.Command, Encoding.UTF8.GetBytes("""{"op":"authenticate"}"""));
        Assert.That((first.Type, first.Route), Is.EqualTo((ClientRole.OpenRoute, "oc")));
        RoleReply abandoned = await host.SendAsync(ClientRole.Command, []);
        Assert.That((abandoned.Status, abandoned.Type), Is.EqualTo((EngineStatus.Unreachable, ClientRole.Error)));
        // … and the next operation runs (asking to open the route again).
        (RoleReply reply, byte[] result) = await host.RunAsync("""{"op":"authenticate"}""");
        Assert.That((reply.Status, result.Length), Is.EqualTo((EngineStatus.Ok, IotWire.SessionIdSize + 32)));
    }

    [Test]
    public async Task TwoServerUsers_RegisterJoinSendAndFetch_ThroughTheirHosts()
    {
        PrimeOrderGroup group = PrimeOrderGroups.Bls12381G1;
        using SchnorrSigningKey k1 = SchnorrSigningKey.Generate(group), k2 = SchnorrSigningKey.Generate(group);
        TwoServerParameters p = TwoServerParameters.ForBlockSize(64);
        var s1 = new TwoServerNode(1, k1, k2.PublicKey, p);
        var s2 = new TwoServerNode(2, k2, k1.PublicKey, p);
        var servers = new Dictionary<string, IEngineRole> { ["s1"] = new TwoServerRole(s1), ["s2"] = new TwoServerRole(s2) };
        var users = new Dictionary<string, (Host Host, SchnorrSigningKey Key)>();
        foreach (string id in new[] { "alice", "bob" })
        {
            SchnorrSigningKey key = SchnorrSigningKey.Generate(group);
            users[id] = (new Host(new ClientRole("two-server-user", new TwoServerUserClientFlows(id, p, key, k1.PublicKey.ToArray(), k2.PublicKey.ToArray())), servers), key);
        }
        try
        {
            foreach ((Host host, _) in users.Values)
            {
                Assert.That((await host.RunAsync("""{"op":"register"}""")).Reply.Status, Is.EqualTo(EngineStatus.Ok));
                Assert.That((await host.RunAsync("""{"op":"join","group":"friends"}""")).Reply.Status, Is.EqualTo(EngineStatus.Ok));
            }
            byte[] message = Encoding.UTF8.GetBytes("hello bob, through two servers and a host loop");
            (RoleReply sent, byte[] round) = await users["alice"].Host.RunAsync($$"""{"op":"send","group":"friends","to":"bob","message":"{{Convert.ToHexString(message)}}"}""");
            Assert.That(sent.Status, Is.EqualTo(EngineStatus.Ok));
            long sentIn = BinaryPrimitives.ReadInt64BigEndian(round);
            Assert.That(s1.CloseRound(), Is.EqualTo(s2.CloseRound()));
            (RoleReply fetched, byte[] inbox) = await users["bob"].Host.RunAsync($$"""{"op":"fetch","group":"friends","round":{{sentIn}}}""");
            Assert.That(fetched.Status, Is.EqualTo(EngineStatus.Ok));
            Assert.That(BinaryPrimitives.ReadUInt32BigEndian(inbox), Is.EqualTo((uint)message.Length));
            Assert.That(inbox[4..], Is.EqualTo(message), "bob got alice's message, checked against both servers' signed inboxes");
            Assert.That(users["bob"].Host.Routes.Count(r => r == "s1"), Is.EqualTo(users["bob"].Host.Routes.Count(r => r == "s2")), "both servers asked alike");
        }
        finally
        {
            foreach ((_, SchnorrSigningKey key) in users.Values) key.Dispose();
        }
    }

    [Test, NonParallelizable]
    public async Task OnionSender_ReadsTheDirectoryLinksAndRequests_OverTheHostsSockets()
    {
        using var network = new OnionTestNetwork(PrimeOrderGroups.Bls12381G1);
        var directory = new Dictionary<string, System.Net.IPEndPoint>();
        var servers = new List<Engine.Hosting.Onion.OnionNodeServer>();
        try
        {
            foreach ((string handle, Engine.Onion.Roles.OnionNode node) in network.NodesByHandle)
            {
                bool destination = handle == Engine.Onion.Setup.NodeHandle.Of("dest");
                var server = new Engine.Hosting.Onion.OnionNodeServer(node, directory, destination ? m => [.. "echo: "u8, .. m] : null);
                await server.StartAsync();
                directory[handle] = server.EndPoint!;
                servers.Add(server);
            }
            var kgc = new KgcRole(network.Kgc, System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
            kgc.RestoreEndpoints(network.Directory.Keys.Select(id => (id, directory[Engine.Onion.Setup.NodeHandle.Of(id)], 0L)));
            var sender = new ClientRole("onion-client", new OnionClientFlows(network.Kgc.Parameters, network.Kgc.MasterPublicKey.ToArray(), network.Kgc.ListSigningKey.ToArray()));
            var client = new RoleConnection();
            sender.Open(client, new ArrayBufferWriter<byte>());
            var sockets = new Dictionary<string, Engine.Hosting.Framing.FrameConnection>();
            var kgcConnection = new RoleConnection();
            try
            {
                // The host: "kgc" in process; relays over TCP at the endpoints the directory gave.
                Dictionary<string, string> endpoints = new();
                async Task<(RoleReply, byte[])> Run(string command)
                {
                    var response = new ArrayBufferWriter<byte>();
                    RoleReply reply = await sender.ProcessAsync(client, ClientRole.Command, Encoding.UTF8.GetBytes(command), response);
                    while (reply.Type is not (ClientRole.Result or ClientRole.Error))
                    {
                        string route = reply.Route!;
                        byte type;
                        byte[] answer;
                        if (route == "kgc")
                        {
                            var written = new ArrayBufferWriter<byte>();
                            type = reply.Type == ClientRole.OpenRoute ? kgc.Open(kgcConnection, written) : (await kgc.ProcessAsync(kgcConnection, reply.Type, response.WrittenSpan.ToArray(), written)).Type;
                            answer = written.WrittenSpan.ToArray();
                        }
                        else if (reply.Type == ClientRole.OpenRoute)
                        {
                            sockets[route] = await Engine.Hosting.Framing.FrameConnection.ConnectAsync(System.Net.IPEndPoint.Parse(endpoints[route]), Engine.Hosting.Onion.OnionNodeServer.MaxFrameBytes);
                            (type, answer) = ((byte)0, []);
                        }
                        else (type, answer) = await sockets[route].RequestAsync(reply.Type, response.WrittenSpan.ToArray());
                        response.Clear();
                        reply = await sender.ProcessAsync(client, type, answer, response);
                    }
                    return (reply, response.WrittenSpan.ToArray());
                }

                (RoleReply listed, byte[] json) = await Run("""{"op":"directory"}""");
                Assert.That(listed.Status, Is.EqualTo(EngineStatus.Ok));
                foreach (System.Text.Json.JsonElement node in System.Text.Json.JsonDocument.Parse(json).RootElement.EnumerateArray())
                    endpoints[node.GetProperty("handle").GetString()!] = node.GetProperty("endpoint").GetString()!;
                Assert.That(endpoints, Has.Count.EqualTo(9), "eight relays and the destination, verified under the KGC's keys");

                (RoleReply linked, byte[] linkId) = await Run("""{"op":"link","path":["relay-1","relay-2","relay-3","dest"]}""");
                Assert.That((linked.Status, linkId.Length), Is.EqualTo((EngineStatus.Ok, Engine.Onion.Setup.SetupLayout.LinkIdSize)));
                (RoleReply answered, byte[] echo) = await Run($$"""{"op":"request","message":"{{Convert.ToHexString("hello over three relays"u8)}}","reencrypt":true}""");
                Assert.That((answered.Status, Encoding.UTF8.GetString(echo)), Is.EqualTo((EngineStatus.Ok, "echo: hello over three relays")));
                Assert.That((await Run("""{"op":"link","path":["relay-1","nobody"]}""")).Item1.Status, Is.EqualTo(EngineStatus.NotFound), "a node outside the directory");
            }
            finally
            {
                foreach (var socket in sockets.Values) await socket.DisposeAsync();
                (client.State as IDisposable)?.Dispose();
            }
        }
        finally
        {
            foreach (var server in servers) await server.DisposeAsync();
        }
    }

    [Test]
    public async Task AbeUser_TakesKeysATokenAndARecord_ThroughItsHost()
    {
        await using var net = new RevocationRolesTests.Network();
        await net.GrantCspAsync();
        using RevocationUser user = RevocationUser.Create("carol");
        var host = new Host(new ClientRole("abe-user", new AbeUserClientFlows(user)), new Dictionary<string, IEngineRole>
        {
            ["HOSP"] = new RevocationRole("HOSP", net.Hospital), ["source"] = new RevocationRole("source", net.Source), ["accepting"] = new RevocationRole("accepting", net.Accepting),
        });
        (RoleReply reply, byte[] keys) = await host.RunAsync("""{"op":"public-keys"}""");
        Assert.That((reply.Status, keys.Length), Is.EqualTo((EngineStatus.Ok, 96)));
        await net.Admin.GrantAsync(net.ToHospital, false, "carol", keys[..48], keys[48..], ["doctor@HOSP"]);
        net.Source.UpdateRing(net.Hospital.Signatures!.PublicKey, net.Hospital.Signatures.Ring);
        (reply, byte[] taken) = await host.RunAsync("""{"op":"fetch-keys","authority":"HOSP"}""");
        Assert.That((reply.Status, BinaryPrimitives.ReadInt32BigEndian(taken)), Is.EqualTo((EngineStatus.Ok, 1)), "one decryption key: doctor@HOSP");
        Assert.That(user.RingKey, Is.Not.Null, "and the ring key");
        byte[] record = System.Security.Cryptography.RandomNumberGenerator.GetBytes(5000);
        await net.Admin.StoreAsync(net.ToAccepting, "record-9", "doctor@HOSP", record);

        (reply, byte[] token) = await host.RunAsync("""{"op":"token","authority":"HOSP","policy":"doctor@HOSP","audience":"csp-b","resource":"record-9"}""");
        Assert.That(reply.Status, Is.EqualTo(EngineStatus.Ok));
        (reply, byte[] plaintext) = await host.RunAsync($$"""{"op":"fetch","token":"{{Convert.ToHexString(token)}}"}""");
        Assert.That((reply.Status, plaintext), Is.EqualTo((EngineStatus.Ok, record)));
        (reply, _) = await host.RunAsync("""{"op":"token","authority":"HOSP","policy":"nurse@HOSP","audience":"csp-b","resource":"record-9"}""");
        Assert.That(reply.Status, Is.Not.EqualTo(EngineStatus.Ok), "carol holds no nurse@HOSP: no signature for that policy");
    }
}
