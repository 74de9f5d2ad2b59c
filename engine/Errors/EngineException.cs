using System.Security.Cryptography;

namespace Engine;

/// <summary>The exception thrown by the engine's throwing convenience overloads; carries the <see cref="EngineStatus"/>.</summary>
public sealed class EngineException : CryptographicException
{
    /// <summary>Creates the exception for a failed operation.</summary>
    public EngineException(EngineStatus status) : base($"Engine operation failed: {status}.") => Status = status;

    /// <summary>Creates the exception with a message that says what was refused.</summary>
    public EngineException(EngineStatus status, string message) : base(message) => Status = status;

    /// <summary>Why the operation failed.</summary>
    public EngineStatus Status { get; }
}
