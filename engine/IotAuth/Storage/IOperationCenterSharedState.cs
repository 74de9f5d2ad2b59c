namespace Engine.IotAuth.Storage;

/// <summary>
/// What several instances of one operation centre share so that any of them can take any device's answer (issue #17):
/// the challenges issued and not yet answered (sealed: each holds its ephemeral a), and the replay cache of accepted
/// proofs. With it, a challenge from one instance can be answered at another, a challenge is used once across all of
/// them, and a proof replayed at another instance is refused. The device registry is shared through a
/// <see cref="SqlOperationCenterStore"/> on the same database; sessions stay with the instance that accepted the proof
/// (the device confirms on the same connection). Thread-safe; every table is bounded and expires.
/// </summary>
public interface IOperationCenterSharedState
{
    /// <summary>Stores a sealed challenge until <paramref name="expiresAt"/> (Unix seconds); false when the table holds its maximum of live challenges.</summary>
    bool PutChallenge(ReadOnlySpan<byte> nonce, byte[] sealedChallenge, ulong expiresAt);

    /// <summary>The sealed challenge for <paramref name="nonce"/>, or null (never issued, answered, or swept).</summary>
    byte[]? FindChallenge(ReadOnlySpan<byte> nonce);

    /// <summary>Removes the challenge: true for exactly one caller across all instances (the one whose proof it accepts).</summary>
    bool TakeChallenge(ReadOnlySpan<byte> nonce);

    /// <summary>True when an accepted proof with this identifier (A′ ‖ N_OC) is remembered.</summary>
    bool ContainsReplay(ReadOnlySpan<byte> id);

    /// <summary>Remembers an accepted proof until <paramref name="expiresAt"/>: Ok, Replay (already there) or CapacityExceeded (nothing stored).</summary>
    EngineStatus TryAddReplay(ReadOnlySpan<byte> id, ulong expiresAt);

    /// <summary>Forgets challenges and proofs that expired before <paramref name="now"/> (Unix seconds); returns how many rows went.</summary>
    int Sweep(ulong now);
}
