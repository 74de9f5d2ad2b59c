using Engine.Onion.Roles;
using Engine.Onion.Setup;
using Engine.Primitives.Groups;
using NUnit.Framework;

namespace Engine.Tests.Onion;

/// <summary>
/// The paper's efficiency claims (SPEC.md §1.4), counted: the sender does a fixed number of exponentiations per hop,
/// half of them fixed-base; a relay does two variable-base exponentiations per setup (W^x, Y^x) besides
/// validating W and Y, one fixed-base and one variable-base per ACK (g^X', Y^X'), and none per data packet.
/// </summary>
[TestFixture]
public sealed class OnionExponentiationCountTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);

    [TestCase(1), TestCase(3), TestCase(8)]
    public void CountsPerHop_MatchThePapersTable(int relays)
    {
        var group = new CountingPrimeOrderGroup(PrimeOrderGroups.Bls12381G1);
        using var network = new OnionTestNetwork(group);
        int hops = relays + 1;

        group.Reset();
        using ClientLink link = OnionClient.BeginLink(network.Path(relays), Now.AddMinutes(5));
        Assert.That((group.FixedBase, group.VariableBase), Is.EqualTo((2L * hops + 1, 2L * hops)),
                    "sender builds the setup: g^ω, g^X fixed-base and P^ω, P^X variable-base per hop, plus the per-link signing key (SPEC §1.3 [choice])");

        group.Reset();
        OnionNode first = network.NodesByHandle[NodeHandle.Of("relay-1")];
        Assert.That(first.ProcessSetup(link.Packet, "client", Now, out Outgoing forward), Is.EqualTo(EngineStatus.Ok));
        Assert.That((group.FixedBase, group.VariableBase, group.Decodes), Is.EqualTo((0L, 2L, 2L)), "relay setup: W^x and Y^x, after validating W and Y");

        // The rest of the path, then the ACK back through relay-1.
        string from = first.Handle, to = forward.Destination;
        byte[] packet = forward.Packet;
        Outgoing outgoing;
        while (true)
        {
            Assert.That(network.NodesByHandle[to].ProcessSetup(packet, from, Now, out outgoing), Is.EqualTo(EngineStatus.Ok));
            if (outgoing.Action != SetupAction.Forward) break;
            (from, to, packet) = (to, outgoing.Destination, outgoing.Packet);
        }
        while (outgoing.Destination != first.Handle)
            Assert.That(network.NodesByHandle[outgoing.Destination].ProcessAck(outgoing.Packet, Now, out outgoing), Is.EqualTo(EngineStatus.Ok));
        group.Reset();
        Assert.That(first.ProcessAck(outgoing.Packet, Now, out Outgoing toClient), Is.EqualTo(EngineStatus.Ok));
        Assert.That((group.FixedBase, group.VariableBase, group.Decodes), Is.EqualTo((1L, 1L, 0L)), "relay ACK: g^X' and Y^X', Y kept from the setup");

        group.Reset();
        Assert.That(link.Complete(toClient.Packet), Is.EqualTo(EngineStatus.Ok));
        Assert.That((group.FixedBase, group.VariableBase, group.Decodes), Is.EqualTo((0L, (long)hops, (long)hops)), "sender completes: Y'^X per hop, after validating Y'");

        group.Reset();
        byte[] data = link.SealForward("counted"u8.ToArray(), Now.AddMinutes(1), reencryptPerHop: false);
        Assert.That((group.FixedBase, group.VariableBase), Is.EqualTo((1L, 0L)), "sender per message: σ's commitment g^k");
        group.Reset();
        Assert.That(first.ProcessData(data, Now, out _), Is.EqualTo(EngineStatus.Ok));
        Assert.That(group.FixedBase + group.VariableBase + group.MultiExponentiations, Is.Zero, "no exponentiation per data packet at a relay");
    }
}
