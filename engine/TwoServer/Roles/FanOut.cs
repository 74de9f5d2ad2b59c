using System.Buffers.Binary;

namespace Engine.TwoServer.Roles;

/// <summary>
/// A server's delivery (Protocol 3 steps 2–3, SPEC.md §2.6): for every upload of a round, each group member gets
/// the share of its partition; a member's whole round is one inbox (one frame), the entries in upload order:
/// message id (8, big-endian) ‖ kind (1: 0, or 1 when a third share follows) ‖ share ‖ [third share]. The server computes nothing about the content: it copies.
/// </summary>
public static class FanOut
{
    /// <summary>Bytes of user <paramref name="user"/>'s inbox for these uploads.</summary>
    public static int InboxSize(IReadOnlyList<ServerUpload> uploads, int user, int recordSize)
    {
        int total = 0;
        for (int k = 0; k < uploads.Count; k++) if (uploads[k].Reaches(user)) total += uploads[k].EntrySize(recordSize);
        return total;
    }

    /// <summary>Writes user <paramref name="user"/>'s inbox into <paramref name="inbox"/> (exactly <see cref="InboxSize"/> bytes). Allocates nothing.</summary>
    public static void WriteInbox(IReadOnlyList<ServerUpload> uploads, int user, int recordSize, Span<byte> inbox)
    {
        int offset = 0;
        for (int k = 0; k < uploads.Count; k++)
        {
            ServerUpload upload = uploads[k];
            if (!upload.Reaches(user)) continue;
            BinaryPrimitives.WriteUInt64BigEndian(inbox[offset..], upload.MessageId);
            inbox[offset + 8] = upload.ThirdPartition is null ? (byte)0 : (byte)1;
            offset += 9;
            int side = upload.Partition[user];
            upload.Shares.Span.Slice(side * recordSize, recordSize).CopyTo(inbox.Slice(offset, recordSize));
            offset += recordSize;
            if (upload.ThirdPartition is not null)
            {
                int third = upload.ThirdPartition[user];                  // 1: in G_τ̂ → r_3; 0 → m_3
                upload.ThirdShares.Span.Slice((1 - third) * recordSize, recordSize).CopyTo(inbox.Slice(offset, recordSize));
                offset += recordSize;
            }
        }
        if (offset != inbox.Length) throw new ArgumentException($"The inbox has {inbox.Length} bytes; these uploads fill {offset}.", nameof(inbox));
    }
}
