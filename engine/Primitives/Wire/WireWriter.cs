using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Engine.Primitives.Wire;

/// <summary>
/// Writes a wire payload field by field (the protocols' shared codec): a version byte first, then big-endian
/// integers, names as length (1) ‖ UTF-8, byte strings as length (4) ‖ bytes, fixed-size fields as they are.
/// </summary>
internal class WireWriter
{
    // Inboxes run to megabytes: write straight into one growing buffer, no per-field arrays.
    private readonly ArrayBufferWriter<byte> _buffer = new();

    /// <summary>A payload that starts with <paramref name="version"/>.</summary>
    public WireWriter(byte version) => Byte(version);

    public WireWriter Byte(byte value) { _buffer.GetSpan(1)[0] = value; _buffer.Advance(1); return this; }
    public WireWriter UInt16(ushort value) { BinaryPrimitives.WriteUInt16BigEndian(_buffer.GetSpan(2), value); _buffer.Advance(2); return this; }
    public WireWriter UInt32(uint value) { BinaryPrimitives.WriteUInt32BigEndian(_buffer.GetSpan(4), value); _buffer.Advance(4); return this; }
    public WireWriter Int32(int value) { BinaryPrimitives.WriteInt32BigEndian(_buffer.GetSpan(4), value); _buffer.Advance(4); return this; }
    public WireWriter Int64(long value) { BinaryPrimitives.WriteInt64BigEndian(_buffer.GetSpan(8), value); _buffer.Advance(8); return this; }
    public WireWriter UInt64(ulong value) { BinaryPrimitives.WriteUInt64BigEndian(_buffer.GetSpan(8), value); _buffer.Advance(8); return this; }
    public WireWriter Fixed(ReadOnlySpan<byte> value) { _buffer.Write(value); return this; }

    public WireWriter Name(string value)
    {
        int length = Encoding.UTF8.GetByteCount(value);
        if (length is 0 or > 255) throw new ArgumentException("Names and identities have 1 to 255 bytes of UTF-8.", nameof(value));
        Byte((byte)length);
        Encoding.UTF8.GetBytes(value, _buffer.GetSpan(length));
        _buffer.Advance(length);
        return this;
    }

    public WireWriter Blob(ReadOnlySpan<byte> value) { Int32(value.Length); return Fixed(value); }

    /// <summary>Bytes written so far.</summary>
    public ReadOnlySpan<byte> WrittenSpan => _buffer.WrittenSpan;

    public byte[] ToArray() => _buffer.WrittenSpan.ToArray();

    /// <summary>Zeroes what was written (payloads that carried secrets, once they are sealed or copied out).</summary>
    public void Wipe() => _buffer.Clear();                                   // ArrayBufferWriter.Clear zeroes the written bytes

    /// <summary>The payload, then <see cref="Wipe"/>.</summary>
    public byte[] ToArrayAndWipe()
    {
        byte[] payload = ToArray();
        Wipe();
        return payload;
    }
}
