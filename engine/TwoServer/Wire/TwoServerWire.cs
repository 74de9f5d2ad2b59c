using Engine.Primitives.Wire;

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

    /// <summary>Builds a payload field by field, starting with <see cref="Version"/>.</summary>
    internal sealed class Writer() : WireWriter(Version);

    /// <summary>A reader for a payload that must start with <see cref="Version"/>.</summary>
    internal static WireReader Reader(ReadOnlySpan<byte> payload) => new(payload, Version);
}
