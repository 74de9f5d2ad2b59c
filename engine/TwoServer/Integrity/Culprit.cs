namespace Engine.TwoServer.Integrity;

/// <summary>Who deviated, as the evidence of paper §5.3.1 shows it.</summary>
public enum Culprit : byte
{
    /// <summary>Everyone followed the protocol: the message verifies (a false accusation).</summary>
    None = 0,

    /// <summary>The sender uploaded shares that do not reconstruct to a valid record.</summary>
    Sender = 1,

    /// <summary>S1 delivered a share other than the one the sender signed, or cannot show the sender's signature.</summary>
    S1 = 2,

    /// <summary>S2 likewise.</summary>
    S2 = 3,

    /// <summary>The accuser's evidence does not carry valid server signatures: nothing can be concluded against anyone.</summary>
    Unproven = 4,
}
