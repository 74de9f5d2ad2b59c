using System.Buffers.Binary;
using System.Text;

namespace Engine.Primitives.Wire;

/// <summary>Reads a payload field by field; every method returns false (and the reader stays failed) on a short or bad field.</summary>
internal ref struct WireReader
{
    private readonly ReadOnlySpan<byte> _payload;
    private int _offset;
    private bool _failed;

    /// <summary>Reads a payload that must start with <paramref name="version"/>.</summary>
    public WireReader(ReadOnlySpan<byte> payload, byte version)
    {
        _payload = payload;
        _offset = 1;
        _failed = payload.Length < 1 || payload[0] != version;
        VersionMismatch = payload.Length >= 1 && payload[0] != version;
    }

    /// <summary>The payload named another version.</summary>
    public bool VersionMismatch { get; }

    /// <summary>True once every field read so far was well formed and the payload has been consumed exactly.</summary>
    public readonly bool AtEndOk => !_failed && _offset == _payload.Length;

    /// <summary>Bytes not yet read.</summary>
    public readonly int Remaining => _payload.Length - _offset;

    /// <summary>True while every field read so far was well formed.</summary>
    public readonly bool Ok => !_failed;

    private ReadOnlySpan<byte> Take(int count)
    {
        if (_failed || count < 0 || _payload.Length - _offset < count) { _failed = true; return default; }
        ReadOnlySpan<byte> slice = _payload.Slice(_offset, count);
        _offset += count;
        return slice;
    }

    /// <summary>Marks the payload as malformed (a field's value is out of its range).</summary>
    public void Fail() => _failed = true;

    public byte Byte() { ReadOnlySpan<byte> b = Take(1); return b.IsEmpty ? (byte)0 : b[0]; }
    public ushort UInt16() { ReadOnlySpan<byte> b = Take(2); return b.IsEmpty ? (ushort)0 : BinaryPrimitives.ReadUInt16BigEndian(b); }
    public uint UInt32() { ReadOnlySpan<byte> b = Take(4); return b.IsEmpty ? 0 : BinaryPrimitives.ReadUInt32BigEndian(b); }
    public int Int32() { ReadOnlySpan<byte> b = Take(4); return b.IsEmpty ? 0 : BinaryPrimitives.ReadInt32BigEndian(b); }
    public long Int64() { ReadOnlySpan<byte> b = Take(8); return b.IsEmpty ? 0 : BinaryPrimitives.ReadInt64BigEndian(b); }
    public ulong UInt64() { ReadOnlySpan<byte> b = Take(8); return b.IsEmpty ? 0 : BinaryPrimitives.ReadUInt64BigEndian(b); }
    public ReadOnlySpan<byte> Fixed(int count) => Take(count);

    public string Name()
    {
        int length = Byte();
        ReadOnlySpan<byte> utf8 = Take(length);
        if (_failed || length == 0) { _failed = true; return ""; }
        try { return new UTF8Encoding(false, true).GetString(utf8); }
        catch (DecoderFallbackException) { _failed = true; return ""; }
    }

    /// <summary>A length-prefixed byte string of at most <paramref name="maxLength"/> bytes.</summary>
    public ReadOnlySpan<byte> Blob(int maxLength)
    {
        int length = Int32();
        if (length < 0 || length > maxLength) { _failed = true; return default; }
        return Take(length);
    }
}
