using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Engine.TwoServer.Wire;

/// <summary>
/// Field codecs of the two-server wire format: big-endian integers, identities and names as length (1) ‖ UTF-8,
/// byte strings as length (4) ‖ bytes. Reading never throws: a short or malformed field makes the reader fail,
/// and the request gets <see cref="EngineStatus.Malformed"/>.
/// </summary>
public static class TwoServerWire
{
    /// <summary>The protocol version every payload starts with.</summary>
    public const byte Version = 1;

    /// <summary>Bytes of a session id.</summary>
    public const int SessionIdSize = 16;

    /// <summary>The round number that names the dial mailbox (asynchronous dials wait there until each member fetches them).</summary>
    public const long DialRound = -1;

    /// <summary>Bytes of the per-connection challenge.</summary>
    public const int ChallengeSize = 32;

    /// <summary>Builds a payload field by field.</summary>
    internal sealed class Writer
    {
        // Inboxes run to megabytes: write straight into one growing buffer, no per-field arrays.
        private readonly ArrayBufferWriter<byte> _buffer = new();

        public Writer() => Byte(Version);

        public Writer Byte(byte value) { _buffer.GetSpan(1)[0] = value; _buffer.Advance(1); return this; }
        public Writer Int32(int value) { BinaryPrimitives.WriteInt32BigEndian(_buffer.GetSpan(4), value); _buffer.Advance(4); return this; }
        public Writer Int64(long value) { BinaryPrimitives.WriteInt64BigEndian(_buffer.GetSpan(8), value); _buffer.Advance(8); return this; }
        public Writer UInt64(ulong value) { BinaryPrimitives.WriteUInt64BigEndian(_buffer.GetSpan(8), value); _buffer.Advance(8); return this; }
        public Writer Fixed(ReadOnlySpan<byte> value) { _buffer.Write(value); return this; }

        public Writer Name(string value)
        {
            int length = Encoding.UTF8.GetByteCount(value);
            if (length is 0 or > 255) throw new ArgumentException("Names and identities have 1 to 255 bytes of UTF-8.", nameof(value));
            Byte((byte)length);
            Encoding.UTF8.GetBytes(value, _buffer.GetSpan(length));
            _buffer.Advance(length);
            return this;
        }

        public Writer Blob(ReadOnlySpan<byte> value) { Int32(value.Length); return Fixed(value); }

        public byte[] ToArray() => _buffer.WrittenSpan.ToArray();
    }

    /// <summary>Reads a payload field by field; every method returns false (and the reader stays failed) on a short or bad field.</summary>
    internal ref struct Reader
    {
        private readonly ReadOnlySpan<byte> _payload;
        private int _offset;
        private bool _failed;

        public Reader(ReadOnlySpan<byte> payload)
        {
            _payload = payload;
            _offset = 1;
            _failed = payload.Length < 1 || payload[0] != Version;
            VersionMismatch = payload.Length >= 1 && payload[0] != Version;
        }

        /// <summary>The payload named another version.</summary>
        public bool VersionMismatch { get; }

        /// <summary>True once every field read so far was well formed and the payload has been consumed exactly.</summary>
        public readonly bool AtEndOk => !_failed && _offset == _payload.Length;

        /// <summary>True while every field read so far was well formed.</summary>
        public readonly bool Ok => !_failed;

        private ReadOnlySpan<byte> Take(int count)
        {
            if (_failed || count < 0 || _payload.Length - _offset < count) { _failed = true; return default; }
            ReadOnlySpan<byte> slice = _payload.Slice(_offset, count);
            _offset += count;
            return slice;
        }

        public byte Byte() { ReadOnlySpan<byte> b = Take(1); return b.IsEmpty ? (byte)0 : b[0]; }
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
}
