using Engine.TwoServer.Partitions;

namespace Engine.TwoServer.Roles;

/// <summary>
/// What one server holds of one message in a round: the message id (the same at both servers: receivers pair
/// shares by it, the paper's "sender ID and timestamp"), the session's partition for this server, the two shares
/// (for G_1, then for G_2) and, at S1 in subgroup mode, the third slot: the G_τ̂ vector and its two shares
/// (r_3 for G_τ̂, m_3 for everyone else).
/// </summary>
/// <remarks>In one-to-many mode <see cref="Members"/> limits the delivery to one part of the group.</remarks>
public sealed record ServerUpload(ulong MessageId, PartitionVector Partition, ReadOnlyMemory<byte> Shares, PartitionVector? ThirdPartition = null,
                                  ReadOnlyMemory<byte> ThirdShares = default, PartitionVector? Members = null)
{
    /// <summary>True when user <paramref name="user"/> receives this upload.</summary>
    public bool Reaches(int user) => Members is null || Members[user] == 1;

    /// <summary>Bytes this upload adds to every member's inbox: id (8) ‖ kind (1) ‖ share ‖ [third share].</summary>
    public int EntrySize(int recordSize) => 9 + recordSize * (ThirdPartition is null ? 1 : 2);
}
