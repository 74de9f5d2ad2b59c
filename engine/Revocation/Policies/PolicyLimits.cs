namespace Engine.Revocation.Policies;

/// <summary>
/// Bounds on what the parser accepts, checked while parsing so a hostile policy costs at most linear work:
/// text length, attribute leaves (one LSSS row, and one ciphertext row, each), nesting depth and name lengths.
/// </summary>
public sealed record PolicyLimits
{
    /// <summary>The defaults: 64 KiB of text, 1 024 leaves, depth 32, names of up to 255 bytes.</summary>
    public static PolicyLimits Default { get; } = new();

    /// <summary>Most characters of policy text.</summary>
    public int MaxLength { get; init; } = 64 * 1024;

    /// <summary>Most attribute leaves (rows of the LSSS matrix).</summary>
    public int MaxLeaves { get; init; } = 1024;

    /// <summary>Deepest nesting of gates.</summary>
    public int MaxDepth { get; init; } = 32;

    /// <summary>Longest attribute text <c>name@AUTHORITY</c>, in UTF-8 bytes (the wire's name fields).</summary>
    public int MaxAttributeBytes { get; init; } = 255;
}
