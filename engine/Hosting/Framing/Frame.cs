using System.Buffers;
using System.Buffers.Binary;

namespace Engine.Hosting.Framing;

/// <summary>
/// Length-prefixed binary frames on a stream connection (DESIGN.md "reference servers"): a 4-byte big-endian
/// length of what follows, a 1-byte message type, then the payload. Frames above the configured limit are
/// refused before their bytes are buffered (<see cref="EngineStatus.FrameTooLarge"/>).
/// </summary>
public static class Frame
{
    /// <summary>Bytes before the payload.</summary>
    public const int HeaderSize = 5;

    /// <summary>
    /// Tries to cut one frame off the front of <paramref name="buffer"/>. Returns Ok with the frame (and advances
    /// the buffer), <see cref="EngineStatus.DestinationTooSmall"/> when more bytes are needed, or
    /// <see cref="EngineStatus.FrameTooLarge"/>/<see cref="EngineStatus.Malformed"/> (a length below 1), after which
    /// the connection should be closed.
    /// </summary>
    public static EngineStatus TryRead(ref ReadOnlySequence<byte> buffer, int maxFrameBytes, out byte type, out ReadOnlySequence<byte> payload)
    {
        type = 0;
        payload = default;
        if (buffer.Length < HeaderSize) return EngineStatus.DestinationTooSmall;
        Span<byte> header = stackalloc byte[HeaderSize];
        buffer.Slice(0, HeaderSize).CopyTo(header);
        uint length = BinaryPrimitives.ReadUInt32BigEndian(header);
        if (length < 1) return EngineStatus.Malformed;
        if (length - 1 > (uint)maxFrameBytes) return EngineStatus.FrameTooLarge;
        if (buffer.Length < 4 + length) return EngineStatus.DestinationTooSmall;
        type = header[4];
        payload = buffer.Slice(HeaderSize, length - 1);
        buffer = buffer.Slice(4 + length);
        return EngineStatus.Ok;
    }

    /// <summary>
    /// The status an Error frame carries: its one byte, or <see cref="EngineStatus.Malformed"/> when the frame is
    /// empty, longer, or says Ok (a peer's broken refusal must not read past the payload or pass for success).
    /// </summary>
    public static EngineStatus ErrorStatus(ReadOnlySpan<byte> payload)
        => payload.Length == 1 && payload[0] != (byte)EngineStatus.Ok ? (EngineStatus)payload[0] : EngineStatus.Malformed;

    /// <summary>Writes one frame.</summary>
    public static void Write(IBufferWriter<byte> writer, byte type, ReadOnlySpan<byte> payload)
    {
        Write(writer.GetSpan(HeaderSize + payload.Length), type, payload);
        writer.Advance(HeaderSize + payload.Length);
    }

    /// <summary>Writes one frame at the start of <paramref name="destination"/> (at least <see cref="HeaderSize"/> + the payload's length).</summary>
    public static void Write(Span<byte> destination, byte type, ReadOnlySpan<byte> payload)
    {
        BinaryPrimitives.WriteUInt32BigEndian(destination, (uint)(payload.Length + 1));
        destination[4] = type;
        payload.CopyTo(destination[HeaderSize..]);
    }
}

/// <summary>Message types of the onion servers' frames.</summary>
public enum OnionFrameType : byte
{
    /// <summary>A setup packet towards the destination.</summary>
    Setup = 1,

    /// <summary>An ACK towards the sender.</summary>
    Ack = 2,

    /// <summary>A forward data packet.</summary>
    Data = 3,

    /// <summary>A backward data packet.</summary>
    Backward = 4,

    /// <summary>A refusal: one byte of <see cref="EngineStatus"/>, sent back to the sender of a bad packet.</summary>
    Error = 5,
}
