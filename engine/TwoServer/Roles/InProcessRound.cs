using System.Security.Cryptography;
using Engine.TwoServer.Partitions;

namespace Engine.TwoServer.Roles;

/// <summary>
/// One round of Protocol 2 with both servers in this process (the simulation's in-process mode and the tests):
/// senders' shares become S1's and S2's uploads exactly as the network servers store them, each member's inboxes
/// are built by <see cref="FanOut"/> and read by <see cref="InboxReader"/>. Same code as the servers, no sockets.
/// </summary>
public sealed class InProcessRound
{
    private readonly List<ServerUpload> _s1 = new(), _s2 = new();

    /// <summary>A round for a group of <paramref name="groupSize"/> users.</summary>
    public InProcessRound(TwoServerParameters parameters, int groupSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(groupSize, 2);
        Parameters = parameters;
        GroupSize = groupSize;
    }

    /// <summary>The parameters.</summary>
    public TwoServerParameters Parameters { get; }

    /// <summary>Users in the group.</summary>
    public int GroupSize { get; }

    /// <summary>What S1 received this round.</summary>
    public IReadOnlyList<ServerUpload> S1Uploads => _s1;

    /// <summary>What S2 received this round.</summary>
    public IReadOnlyList<ServerUpload> S2Uploads => _s2;

    /// <summary>
    /// A sender's message under <paramref name="partition"/> (Algorithm 2 + Protocol 3 step 1); null payload sends
    /// cover traffic. Returns the message id both servers store it under.
    /// </summary>
    public ulong Send(GroupPartition partition, ReadOnlySpan<byte> payload, bool cover = false)
    {
        if (partition.ForS1.Count != GroupSize) throw new ArgumentException($"The partition is for {partition.ForS1.Count} users, the group has {GroupSize}.", nameof(partition));
        int size = Parameters.RecordSize;
        byte[] shares = new byte[(partition.IsSubgroup ? ShareLayout.SubgroupShares : ShareLayout.PairShares) * size];
        MessageSharer.CreateShares(Parameters, partition, payload, cover, shares);
        ulong id = BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8));
        PartitionVector? third = null;
        if (partition.IsSubgroup)
        {
            third = new PartitionVector(GroupSize);
            foreach (int u in partition.Swapped!) third[u] = 1;
        }
        _s1.Add(new ServerUpload(id, partition.ForS1, shares.AsMemory(0, 2 * size), third,
                                 third is null ? default : shares.AsMemory(ShareLayout.ThirdForSwapped * size, 2 * size), partition.Members));
        _s2.Add(new ServerUpload(id, partition.ForS2, shares.AsMemory(2 * size, 2 * size), Members: partition.Members));
        return id;
    }

    /// <summary>User <paramref name="user"/>'s two inboxes, as the servers would send them.</summary>
    public (byte[] FromS1, byte[] FromS2) InboxesOf(int user)
    {
        int size = Parameters.RecordSize;
        byte[] s1 = new byte[FanOut.InboxSize(_s1, user, size)], s2 = new byte[FanOut.InboxSize(_s2, user, size)];
        FanOut.WriteInbox(_s1, user, size, s1);
        FanOut.WriteInbox(_s2, user, size, s2);
        return (s1, s2);
    }

    /// <summary>What user <paramref name="user"/> reconstructs from this round.</summary>
    public List<ReceivedMessage> Receive(int user)
    {
        (byte[] s1, byte[] s2) = InboxesOf(user);
        EngineStatus status = InboxReader.ReadRound(Parameters, s1, s2, out List<ReceivedMessage> messages);
        if (status != EngineStatus.Ok) throw new InvalidOperationException($"The servers' inboxes did not parse: {status}.");
        return messages;
    }
}
