using System.Buffers.Binary;
using Engine.Primitives.Groups;
using Engine.Primitives.Schnorr;
using Engine.TwoServer.Partitions;
using Engine.TwoServer.Records;
using Engine.TwoServer.Roles;

namespace Engine.TwoServer.Integrity;

/// <summary>
/// Settles "the message I received does not verify" (paper §5.3.1, SPEC.md §2.5) for a pair message: anyone holding
/// the public keys can run it. It checks, in order, that the accuser's inboxes carry the servers' signatures, that
/// each server can show the sender's signature on what it was given, that each server delivered exactly the share
/// of the member's partition, and finally whether the sender's own shares reconstruct to a valid record.
/// </summary>
public static class Dispute
{
    /// <summary>The culprit for message <paramref name="messageId"/> of round <paramref name="round"/> as received by member <paramref name="user"/>.</summary>
    public static Culprit Judge(TwoServerParameters parameters, PrimeOrderGroup signatureGroup, long round, ulong messageId, int user, int groupSize,
                                ReadOnlySpan<byte> senderKey, ReadOnlySpan<byte> s1Key, ReadOnlySpan<byte> s2Key, ShareEvidence fromS1, ShareEvidence fromS2)
    {
        // 1. The accuser must hold what the servers really delivered.
        if (SchnorrSignature.Verify(signatureGroup, s1Key, SignedMessages.Delivery(round, 1, user, fromS1.Inbox), fromS1.ServerSignature) != EngineStatus.Ok ||
            SchnorrSignature.Verify(signatureGroup, s2Key, SignedMessages.Delivery(round, 2, user, fromS2.Inbox), fromS2.ServerSignature) != EngineStatus.Ok)
            return Culprit.Unproven;
        int size = parameters.RecordSize;
        byte[]?[] delivered = [DeliveredShare(fromS1.Inbox, messageId, size), DeliveredShare(fromS2.Inbox, messageId, size)];
        ShareEvidence[] sides = [fromS1, fromS2];
        var expected = new byte[2][];
        for (int s = 0; s < 2; s++)
        {
            // 2. A server that forwarded a share must show the sender's signature on the upload it came from.
            ShareEvidence e = sides[s];
            PartitionVector? vector = null;
            bool signed = e.Shares.Length == 2 * size &&
                          SchnorrSignature.Verify(signatureGroup, senderKey, SignedMessages.Upload(round, messageId, s + 1, e.Partition, e.Shares), e.SenderSignature) == EngineStatus.Ok &&
                          PartitionVector.Decode(e.Partition, groupSize, out vector) == EngineStatus.Ok;
            if (!signed || delivered[s] is null) return s == 0 ? Culprit.S1 : Culprit.S2;
            // 3. It must have delivered the share of the member's side, unchanged.
            expected[s] = e.Shares.AsSpan(vector![user] * size, size).ToArray();
            if (!expected[s].AsSpan().SequenceEqual(delivered[s])) return s == 0 ? Culprit.S1 : Culprit.S2;
        }
        // 4. Both servers delivered what the sender signed: the sender's shares decide.
        byte[] record = new byte[size];
        RecordVerdict verdict = MessageReconstructor.Reconstruct(parameters, expected[0], expected[1], default, record, out _);
        return verdict is RecordVerdict.Tampered or RecordVerdict.Malformed ? Culprit.Sender : Culprit.None;
    }

    /// <summary>The share for <paramref name="messageId"/> in an inbox (<see cref="FanOut"/>'s format), or null.</summary>
    private static byte[]? DeliveredShare(ReadOnlySpan<byte> inbox, ulong messageId, int recordSize)
    {
        int offset = 0;
        while (inbox.Length - offset >= 9 + recordSize)
        {
            ulong id = BinaryPrimitives.ReadUInt64BigEndian(inbox[offset..]);
            int entry = 9 + recordSize * (inbox[offset + 8] == 1 ? 2 : 1);
            if (id == messageId) return inbox.Slice(offset + 9, recordSize).ToArray();
            offset += entry;
        }
        return null;
    }
}
