namespace Engine;

/// <summary>
/// The one status enum of the whole engine. 0 is success. The values are frozen: they cross the C ABI
/// (interop/native/include/engine.h mirrors them). It lives in the lowest assembly so that every layer,
/// including the math layers' decoders, can return it.
/// </summary>
public enum EngineStatus
{
    /// <summary>Success.</summary>
    Ok = 0,
    /// <summary>The caller's destination buffer is too small.</summary>
    DestinationTooSmall = 1,
    /// <summary>An input has the wrong length.</summary>
    BadLength = 2,
    /// <summary>An encoded integer or field element is not in canonical range (for example ≥ p).</summary>
    NotCanonical = 3,
    /// <summary>A point is not on the curve.</summary>
    NotOnCurve = 4,
    /// <summary>An element is not in the prime-order subgroup.</summary>
    NotInSubgroup = 5,
    /// <summary>A scalar is outside its allowed range.</summary>
    ScalarOutOfRange = 6,
    /// <summary>A signature, proof, MAC or consistency check failed.</summary>
    VerificationFailed = 7,
    /// <summary>A message was seen before.</summary>
    Replay = 8,
    /// <summary>A timestamp or expiry is outside its window.</summary>
    Expired = 9,
    /// <summary>A frame exceeds the configured limit.</summary>
    FrameTooLarge = 10,
    /// <summary>The input does not parse (bad flags, bad structure, bad text).</summary>
    Malformed = 11,
    /// <summary>The identity element (1, or the point at infinity) where it is not allowed.</summary>
    IdentityElement = 12,
    /// <summary>The value has no inverse modulo the modulus.</summary>
    NotInvertible = 13,
    /// <summary>The message's version byte is not supported.</summary>
    UnsupportedVersion = 14,
    /// <summary>The message's type byte is unknown.</summary>
    UnknownMessageType = 15,
    /// <summary>A bounded store (a replay cache, a link table) is full of live entries; the input was refused, not stored.</summary>
    CapacityExceeded = 16,
    /// <summary>The next hop or peer is unknown or cannot be reached; the request was dropped and left no state.</summary>
    Unreachable = 17,
    /// <summary>The named user, session, group or round is not known (or not yet available).</summary>
    NotFound = 18,
    /// <summary>The keys held do not satisfy the access policy (too few attributes, or keys at another attribute version).</summary>
    PolicyNotSatisfied = 19,
    /// <summary>A peer took longer than the limit (a frame that did not arrive in time, a reply never read); the connection was closed.</summary>
    TimedOut = 20,
    /// <summary>A per-user or per-server quota (pending registrations, groups, sessions, uploads per round) is used up; nothing was stored.</summary>
    QuotaExceeded = 21,
    /// <summary>A required pointer or reference was null (C ABI).</summary>
    NullArgument = 100,
    /// <summary>An unexpected internal failure; nothing was changed.</summary>
    InternalError = 255,
}
