using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Engine.IotAuth.Roles;

/// <summary>A 32-byte value (N_OC, or a 16-byte session id padded with zeros) usable as a dictionary key.</summary>
internal readonly record struct Nonce(ulong A, ulong B, ulong C, ulong D)
{
    public Nonce(ReadOnlySpan<byte> bytes)
        : this(BinaryPrimitives.ReadUInt64BigEndian(bytes), BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]),
               BinaryPrimitives.ReadUInt64BigEndian(bytes[16..]), BinaryPrimitives.ReadUInt64BigEndian(bytes[24..])) { }

    /// <summary>A fresh session id (16 random bytes).</summary>
    public static Nonce Random()
    {
        Span<byte> b = stackalloc byte[32];
        b.Clear();
        RandomNumberGenerator.Fill(b[..16]);
        return new Nonce(b);
    }

    /// <summary>The key for a 16-byte session id.</summary>
    public static Nonce FromSessionId(ReadOnlySpan<byte> id)
    {
        Span<byte> b = stackalloc byte[32];
        b.Clear();
        id[..16].CopyTo(b);
        return new Nonce(b);
    }

    /// <summary>The 32 bytes.</summary>
    public byte[] Bytes
    {
        get
        {
            byte[] b = new byte[32];
            CopyTo(b);
            return b;
        }
    }

    public void CopyTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64BigEndian(destination, A);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], B);
        BinaryPrimitives.WriteUInt64BigEndian(destination[16..], C);
        BinaryPrimitives.WriteUInt64BigEndian(destination[24..], D);
    }
}
