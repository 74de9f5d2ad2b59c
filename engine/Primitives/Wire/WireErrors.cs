using System.Buffers;
using System.Text;

namespace Engine.Primitives.Wire;

/// <summary>The refusal payload the protocols share: version ‖ status (1) ‖ optional reason (a name, at most 200 characters).</summary>
internal static class WireErrors
{
    public static byte[] Write(byte version, EngineStatus status, string? reason)
    {
        var payload = new ArrayBufferWriter<byte>(64);
        Write(version, status, reason, payload);
        return payload.WrittenSpan.ToArray();
    }

    /// <summary>Writes the refusal into <paramref name="destination"/>: no array, no writer (a refused flood costs nothing).</summary>
    public static void Write(byte version, EngineStatus status, string? reason, IBufferWriter<byte> destination)
    {
        ReadOnlySpan<char> text = string.IsNullOrEmpty(reason) ? default : reason.AsSpan(0, Math.Min(reason.Length, 200));
        int length = Encoding.UTF8.GetByteCount(text);
        if (length > 255) text = text[..Math.Min(text.Length, 63)];      // 200 characters can be 600 bytes of UTF-8: cut to fit a name's 255
        length = Encoding.UTF8.GetByteCount(text);
        Span<byte> span = destination.GetSpan(3 + length);
        span[0] = version;
        span[1] = (byte)status;
        if (length == 0)
        {
            destination.Advance(2);
            return;
        }
        span[2] = (byte)length;
        Encoding.UTF8.GetBytes(text, span[3..]);
        destination.Advance(3 + length);
    }

    /// <summary>The status and reason; Malformed when the payload is not a refusal.</summary>
    public static (EngineStatus Status, string? Reason) Read(byte version, ReadOnlySpan<byte> payload)
    {
        var r = new WireReader(payload, version);
        var status = (EngineStatus)r.Byte();
        if (!r.Ok) return (EngineStatus.Malformed, null);
        if (r.AtEndOk) return (status, null);
        string reason = r.Name();
        return r.AtEndOk ? (status, reason) : (EngineStatus.Malformed, null);
    }
}
