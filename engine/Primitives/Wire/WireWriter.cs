using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Extensions.ObjectPool;

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

    private WireWriter() { }

    // Answers built field by field and then signed or copied out (Protocols 3 and 4) take their writer from here, so
    // a request costs no writer and no array. A writer that grew past PooledCapacity is dropped rather than kept.
    private const int PooledCapacity = 64 * 1024;
    private static readonly ObjectPool<WireWriter> s_pool = new DefaultObjectPool<WireWriter>(new PoolPolicy(), 64);

    /// <summary>
    /// A pooled writer holding just <paramref name="version"/>: write the payload, move it out with
    /// <see cref="MoveTo"/> (which returns the writer, wiped, to the pool), and do not touch it after.
    /// </summary>
    public static WireWriter Rent(byte version)
    {
        WireWriter writer = s_pool.Get();
        return writer.Byte(version);
    }

    /// <summary>Copies the payload into <paramref name="destination"/>, then wipes this pooled writer and returns it to the pool.</summary>
    public void MoveTo(IBufferWriter<byte> destination)
    {
        destination.Write(_buffer.WrittenSpan);
        s_pool.Return(this);
    }

    /// <summary>Wipes this pooled writer and returns it to the pool without copying (an answer abandoned half-way).</summary>
    public void Release() => s_pool.Return(this);

    private sealed class PoolPolicy : PooledObjectPolicy<WireWriter>
    {
        public override WireWriter Create() => new();

        public override bool Return(WireWriter writer)
        {
            writer.Wipe();
            return writer._buffer.Capacity <= PooledCapacity;
        }
    }

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

    /// <summary>Overwrites the 4 bytes at <paramref name="offset"/> (a length written before what it counts).</summary>
    public void PatchInt32(int offset, int value) => BinaryPrimitives.WriteInt32BigEndian(MemoryMarshal.AsMemory(_buffer.WrittenMemory).Span.Slice(offset, 4), value);

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
