using Engine.Onion;
using Engine.Onion.Keys;
using Engine.Onion.Roles;
using Engine.Onion.Setup;
using Engine.Primitives.Groups;
using NUnit.Framework;

namespace Engine.Tests.Onion;

/// <summary>SPEC.md §1.2: link setup and ACK over paths of 1 to 8 relays, delivered in memory.</summary>
[TestFixture]
public sealed class OnionLinkSetupTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 1, 0, 0, TimeSpan.Zero);

    [TestCase(1), TestCase(2), TestCase(3), TestCase(4), TestCase(5), TestCase(6), TestCase(7), TestCase(8)]
    public void Setup_RoundTrips_AndEveryHopSharesTheClientsKey(int relays)
    {
        using var network = new OnionTestNetwork(PrimeOrderGroups.Bls12381G1);
        List<CertificatelessPublicKey> path = network.Path(relays);
        using ClientLink pending = OnionClient.BeginLink(path, Now.AddMinutes(5));
        (EngineStatus status, List<int> sizes, List<string> route) = network.Run(pending, Now);
        Assert.That(status, Is.EqualTo(EngineStatus.Ok));
        Assert.That(pending.IsEstablished, Is.True);
        Assert.That(route, Is.EqualTo(path.Select(k => NodeHandle.Of(k.Id)).ToList()), "each hop learned exactly the next one");
        Assert.That(sizes.Take(relays + 1), Is.All.EqualTo(pending.Layout.SetupPacketSize), "setup packets keep their size");
        Assert.That(sizes.Skip(relays + 1), Is.All.EqualTo(pending.Layout.AckPacketSize), "ACK packets keep their size");

        // K'_j agrees between the client and hop j (via the links each node recorded).
        string linkId = pending.FirstLinkId;
        for (int j = 0; j <= relays; j++)
        {
            OnionNode node = network.NodesByHandle[NodeHandle.Of(path[j].Id)];
            OnionLink link = node.FindByInLink(linkId)!;
            Assert.That(link.IsEstablished, Is.True, $"hop {j}");
            Assert.That(link.DataKey.ToArray(), Is.EqualTo(pending.DataKey(j).ToArray()), $"hop {j} key");
            if (link.OutLinkId is not null) linkId = link.OutLinkId;
        }
    }

    [Test]
    public void Setup_RoundTrips_OnTheDefault2048BitGroup()
    {
        using var network = new OnionTestNetwork(PrimeOrderGroups.Modp2048Q256);
        using ClientLink pending = OnionClient.BeginLink(network.Path(3), Now.AddMinutes(5));
        Assert.That(network.Run(pending, Now).Status, Is.EqualTo(EngineStatus.Ok));
    }

    [Test, Category("Malformed")]
    public void TamperedSetupPackets_AreDropped_WithoutLeavingState()
    {
        using var network = new OnionTestNetwork(PrimeOrderGroups.Bls12381G1);
        OnionNode first = network.NodesByHandle[NodeHandle.Of("relay-1")];
        using ClientLink pending = OnionClient.BeginLink(network.Path(3), Now.AddMinutes(5));
        var rng = new Random(11);
        var positions = Enumerable.Range(0, 200).Select(_ => rng.Next(SetupLayout.LinkIdSize, pending.Packet.Length))
            .Concat(Enumerable.Range(SetupLayout.LinkIdSize, 120)).Concat(Enumerable.Range(pending.Packet.Length - 40, 40));
        foreach (int position in positions.Distinct())
        {
            byte[] bad = (byte[])pending.Packet.Clone();
            bad[position] ^= (byte)(1 << rng.Next(8));
            EngineStatus s = first.ProcessSetup(bad, "client", Now, out _);
            Assert.That(s, Is.Not.EqualTo(EngineStatus.Ok), $"byte {position}");
            Assert.That(first.LinkCount, Is.Zero, $"no state after byte {position}");
        }
        Assert.That(first.ProcessSetup(pending.Packet.AsSpan(1), "client", Now, out _), Is.EqualTo(EngineStatus.BadLength));
        Assert.That(first.ProcessSetup(pending.Packet.Append((byte)0).ToArray(), "client", Now, out _), Is.EqualTo(EngineStatus.BadLength));
        Assert.That(first.LinkCount, Is.Zero);
    }

    [Test, Category("Malformed")]
    public void ExpiredAndReplayedSetups_AreDropped()
    {
        using var network = new OnionTestNetwork(PrimeOrderGroups.Bls12381G1);
        OnionNode first = network.NodesByHandle[NodeHandle.Of("relay-1")];
        using ClientLink expired = OnionClient.BeginLink(network.Path(2), Now.AddSeconds(-1));
        Assert.That(first.ProcessSetup(expired.Packet, "client", Now, out _), Is.EqualTo(EngineStatus.Expired));
        Assert.That(first.LinkCount, Is.Zero);

        using ClientLink pending = OnionClient.BeginLink(network.Path(2), Now.AddMinutes(1));
        Assert.That(first.ProcessSetup(pending.Packet, "client", Now, out _), Is.EqualTo(EngineStatus.Ok));
        Assert.That(first.ProcessSetup(pending.Packet, "client", Now.AddSeconds(1), out _), Is.EqualTo(EngineStatus.Replay));
        byte[] sameSetupNewLinkId = (byte[])pending.Packet.Clone();
        sameSetupNewLinkId[0] ^= 1;
        Assert.That(first.ProcessSetup(sameSetupNewLinkId, "client", Now.AddSeconds(1), out _), Is.EqualTo(EngineStatus.Replay), "Y_j is remembered");
        Assert.That(first.LinkCount, Is.EqualTo(1));
        Assert.That(first.RemoveExpired(Now.AddMinutes(2)), Is.EqualTo(1));
        Assert.That(first.LinkCount, Is.Zero);
    }

    [Test, Category("Malformed")]
    public void ASendersFarExpiry_IsCappedByTheRelaysPolicy()
    {
        using var network = new OnionTestNetwork(PrimeOrderGroups.Bls12381G1);
        using var relay = new OnionNode(network.PrivateKey("relay-1")) { MaxLinkLifetime = TimeSpan.FromMinutes(10) };
        using ClientLink far = OnionClient.BeginLink(network.Path(1), new DateTimeOffset(9027, 1, 1, 0, 0, 0, TimeSpan.Zero));
        Assert.That(relay.ProcessSetup(far.Packet, "client", Now, out _), Is.EqualTo(EngineStatus.Ok));
        OnionLink link = relay.FindByInLink(Convert.ToHexStringLower(far.Packet.AsSpan(0, Engine.Onion.Setup.SetupLayout.LinkIdSize)))!;
        Assert.That(link.ExpiresAtUnixMs, Is.EqualTo(Now.AddMinutes(10).ToUnixTimeMilliseconds()), "year 9027 becomes now + 10 minutes");
        Assert.That(relay.RemoveExpired(Now.AddMinutes(9)), Is.Zero);
        Assert.That(relay.RemoveExpired(Now.AddMinutes(11)), Is.EqualTo(1), "and the sweep removes it then");
    }

    [Test, Category("Malformed")]
    public void FullLinkTable_RefusesNewSetups_WithoutTouchingTheExistingLink()
    {
        using var network = new OnionTestNetwork(PrimeOrderGroups.Bls12381G1);
        CertificatelessPrivateKey key = network.PrivateKey("relay-1");
        using var small = new OnionNode(key, maxLinks: 1);
        using ClientLink first = OnionClient.BeginLink(network.Path(1), Now.AddMinutes(1));
        using ClientLink second = OnionClient.BeginLink(network.Path(1), Now.AddMinutes(1));
        Assert.That(small.ProcessSetup(first.Packet, "client", Now, out _), Is.EqualTo(EngineStatus.Ok));
        Assert.That(small.ProcessSetup(second.Packet, "client", Now, out _), Is.EqualTo(EngineStatus.CapacityExceeded));
        Assert.That(small.LinkCount, Is.EqualTo(1));
        Assert.That(small.FindByInLink(first.FirstLinkId), Is.Not.Null);
    }

    [Test, Category("Malformed")]
    public void TamperedAcks_AreRefused()
    {
        using var network = new OnionTestNetwork(PrimeOrderGroups.Bls12381G1);
        List<CertificatelessPublicKey> path = network.Path(1);
        using ClientLink pending = OnionClient.BeginLink(path, Now.AddMinutes(1));
        OnionNode relay = network.NodesByHandle[NodeHandle.Of("relay-1")], dest = network.NodesByHandle[NodeHandle.Of("dest")];
        Assert.That(relay.ProcessSetup(pending.Packet, "client", Now, out Outgoing forward), Is.EqualTo(EngineStatus.Ok));
        Assert.That(dest.ProcessSetup(forward.Packet, relay.Handle, Now, out Outgoing ack), Is.EqualTo(EngineStatus.Ok));
        byte[] unknown = (byte[])ack.Packet.Clone();
        unknown[0] ^= 1;
        Assert.That(relay.ProcessAck(unknown, Now, out _), Is.EqualTo(EngineStatus.Malformed), "unknown link id");
        Assert.That(relay.ProcessAck(ack.Packet, Now, out Outgoing toClient), Is.EqualTo(EngineStatus.Ok));
        Assert.That(relay.ProcessAck(ack.Packet, Now, out _), Is.EqualTo(EngineStatus.Replay), "second ACK for the same link");
        byte[] bad = (byte[])toClient.Packet.Clone();
        bad[SetupLayout.LinkIdSize + 5] ^= 1;
        Assert.That(pending.Complete(bad), Is.EqualTo(EngineStatus.VerificationFailed));
        Assert.That(pending.Complete(toClient.Packet), Is.EqualTo(EngineStatus.Ok));
        Assert.That(pending.Complete(toClient.Packet), Is.EqualTo(EngineStatus.Replay));
    }
}
