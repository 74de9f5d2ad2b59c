using System.Security.Cryptography;
using Engine.Onion.Setup;

namespace Engine.Onion.Roles;

/// <summary>
/// One node's state for one link (SPEC.md §1.2 step 4): the hop-local link ids on each side, the neighbours, the
/// expiry, the setup secrets and, once the ACK has passed, the data key derived from K'_j. Wiped when removed.
/// </summary>
public sealed class OnionLink : IDisposable
{
    private readonly byte[] _dataKey = GC.AllocateArray<byte>(32, pinned: true);

    internal OnionLink(UInt128 inId, string previousHop, UInt128? outId, string? nextHandle, long expiresAtUnixMs, HopSecrets secrets, byte[] encodedY)
    {
        InId = inId;
        InLinkId = LinkId.ToHex(inId);
        PreviousHop = previousHop;
        OutId = outId ?? default;
        OutLinkId = outId is { } o ? LinkId.ToHex(o) : null;
        NextHandle = nextHandle;
        ExpiresAtUnixMs = expiresAtUnixMs;
        Secrets = secrets;
        EncodedY = encodedY;
    }

    /// <summary>Link id on the previous hop's side.</summary>
    public string InLinkId { get; }

    /// <summary>Who sent the setup (the caller's name for the connection).</summary>
    public string PreviousHop { get; }

    /// <summary>Link id on the next hop's side (null at the destination).</summary>
    public string? OutLinkId { get; }

    /// <summary>The next hop's handle (null at the destination).</summary>
    public string? NextHandle { get; }

    /// <summary>Expiry, Unix milliseconds.</summary>
    public long ExpiresAtUnixMs { get; }

    private int _ackClaimed;

    /// <summary>Claims the link's one ACK: true the first time only, so a duplicate ACK is refused before any work.</summary>
    internal bool TryClaimAck() => Interlocked.Exchange(ref _ackClaimed, 1) == 0;

    /// <summary>True once the ACK has passed and the data key exists.</summary>
    public bool IsEstablished { get; internal set; }

    internal UInt128 InId { get; }
    internal UInt128 OutId { get; }
    internal HopSecrets Secrets { get; }
    internal byte[] EncodedY { get; }

    /// <summary>Y_j in the group's working form, validated once when the setup arrived.</summary>
    internal ulong[] Y { get; init; } = [];
    internal Span<byte> DataKeyBuffer => _dataKey;

    /// <summary>The data-phase key from K'_j (tests compare it with the client's).</summary>
    internal ReadOnlySpan<byte> DataKey => _dataKey;

    /// <summary>At the destination: the per-link Schnorr public key the sender put in the final block.</summary>
    internal byte[]? LinkVerificationKey { get; set; }

    /// <summary>Data-phase keys, derived when the link is established.</summary>
    internal Data.DataKeys? Keys { get; set; }

    /// <summary>Highest sequence number accepted in each direction (packets must increase: replay protection).</summary>
    internal ulong LastForwardSequence { get; set; }
    internal ulong LastBackwardSequence { get; set; }

    /// <summary>Wipes the link's secrets.</summary>
    public void Dispose()
    {
        Secrets.Dispose();
        Keys?.Dispose();
        CryptographicOperations.ZeroMemory(_dataKey);
    }
}
