namespace Engine.Onion.Setup;

/// <summary>
/// Sizes of the link-setup packets for a parameter set. Every setup packet has the same size at every hop, and so
/// does every ACK packet (SPEC.md §1.2 [beyond]), so a relay cannot tell its position from sizes.
/// </summary>
/// <remarks>
/// Setup packet: link id (16) ‖ CL block (2E: W ‖ H2(Z) ⊕ enc(Y)) ‖ β (Slots × Block) ‖ γ (32).
/// A routing block: next CL block (2E) ‖ flag (1) ‖ next-hop handle (16) ‖ expiry (8, Unix ms) ‖ next γ (32).
/// ACK packet: link id (16) ‖ Slots × (enc(Y') ‖ MAC (32)). E is the group's element size.
/// </remarks>
public sealed class SetupLayout
{
    /// <summary>Bytes of a link identifier (hop-local, random).</summary>
    public const int LinkIdSize = 16;

    /// <summary>Bytes of a node handle: the first 16 bytes of SHA-256(ID).</summary>
    public const int HandleSize = 16;

    /// <summary>Bytes of an HMAC-SHA256 tag.</summary>
    public const int MacSize = 32;

    /// <summary>Routing slots: the longest path plus the destination.</summary>
    public const int Slots = OnionParameters.MaxPathLength + 1;

    internal SetupLayout(OnionParameters parameters)
    {
        ElementSize = parameters.Group.ElementSizeInBytes;
        ClBlockSize = 2 * ElementSize;
        BlockSize = ClBlockSize + 1 + HandleSize + 8 + MacSize;
        BetaSize = Slots * BlockSize;
        SetupPacketSize = LinkIdSize + ClBlockSize + BetaSize + MacSize;
        AckSlotSize = ElementSize + MacSize;
        AckPacketSize = LinkIdSize + Slots * AckSlotSize;
    }

    /// <summary>E, bytes of a group element.</summary>
    public int ElementSize { get; }

    /// <summary>Bytes of a certificateless block carrying Y.</summary>
    public int ClBlockSize { get; }

    /// <summary>Bytes of one routing block.</summary>
    public int BlockSize { get; }

    /// <summary>Bytes of β.</summary>
    public int BetaSize { get; }

    /// <summary>Bytes of a setup packet.</summary>
    public int SetupPacketSize { get; }

    /// <summary>Bytes of one ACK slot.</summary>
    public int AckSlotSize { get; }

    /// <summary>Bytes of an ACK packet.</summary>
    public int AckPacketSize { get; }
}
