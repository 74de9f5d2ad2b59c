using Engine.BigInt;
using Engine.Onion;
using Engine.Onion.Roles;
using Engine.Onion.Setup;
using Engine.Primitives.Batching;
using Engine.Primitives.Groups;
using NUnit.Framework;

namespace Engine.Tests.Onion;

/// <summary>
/// The batched relay path (exponentiations through <see cref="ModExpBatcher"/>) against the unbatched one with the
/// same key: the same statuses and the same packets for good and bad setups processed concurrently.
/// </summary>
[TestFixture, NonParallelizable]
public sealed class OnionBatchedSetupTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 1, 0, 0, TimeSpan.Zero);
    private OnionTestNetwork _network = null!;
    private ModExpBatcher _batcher = null!;
    private OnionNode _batched = null!;

    [OneTimeSetUp]
    public void SetUp()
    {
        _network = new OnionTestNetwork(PrimeOrderGroups.Modp2048Q256);
        _batcher = new ModExpBatcher(SchnorrGroups.Modp2048Q256.P, new ModExpBatchOptions { MaxBatch = 16, MaxDelay = TimeSpan.FromMilliseconds(5), Workers = 2 });
        _batched = new OnionNode(_network.PrivateKey("relay-1")) { Batcher = _batcher };
    }

    [OneTimeTearDown]
    public void TearDown()
    {
        _batched.Dispose();
        _batcher.Dispose();
        _network.Dispose();
    }

    private OnionNode Unbatched => _network.NodesByHandle[NodeHandle.Of("relay-1")];

    /// <summary>Good setups and every kind of bad first-hop block, each a fresh packet.</summary>
    private List<(string Name, byte[] Packet)> Packets()
    {
        var list = new List<(string, byte[])>();
        SetupLayout layout = Unbatched.Layout;
        int e = layout.ElementSize;
        byte[] pMinusOne = new byte[e];
        ulong[] p = SchnorrGroups.Modp2048Q256.P.Modulus.ToArray();
        Limbs.SubWord(p, 1);
        BigEndian.TryFromLimbs(p, pMinusOne);                                // order 2: outside the subgroup
        byte[] pItself = new byte[e];
        BigEndian.TryFromLimbs(SchnorrGroups.Modp2048Q256.P.Modulus, pItself);

        byte[] Fresh() => OnionClient.BeginLink(_network.Path(2), Now.AddMinutes(10)).Packet;
        for (int i = 0; i < 6; i++) list.Add(($"good {i}", Fresh()));
        byte[] badW = Fresh(); pMinusOne.CopyTo(badW, SetupLayout.LinkIdSize); list.Add(("W of order 2", badW));
        byte[] bigW = Fresh(); pItself.CopyTo(bigW, SetupLayout.LinkIdSize); list.Add(("W = p", bigW));
        byte[] badY = Fresh();
        CertificatelessEncryption.Encrypt(_network.Directory["relay-1"], pMinusOne, badY.AsSpan(SetupLayout.LinkIdSize, layout.ClBlockSize), CertificatelessMode.Xor);
        list.Add(("Y of order 2", badY));
        byte[] badGamma = Fresh(); badGamma[^1] ^= 1; list.Add(("γ flipped", badGamma));
        byte[] expired = OnionClient.BeginLink(_network.Path(2), Now.AddMinutes(-1)).Packet; list.Add(("expired", expired));
        return list;
    }

    [Test]
    public async Task BatchedSetups_MatchTheUnbatchedPath()
    {
        List<(string Name, byte[] Packet)> packets = Packets();
        var unbatched = packets.Select(p => (Status: Unbatched.ProcessSetup(p.Packet, "client", Now, out Outgoing o), Outgoing: o)).ToList();
        long before = _batcher.Items;
        SetupResult[] batched = await Task.WhenAll(packets.Select(p => Task.Run(async () => await _batched.ProcessSetupAsync(p.Packet, "client", Now))));

        for (int i = 0; i < packets.Count; i++)
        {
            Assert.That(batched[i].Status, Is.EqualTo(unbatched[i].Status), packets[i].Name);
            if (unbatched[i].Status != EngineStatus.Ok) continue;
            Assert.That(batched[i].Outgoing.Destination, Is.EqualTo(unbatched[i].Outgoing.Destination), packets[i].Name);
            // Everything but the fresh outgoing link id is the same.
            Assert.That(batched[i].Outgoing.Packet.AsSpan(SetupLayout.LinkIdSize).ToArray(),
                        Is.EqualTo(unbatched[i].Outgoing.Packet.AsSpan(SetupLayout.LinkIdSize).ToArray()), packets[i].Name);
        }
        Assert.That(unbatched.Take(6).Select(u => u.Status), Is.All.EqualTo(EngineStatus.Ok));
        Assert.That(unbatched.Skip(6).Select(u => u.Status), Is.EqualTo(new[] { EngineStatus.NotInSubgroup, EngineStatus.NotCanonical, EngineStatus.NotInSubgroup, EngineStatus.VerificationFailed, EngineStatus.Expired }));
        Assert.That(_batcher.Items - before, Is.GreaterThanOrEqualTo(2 * 6), "the exponentiations went through the batcher");
        Assert.That(_batcher.Batches, Is.LessThan(_batcher.Items / 2), "and shared batches");
    }

    [Test]
    public async Task ABatchedRelay_CompletesALinkEndToEnd()
    {
        using ClientLink link = OnionClient.BeginLink(_network.Path(2), Now.AddMinutes(10));
        SetupResult first = await _batched.ProcessSetupAsync(link.Packet, "client", Now);
        Assert.That(first.Status, Is.EqualTo(EngineStatus.Ok));
        OnionNode relay2 = _network.NodesByHandle[first.Outgoing.Destination];
        Assert.That(relay2.ProcessSetup(first.Outgoing.Packet, _batched.Handle, Now, out Outgoing toDest), Is.EqualTo(EngineStatus.Ok));
        Assert.That(_network.NodesByHandle[toDest.Destination].ProcessSetup(toDest.Packet, relay2.Handle, Now, out Outgoing ack), Is.EqualTo(EngineStatus.Ok));
        Assert.That(relay2.ProcessAck(ack.Packet, Now, out Outgoing ack2), Is.EqualTo(EngineStatus.Ok));
        SetupResult back = await _batched.ProcessAckAsync(ack2.Packet, Now);
        Assert.That(back.Status, Is.EqualTo(EngineStatus.Ok));
        Assert.That((await _batched.ProcessAckAsync(ack2.Packet, Now)).Status, Is.EqualTo(EngineStatus.Replay), "one ACK per link");
        Assert.That(link.Complete(back.Outgoing.Packet), Is.EqualTo(EngineStatus.Ok));
        Assert.That(_batched.FindByInLink(link.FirstLinkId)!.IsEstablished, Is.True);
    }
}
