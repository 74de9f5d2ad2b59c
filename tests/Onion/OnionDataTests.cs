using Engine.Onion.Data;
using Engine.Onion.Roles;
using Engine.Onion.Setup;
using Engine.Primitives.Groups;
using NUnit.Framework;

namespace Engine.Tests.Onion;

/// <summary>SPEC.md §1.3: data forwarding in both directions, in the paper's format and with per-hop re-encryption.</summary>
[TestFixture]
public sealed class OnionDataTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 1, 0, 0, TimeSpan.Zero);

    private static (OnionTestNetwork Network, ClientLink Link) Establish(int relays)
    {
        var network = new OnionTestNetwork(PrimeOrderGroups.Bls12381G1);
        ClientLink link = OnionClient.BeginLink(network.Path(relays), Now.AddMinutes(10));
        Assert.That(network.Run(link, Now).Status, Is.EqualTo(EngineStatus.Ok));
        return (network, link);
    }

    /// <summary>Carries a forward packet hop by hop; returns the status, the delivered message and each hop's payload bytes.</summary>
    private static (EngineStatus Status, byte[]? Message, List<byte[]> Payloads, List<int> Sizes) Forward(OnionTestNetwork network, byte[] packet, DateTimeOffset now)
    {
        var payloads = new List<byte[]>();
        var sizes = new List<int>();
        string to = NodeHandle.Of("relay-1");
        while (true)
        {
            sizes.Add(packet.Length);
            payloads.Add(packet.AsSpan(DataPacket.PayloadOffset, 32).ToArray());
            EngineStatus s = network.NodesByHandle[to].ProcessData(packet, now, out Outgoing outgoing, out byte[]? delivered);
            if (s != EngineStatus.Ok) return (s, null, payloads, sizes);
            if (outgoing.Action == SetupAction.Deliver) return (s, delivered, payloads, sizes);
            to = outgoing.Destination;
            packet = outgoing.Packet;
        }
    }

    [TestCase(1, false), TestCase(3, false), TestCase(8, false), TestCase(1, true), TestCase(3, true), TestCase(8, true)]
    public void Messages_TravelBothWays(int relays, bool reencrypt)
    {
        (OnionTestNetwork network, ClientLink link) = Establish(relays);
        using (network)
        using (link)
        {
            for (int i = 0; i < 3; i++)
            {
                byte[] message = System.Text.Encoding.UTF8.GetBytes($"message {i} over {relays} relays");
                byte[] packet = link.SealForward(message, Now.AddMinutes(1), reencrypt);
                (EngineStatus status, byte[]? delivered, List<byte[]> payloads, List<int> sizes) = Forward(network, packet, Now);
                Assert.That(status, Is.EqualTo(EngineStatus.Ok), $"message {i}");
                Assert.That(delivered, Is.EqualTo(message));
                Assert.That(sizes, Is.All.EqualTo(packet.Length), "same size at every hop");
                bool allSame = payloads.All(p => p.SequenceEqual(payloads[0]));
                Assert.That(allSame, Is.EqualTo(!reencrypt), reencrypt ? "the payload changes at every hop" : "the paper's single-layer payload");

                // The destination answers.
                OnionNode dest = network.NodesByHandle[NodeHandle.Of("dest")];
                string destLinkId = FindDestinationLinkId(network, link, relays);
                byte[] reply = System.Text.Encoding.UTF8.GetBytes($"reply {i}");
                Outgoing back = dest.CreateBackward(destLinkId, reply, Now.AddMinutes(1));
                int backSize = back.Packet.Length;
                while (back.Destination != "client")
                {
                    Assert.That(network.NodesByHandle[back.Destination].ProcessBackward(back.Packet, Now, out back), Is.EqualTo(EngineStatus.Ok));
                    Assert.That(back.Packet.Length, Is.EqualTo(backSize));
                }
                Assert.That(link.OpenBackward(back.Packet, Now, out byte[]? received), Is.EqualTo(EngineStatus.Ok));
                Assert.That(received, Is.EqualTo(reply));
            }
        }
    }

    private static string FindDestinationLinkId(OnionTestNetwork network, ClientLink link, int relays)
    {
        string id = link.FirstLinkId;
        for (int j = 1; j <= relays; j++) id = network.NodesByHandle[NodeHandle.Of($"relay-{j}")].FindByInLink(id)!.OutLinkId!;
        return id;
    }

    [Test, Category("Malformed")]
    public void TamperedReplayedExpiredAndMisroutedPackets_AreDropped()
    {
        (OnionTestNetwork network, ClientLink link) = Establish(3);
        using (network)
        using (link)
        {
            var rng = new Random(17);
            for (int trial = 0; trial < 80; trial++)
            {
                byte[] packet = link.SealForward("tamper me"u8, Now.AddMinutes(1), reencryptPerHop: trial % 2 == 1);
                int position = rng.Next(SetupLayout.LinkIdSize, packet.Length);
                packet[position] ^= (byte)(1 << rng.Next(8));
                (EngineStatus status, byte[]? delivered, _, _) = Forward(network, packet, Now);
                Assert.That(status, Is.Not.EqualTo(EngineStatus.Ok), $"trial {trial}, byte {position}");
                Assert.That(delivered, Is.Null);
            }
            // After all that, a good packet still goes through: rejected packets left no state behind that blocks it.
            byte[] good = link.SealForward("still works"u8, Now.AddMinutes(1));
            Assert.That(Forward(network, good, Now).Message, Is.EqualTo("still works"u8.ToArray()));
            Assert.That(Forward(network, good, Now).Status, Is.EqualTo(EngineStatus.Replay), "the same sequence number again");

            byte[] late = link.SealForward("late"u8, Now.AddSeconds(1));
            Assert.That(Forward(network, late, Now.AddSeconds(2)).Status, Is.EqualTo(EngineStatus.Expired));

            byte[] afterLinkExpiry = link.SealForward("beyond the link's lifetime"u8, Now.AddHours(2));
            Assert.That(Forward(network, afterLinkExpiry, Now.AddMinutes(11)).Status, Is.EqualTo(EngineStatus.Expired), "the link (10 min) expired first");

            byte[] misrouted = link.SealForward("x"u8, Now.AddMinutes(1));
            misrouted[0] ^= 1;
            Assert.That(Forward(network, misrouted, Now).Status, Is.EqualTo(EngineStatus.Malformed), "unknown link id");
            Assert.That(Forward(network, good.AsSpan(0, good.Length - 1).ToArray(), Now).Status, Is.EqualTo(EngineStatus.BadLength));
        }
    }
}
