using Engine.Onion;
using Engine.Onion.Keys;
using Engine.Onion.Roles;
using Engine.Onion.Setup;
using Engine.Primitives.Groups;
using NUnit.Framework;

namespace Engine.Tests.Onion;

/// <summary>A KGC, eight relays and a destination, with the client's verified view of the node list.</summary>
internal sealed class OnionTestNetwork : IDisposable
{
    public readonly KeyGenerationCenter Kgc;
    public readonly Dictionary<string, OnionNode> NodesByHandle = new();
    public readonly Dictionary<string, CertificatelessPublicKey> Directory = new();
    private readonly List<CertificatelessPrivateKey> _keys = new();

    public OnionTestNetwork(PrimeOrderGroup group)
    {
        var parameters = new OnionParameters(group);
        Kgc = new KeyGenerationCenter(parameters);
        foreach (string id in Enumerable.Range(1, 8).Select(i => $"relay-{i}").Append("dest"))
        {
            using var secret = new CertificatelessSecretValue(parameters, id);
            byte[] partial = new byte[Kgc.PartialKeySizeInBytes];
            Assert.That(Kgc.IssuePartialKey(id, secret.PublicValue, partial), Is.EqualTo(EngineStatus.Ok));
            Assert.That(secret.Complete(partial, Kgc.MasterPublicKey, out CertificatelessPrivateKey? key), Is.EqualTo(EngineStatus.Ok));
            _keys.Add(key!);
            var node = new OnionNode(key!);
            NodesByHandle[node.Handle] = node;
        }
        Assert.That(PublicNodeList.Verify(parameters, Kgc.PublishNodeList(), Kgc.ListSigningKey, Kgc.MasterPublicKey, out var keys), Is.EqualTo(EngineStatus.Ok));
        foreach (CertificatelessPublicKey k in keys) Directory[k.Id] = k;
    }

    public CertificatelessPrivateKey PrivateKey(string id) => _keys.Single(k => k.PublicKey.Id == id);

    public List<CertificatelessPublicKey> Path(int relays) => Enumerable.Range(1, relays).Select(i => Directory[$"relay-{i}"]).Append(Directory["dest"]).ToList();

    /// <summary>Delivers the setup hop by hop and the ACK back; returns every packet size seen.</summary>
    public (EngineStatus Status, List<int> Sizes, List<string> Route) Run(ClientLink pending, DateTimeOffset now)
    {
        var sizes = new List<int>();
        var route = new List<string>();
        string from = "client";
        string to = NodeHandle.Of("relay-1");
        byte[] packet = pending.Packet;
        while (true)
        {
            sizes.Add(packet.Length);
            route.Add(to);
            EngineStatus s = NodesByHandle[to].ProcessSetup(packet, from, now, out Outgoing outgoing);
            if (s != EngineStatus.Ok) return (s, sizes, route);
            if (outgoing.Action == SetupAction.Forward)
            {
                from = to;
                to = outgoing.Destination;
                packet = outgoing.Packet;
                continue;
            }
            // The ACK travels back along PreviousHop.
            Outgoing back = outgoing;
            while (back.Destination != "client")
            {
                sizes.Add(back.Packet.Length);
                s = NodesByHandle[back.Destination].ProcessAck(back.Packet, now, out back);
                if (s != EngineStatus.Ok) return (s, sizes, route);
            }
            sizes.Add(back.Packet.Length);
            return (pending.Complete(back.Packet), sizes, route);
        }
    }

    public void Dispose()
    {
        foreach (OnionNode n in NodesByHandle.Values) n.Dispose();
        foreach (CertificatelessPrivateKey k in _keys) k.Dispose();
        Kgc.Dispose();
    }
}

