namespace Engine.Primitives.Wire;

/// <summary>The refusal payload the protocols share: version ‖ status (1) ‖ optional reason (a name, at most 200 characters).</summary>
internal static class WireErrors
{
    public static byte[] Write(byte version, EngineStatus status, string? reason)
    {
        WireWriter w = new WireWriter(version).Byte((byte)status);
        if (!string.IsNullOrEmpty(reason)) w.Name(reason.Length > 200 ? reason[..200] : reason);
        return w.ToArray();
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
