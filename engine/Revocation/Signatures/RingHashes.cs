using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Engine.Pairing.Fields;
using Engine.Pairing.HashToCurve;

namespace Engine.Revocation.Signatures;

/// <summary>
/// The ring signature's hashes into Z_r: û = H_attr(u ‖ ring id ‖ epoch) and μ = H(M ‖ Υ), over the wire codec's
/// field encodings (names as length (1) ‖ UTF-8, byte strings as length (4) ‖ bytes), written into pooled or stack
/// memory so verification allocates nothing.
/// </summary>
internal static class RingHashes
{
    public static Fr Attribute(string attribute, string ringId, ulong epoch)
    {
        Span<byte> buffer = stackalloc byte[1 + 2 * 256 + 8];
        int n = 0;
        buffer[n++] = RevocationParameters.Version;
        n += WriteName(buffer[n..], attribute);
        n += WriteName(buffer[n..], ringId);
        BinaryPrimitives.WriteUInt64BigEndian(buffer[n..], epoch);
        return HashToGroup.HashToScalar(buffer[..(n + 8)], RevocationParameters.RingAttributeDst);
    }

    /// <summary>μ binds the message, the policy text, the ring (id, epoch) and the signature authority.</summary>
    public static Fr Message(ReadOnlySpan<byte> message, string policy, string ringId, ulong epoch, string authority)
    {
        int policyBytes = Encoding.UTF8.GetByteCount(policy);
        int length = 1 + 4 + message.Length + 4 + policyBytes + 2 * 256 + 8;
        byte[] rented = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            Span<byte> buffer = rented;
            int n = 0;
            buffer[n++] = RevocationParameters.Version;
            BinaryPrimitives.WriteInt32BigEndian(buffer[n..], message.Length);
            message.CopyTo(buffer[(n + 4)..]);
            n += 4 + message.Length;
            BinaryPrimitives.WriteInt32BigEndian(buffer[n..], policyBytes);
            Encoding.UTF8.GetBytes(policy, buffer[(n + 4)..]);
            n += 4 + policyBytes;
            n += WriteName(buffer[n..], ringId);
            BinaryPrimitives.WriteUInt64BigEndian(buffer[n..], epoch);
            n += 8;
            n += WriteName(buffer[n..], authority);
            return HashToGroup.HashToScalar(buffer[..n], RevocationParameters.RingMessageDst);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static int WriteName(Span<byte> destination, string name)
    {
        int length = Encoding.UTF8.GetBytes(name, destination[1..]);
        if (length is 0 or > 255) throw new ArgumentException("Names have 1 to 255 bytes of UTF-8.", nameof(name));
        destination[0] = (byte)length;
        return 1 + length;
    }
}
