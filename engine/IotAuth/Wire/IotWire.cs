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

    /// <summary>A payload writer that starts with <see cref="Version"/>.</summary>
    internal static WireWriter Writer() => new(Version);

    /// <summary>A payload reader that requires <see cref="Version"/>.</summary>
    internal static WireReader Reader(ReadOnlySpan<byte> payload) => new(payload, Version);

    /// <summary>An <see cref="IotMessageType.Error"/> payload.</summary>
    public static byte[] Error(EngineStatus status, string? reason = null)
    {
        WireWriter w = Writer().Byte((byte)status);
        if (!string.IsNullOrEmpty(reason)) w.Name(reason.Length > 200 ? reason[..200] : reason);
        return w.ToArray();
    }

    /// <summary>Reads an <see cref="IotMessageType.Error"/> payload; Malformed when it is not one.</summary>
    public static (EngineStatus Status, string? Reason) ReadError(ReadOnlySpan<byte> payload)
    {
        WireReader r = Reader(payload);
        var status = (EngineStatus)r.Byte();
        if (!r.Ok) return (EngineStatus.Malformed, null);
        if (r.AtEndOk) return (status, null);
        string reason = r.Name();
        return r.AtEndOk ? (status, reason) : (EngineStatus.Malformed, null);
    }
}
