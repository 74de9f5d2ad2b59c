using Engine.Primitives.Wire;

namespace Engine.IotAuth.Wire;

/// <summary>The version byte and payload helpers of Protocol 3's frames.</summary>
public static class IotWire
{
    /// <summary>The protocol version every payload starts with.</summary>
    public const byte Version = 1;

    /// <summary>Bytes of a Schnorr signature in G1.</summary>
    public const int SignatureSize = 48 + 32;

    /// <summary>Bytes of a session id.</summary>
    public const int SessionIdSize = 16;

    /// <summary>Bytes of an HMAC-SHA256 tag.</summary>
    public const int MacSize = 32;

    /// <summary>Protocol 3's encrypted payloads (G1, <see cref="Version"/>).</summary>
    internal static Primitives.Encryption.SealedPayload Sealed { get; } = new(IotAuthParameters.Group, Version);

    /// <summary>A payload writer that starts with <see cref="Version"/>.</summary>
    internal static WireWriter Writer() => new(Version);

    /// <summary>A payload reader that requires <see cref="Version"/>.</summary>
    internal static WireReader Reader(ReadOnlySpan<byte> payload) => new(payload, Version);

    /// <summary>A decimal on the wire: mantissa (8, signed) ‖ scale (1, at most 18); fails the reader otherwise.</summary>
    internal static decimal ReadDecimal(ref WireReader r)
    {
        long mantissa = r.Int64();
        byte scale = r.Byte();
        if (scale > 18 || mantissa == long.MinValue)
        {
            r.Fail();
            return 0;
        }
        ulong magnitude = (ulong)Math.Abs(mantissa);
        return new decimal((int)(uint)magnitude, (int)(uint)(magnitude >> 32), 0, mantissa < 0, scale);
    }

    /// <summary>Writes a decimal as <see cref="ReadDecimal"/> reads it.</summary>
    /// <exception cref="ArgumentException">More than 18 decimal places or a mantissa beyond 63 bits.</exception>
    internal static void WriteDecimal(WireWriter w, decimal value)
    {
        int[] bits = decimal.GetBits(value);
        int scale = (bits[3] >> 16) & 0xff;
        if (bits[2] != 0 || (uint)bits[1] > int.MaxValue || scale > 18) throw new ArgumentException($"{value} does not fit the wire's decimal (63-bit mantissa, 18 places)");
        long mantissa = ((long)(uint)bits[1] << 32) | (uint)bits[0];
        w.Int64(value < 0 ? -mantissa : mantissa).Byte((byte)scale);
    }

    /// <summary>An <see cref="IotMessageType.Error"/> payload.</summary>
    public static byte[] Error(EngineStatus status, string? reason = null) => WireErrors.Write(Version, status, reason);

    /// <summary>Writes an <see cref="IotMessageType.Error"/> payload into <paramref name="destination"/>.</summary>
    public static void Error(EngineStatus status, string? reason, System.Buffers.IBufferWriter<byte> destination) => WireErrors.Write(Version, status, reason, destination);

    /// <summary>A pooled payload writer that starts with <see cref="Version"/> (see <see cref="WireWriter.Rent"/>).</summary>
    internal static WireWriter RentWriter() => WireWriter.Rent(Version);

    /// <summary>Reads an <see cref="IotMessageType.Error"/> payload; Malformed when it is not one.</summary>
    public static (EngineStatus Status, string? Reason) ReadError(ReadOnlySpan<byte> payload) => WireErrors.Read(Version, payload);
}
