using Engine.Onion.Roles;
using Engine.Onion.Setup;
using Engine.Primitives.Aead;
using Engine.Primitives.Groups;
using NUnit.Framework;

namespace Engine.Tests.Onion;

/// <summary>
/// A relay forwards data packets in both directions without allocating once its link exists (the in-place span
/// API that the servers use), and the in-place result is the same packet the copying API produces.
/// </summary>
[TestFixture, NonParallelizable]
public sealed class OnionRelayAllocationTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 1, 0, 0, TimeSpan.Zero);

    [TestCase(false), TestCase(true)]
    public void RelayedPackets_AllocateNothing_InSteadyState(bool reencrypt)
    {
        if (!AesCtr.UsesAesNi) Assert.Ignore("Without AES-NI the keystream goes through .NET's Aes, which allocates per call.");
        using var network = new OnionTestNetwork(PrimeOrderGroups.Bls12381G1);
        using ClientLink link = OnionClient.BeginLink(network.Path(2), Now.AddMinutes(10));
        Assert.That(network.Run(link, Now).Status, Is.EqualTo(EngineStatus.Ok));
        OnionNode relay = network.NodesByHandle[NodeHandle.Of("relay-1")];
        OnionNode dest = network.NodesByHandle[NodeHandle.Of("dest")];
        string destLinkId = relay.FindByInLink(link.FirstLinkId)!.OutLinkId!;
        destLinkId = network.NodesByHandle[NodeHandle.Of("relay-2")].FindByInLink(destLinkId)!.OutLinkId!;

        const int count = 50;
        byte[][] forward = Enumerable.Range(0, count).Select(_ => link.SealForward(new byte[256], Now.AddMinutes(1), reencrypt)).ToArray();
        byte[][] backward = Enumerable.Range(0, count).Select(_ => dest.CreateBackward(destLinkId, new byte[256], Now.AddMinutes(1)).Packet).ToArray();
        // relay-2 layers the backward packets first, so relay-1 sees them as they would arrive.
        OnionNode relay2 = network.NodesByHandle[NodeHandle.Of("relay-2")];
        foreach (byte[] p in backward) Assert.That(relay2.ProcessBackward(p.AsSpan(), Now, out DataRoute _), Is.EqualTo(EngineStatus.Ok));

        // Warm-up: first packets in each direction (JIT tiers, lazily created state).
        Assert.That(relay.ProcessData(forward[0].AsSpan(), Now, out DataRoute _), Is.EqualTo(EngineStatus.Ok));
        Assert.That(relay.ProcessData(forward[1].AsSpan(), Now, out DataRoute route), Is.EqualTo(EngineStatus.Ok));
        Assert.That(relay.ProcessBackward(backward[0].AsSpan(), Now, out DataRoute _), Is.EqualTo(EngineStatus.Ok));
        Assert.That(route.Action, Is.EqualTo(SetupAction.Forward));

        int accepted = 0;
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 2; i < count; i++)
        {
            if (relay.ProcessData(forward[i].AsSpan(), Now, out route) == EngineStatus.Ok) accepted++;
            if (relay.ProcessBackward(backward[i - 1].AsSpan(), Now, out route) == EngineStatus.Ok) accepted++;
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.That(accepted, Is.EqualTo(2 * (count - 2)), "every packet was relayed");
        Assert.That(allocated, Is.Zero, "bytes allocated over 96 relayed packets");
    }

    [Test]
    public void InPlaceProcessing_GivesTheSamePacketAsTheCopyingApi()
    {
        using var network = new OnionTestNetwork(PrimeOrderGroups.Bls12381G1);
        using ClientLink link = OnionClient.BeginLink(network.Path(3), Now.AddMinutes(10));
        Assert.That(network.Run(link, Now).Status, Is.EqualTo(EngineStatus.Ok));
        OnionNode relay = network.NodesByHandle[NodeHandle.Of("relay-1")];
        byte[] first = link.SealForward("one"u8, Now.AddMinutes(1), reencryptPerHop: true);
        byte[] copy = first.ToArray();
        Assert.That(relay.ProcessData(first, Now, out Outgoing outgoing, out _), Is.EqualTo(EngineStatus.Ok));
        // The copying API left the input alone and recorded the sequence number: the same bytes in place are a replay.
        Assert.That(first, Is.EqualTo(copy));
        Assert.That(relay.ProcessData(copy.AsSpan(), Now, out DataRoute _), Is.EqualTo(EngineStatus.Replay));
        Assert.That(copy, Is.EqualTo(first), "a refused packet is left as it was");

        byte[] second = link.SealForward("two"u8, Now.AddMinutes(1), reencryptPerHop: true);
        byte[] inPlace = second.ToArray();
        Assert.That(relay.ProcessData(inPlace.AsSpan(), Now, out DataRoute route), Is.EqualTo(EngineStatus.Ok));
        Assert.That(route.Destination, Is.EqualTo(outgoing.Destination));
        Assert.That(inPlace.AsSpan(0, SetupLayout.LinkIdSize).ToArray(), Is.EqualTo(outgoing.Packet.AsSpan(0, SetupLayout.LinkIdSize).ToArray()), "same outgoing link id");
        Assert.That(inPlace, Is.Not.EqualTo(second));
        // And the next relay accepts what the in-place path produced.
        Assert.That(network.NodesByHandle[route.Destination].ProcessData(inPlace.AsSpan(), Now, out DataRoute next), Is.EqualTo(EngineStatus.Ok));
        Assert.That(next.Action, Is.EqualTo(SetupAction.Forward));
    }
}
