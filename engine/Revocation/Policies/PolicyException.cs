namespace Engine.Revocation.Policies;

/// <summary>A policy that does not parse or breaks a limit: says where (a 0-based character offset) and what was expected.</summary>
public sealed class PolicyException : FormatException
{
    /// <summary>Creates the error for <paramref name="position"/> in the policy text.</summary>
    public PolicyException(int position, string problem, string? expected = null)
        : base(expected is null ? $"Policy error at {position}: {problem}." : $"Policy error at {position}: {problem}; expected {expected}.")
    {
        Position = position;
        Problem = problem;
        Expected = expected;
    }

    /// <summary>0-based offset into the policy text where the problem was found.</summary>
    public int Position { get; }

    /// <summary>What is wrong.</summary>
    public string Problem { get; }

    /// <summary>What would have been accepted there, if one thing would.</summary>
    public string? Expected { get; }
}
