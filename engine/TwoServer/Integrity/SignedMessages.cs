using System.Buffers.Binary;
using System.Text;

namespace Engine.TwoServer.Integrity;

/// <summary>
/// The byte strings that users and servers sign in the malicious-user extension (paper §5.3.1, SPEC.md §2.5), each
/// with its own domain tag so that no signature can be replayed as another kind: a server's receipt of a user's
/// key, a user's upload to one server, and a server's delivery of a member's inbox.
/// </summary>
public static class SignedMessages
{
    private static readonly byte[] ReceiptTag = "ENGINE-V1/two-server/key-receipt"u8.ToArray();
    private static readonly byte[] UploadTag = "ENGINE-V1/two-server/upload"u8.ToArray();
    private static readonly byte[] DeliveryTag = "ENGINE-V1/two-server/delivery"u8.ToArray();

    /// <summary>What server <paramref name="server"/> signs when it received <paramref name="userKey"/> from <paramref name="userId"/>: k_b^i.</summary>
    public static byte[] KeyReceipt(int server, string userId, ReadOnlySpan<byte> userKey)
    {
        byte[] id = Encoding.UTF8.GetBytes(userId);
        return Concat(ReceiptTag, [(byte)server], Length(id.Length), id, userKey);
    }

    /// <summary>
    /// What a sender signs for one server: round, message id, the server, the session's partition for that server
    /// and the shares it uploads there (two, or four at S1 in subgroup mode).
    /// </summary>
    public static byte[] Upload(long round, ulong messageId, int server, ReadOnlySpan<byte> partition, ReadOnlySpan<byte> shares)
    {
        Span<byte> header = stackalloc byte[17];
        BinaryPrimitives.WriteInt64BigEndian(header, round);
        BinaryPrimitives.WriteUInt64BigEndian(header[8..], messageId);
        header[16] = (byte)server;
        return Concat(UploadTag, header.ToArray(), Length(partition.Length), partition, shares);
    }

    /// <summary>What a server signs when it delivers member <paramref name="user"/>'s inbox of a round.</summary>
    public static byte[] Delivery(long round, int server, int user, ReadOnlySpan<byte> inbox)
    {
        byte[] message = new byte[DeliverySize(inbox.Length)];
        WriteDelivery(round, server, user, inbox, message);
        return message;
    }

    /// <summary>The length of <see cref="Delivery"/>'s message for an inbox of <paramref name="inboxLength"/> bytes.</summary>
    public static int DeliverySize(int inboxLength) => DeliveryTag.Length + 13 + inboxLength;

    /// <summary><see cref="Delivery"/> into caller memory of exactly <see cref="DeliverySize"/> bytes (the servers' fetch path, pooled).</summary>
    public static void WriteDelivery(long round, int server, int user, ReadOnlySpan<byte> inbox, Span<byte> destination)
    {
        if (destination.Length != DeliverySize(inbox.Length)) throw new ArgumentException("Destination has the wrong size.", nameof(destination));
        DeliveryTag.CopyTo(destination);
        Span<byte> header = destination.Slice(DeliveryTag.Length, 13);
        BinaryPrimitives.WriteInt64BigEndian(header, round);
        header[8] = (byte)server;
        BinaryPrimitives.WriteInt32BigEndian(header[9..], user);
        inbox.CopyTo(destination[(DeliveryTag.Length + 13)..]);
    }

    /// <summary>
    /// What a user signs to authenticate a request to a server: the request kind, the connection's challenge (so a
    /// captured request cannot be replayed on another connection) and the request's bytes before the signature.
    /// </summary>
    public static byte[] Request(string kind, ReadOnlySpan<byte> challenge, ReadOnlySpan<byte> body)
        => Concat(RequestTag, System.Text.Encoding.ASCII.GetBytes(kind), Length(challenge.Length), challenge.ToArray(), body.ToArray());

    private static readonly byte[] RequestTag = "ENGINE-V1/two-server/request/"u8.ToArray();

    private static byte[] Length(int length)
    {
        byte[] bytes = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(bytes, length);
        return bytes;
    }

    private static byte[] Concat(params ReadOnlySpan<byte[]> parts)
    {
        int total = 0;
        foreach (byte[] p in parts) total += p.Length;
        byte[] result = new byte[total];
        int offset = 0;
        foreach (byte[] p in parts) { p.CopyTo(result, offset); offset += p.Length; }
        return result;
    }

    private static byte[] Concat(byte[] tag, byte[] a, byte[] b, ReadOnlySpan<byte> c, ReadOnlySpan<byte> d) => Concat(tag, a, b, c.ToArray(), d.ToArray());
}
