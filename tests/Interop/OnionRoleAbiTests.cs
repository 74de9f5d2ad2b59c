using System.Text;
using Engine.Interop.Exports;
using Engine.Onion;
using Engine.Onion.Keys;
using Engine.Onion.Roles;
using Engine.Onion.Setup;
using Engine.Primitives.Groups;
using Engine.Tests.Onion;
using NUnit.Framework;

namespace Engine.Tests.Interop;

/// <summary>
/// The C ABI's "onion-node" role (engine.h), called through the exported entry points as unmanaged function pointers
/// (the same code libengine.so runs): a relay configured from its secret value and partial key forwards a setup to
/// the next hop that <c>engine_connection_route</c> names, like the node itself does; bad configurations are refused.
/// </summary>
[TestFixture]
public sealed unsafe class OnionRoleAbiTests
{
    [Test]
    public void OnionNodeRole_FromItsKeys_ForwardsASetupToTheNextHop_AndRefusesBadConfigurations()
    {
        using var network = new OnionTestNetwork(PrimeOrderGroups.Modp2048Q256);
        OnionParameters parameters = network.Directory["dest"].Parameters;
        // A relay of its own: its secret value, the KGC's partial key for it, pk_sys.
        using var secret = new CertificatelessSecretValue(parameters, "abi-relay");
        byte[] partial = new byte[network.Kgc.PartialKeySizeInBytes], t = new byte[PrimeOrderGroup.ScalarSizeInBytes];
        Assert.That(network.Kgc.IssuePartialKey("abi-relay", secret.PublicValue, partial), Is.EqualTo(EngineStatus.Ok));
        secret.ExportSecret(t);
        Assert.That(secret.Complete(partial, network.Kgc.MasterPublicKey, out CertificatelessPrivateKey? key), Is.EqualTo(EngineStatus.Ok));
        using CertificatelessPrivateKey relayKey = key!;
        string config = $$"""{"role":"onion-node","group":"Modp2048Q256","id":"abi-relay","secret_value":"{{Convert.ToHexString(t)}}","partial_key":"{{Convert.ToHexString(partial)}}","master_public_key":"{{Convert.ToHexString(network.Kgc.MasterPublicKey)}}","max_links":16}""";

        nint host;
        Assert.That((EngineStatus)RoleAbi.HostCreate(&host, null, 0), Is.EqualTo(EngineStatus.Ok));
        try
        {
            Assert.That(RoleAbi.CreateRole(host, config, out nint role), Is.EqualTo(EngineStatus.Ok));
            Assert.That(RoleAbi.CreateRole(host, config.Replace(Convert.ToHexString(partial), Convert.ToHexString(new byte[partial.Length])), out _), Is.Not.EqualTo(EngineStatus.Ok), "a zero partial key");
            byte[] otherPartial = partial.ToArray();
            otherPartial[^1] ^= 1;
            Assert.That(RoleAbi.CreateRole(host, config.Replace(Convert.ToHexString(partial), Convert.ToHexString(otherPartial)), out _), Is.Not.EqualTo(EngineStatus.Ok), "a partial key that does not match");
            Assert.That(RoleAbi.CreateRole(host, config.Replace("Modp2048Q256", "NoSuchGroup"), out _), Is.EqualTo(EngineStatus.NotFound));
            Assert.That(RoleAbi.CreateRole(host, "{\"role\":\"onion-node\"", out _), Is.EqualTo(EngineStatus.Malformed));
            Assert.That(RoleAbi.CreateRole(host, config.Replace("\"secret_value\"", "\"secret\""), out _), Is.EqualTo(EngineStatus.Malformed), "no secret value");
            // Secrets are decoded from the configuration's bytes, never through a string: escapes and odd digits are refused.
            string hexT = Convert.ToHexString(t);
            Assert.That(RoleAbi.CreateRole(host, config.Replace(hexT, "\\u0030" + hexT[1..]), out _), Is.EqualTo(EngineStatus.Malformed), "an escaped secret");
            Assert.That(RoleAbi.CreateRole(host, config.Replace(hexT, hexT[1..]), out _), Is.EqualTo(EngineStatus.Malformed), "an odd number of digits");
            Assert.That(RoleAbi.CreateRole(host, config.Replace(hexT, "zz" + hexT[2..]), out _), Is.EqualTo(EngineStatus.Malformed), "not hex");

            nint connection;
            NativeReply reply;
            byte[] peer = "client\0"u8.ToArray();
            fixed (byte* p = peer) Assert.That((EngineStatus)RoleAbi.ConnectionOpen(&connection, role, p, null, 0, &reply), Is.EqualTo(EngineStatus.Ok));
            Assert.That((reply.Type, reply.Length), Is.EqualTo(((byte)0, (nuint)0)), "an onion node sends no greeting");

            var path = new List<CertificatelessPublicKey> { relayKey.PublicKey, network.Directory["relay-2"], network.Directory["dest"] };
            DateTimeOffset expiry = DateTimeOffset.UtcNow.AddMinutes(10);
            byte[] packet = OnionClient.BeginLink(path, expiry).Packet;
            byte[] response = new byte[packet.Length + 64];
            fixed (byte* q = packet, r = response)
                Assert.That((EngineStatus)RoleAbi.Process(connection, (byte)Engine.Hosting.Framing.OnionFrameType.Setup, q, (nuint)packet.Length, r, (nuint)response.Length, &reply), Is.EqualTo(EngineStatus.Ok));
            Assert.That((EngineStatus)reply.Status, Is.EqualTo(EngineStatus.Ok));
            Assert.That(reply.Type, Is.EqualTo((byte)Engine.Hosting.Framing.OnionFrameType.Setup), "forwarded as a setup");

            // The node itself, on a fresh packet of the same path: the size and next hop the role must report.
            using var direct = new OnionNode(relayKey);
            Assert.That(direct.ProcessSetup(OnionClient.BeginLink(path, expiry).Packet, "client", DateTimeOffset.UtcNow, out Outgoing expected), Is.EqualTo(EngineStatus.Ok));
            Assert.That(reply.Length, Is.EqualTo((nuint)expected.Packet.Length));
            Assert.That(expected.Destination, Is.EqualTo(NodeHandle.Of("relay-2")));
            byte[] route = new byte[128];
            nuint length;
            fixed (byte* o = route) Assert.That((EngineStatus)RoleAbi.Route(connection, o, (nuint)route.Length, &length), Is.EqualTo(EngineStatus.Ok));
            Assert.That(Encoding.UTF8.GetString(route, 0, (int)length), Is.EqualTo(expected.Destination), "engine_connection_route names the next hop");
            fixed (byte* o = route) Assert.That((EngineStatus)RoleAbi.Route(connection, o, length, &length), Is.EqualTo(EngineStatus.DestinationTooSmall), "no room for the NUL");

            // The same packet again is a replay, refused with the Error message.
            fixed (byte* q = packet, r = response)
                Assert.That((EngineStatus)RoleAbi.Process(connection, (byte)Engine.Hosting.Framing.OnionFrameType.Setup, q, (nuint)packet.Length, r, (nuint)response.Length, &reply), Is.EqualTo(EngineStatus.Ok));
            Assert.That((EngineStatus)reply.Status, Is.EqualTo(EngineStatus.Replay));
            Assert.That((reply.Type, response[0]), Is.EqualTo(((byte)Engine.Hosting.Framing.OnionFrameType.Error, (byte)EngineStatus.Replay)));
            RoleAbi.ConnectionClose(connection);
            RoleAbi.RoleDestroy(role);
        }
        finally { RoleAbi.HostDestroy(host); }
    }
}
