namespace Engine.TwoServer.Content;

/// <summary>What a real record's payload carries (its first byte).</summary>
public enum ContentKind : byte
{
    /// <summary>Application data (possibly one fragment of a longer message).</summary>
    Data = 1,

    /// <summary>A dial request: the caller's g^x (paper §5.3).</summary>
    DialRequest = 2,

    /// <summary>A dial answer: the callee's g^y.</summary>
    DialAnswer = 3,
}
