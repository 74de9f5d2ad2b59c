using Engine.Revocation.Wire;

namespace Engine.Revocation.Roles;

/// <summary>
/// A Protocol 4 server role (authority, source CSP, accepting CSP): one request in, one answer out, either on the
/// calling thread (<see cref="Process"/>, for callers that batch themselves) or with the expensive step queued to the
/// host's batch scheduler (<see cref="ProcessAsync"/>).
/// </summary>
public interface IRevocationRole
{
    /// <summary>Answers one request synchronously: its status, the answer's type and payload.</summary>
    (EngineStatus Status, RevocationMessageType Type, byte[] Payload) Process(RevocationMessageType type, ReadOnlySpan<byte> request);

    /// <summary>Answers one request: its status, the answer's type and payload (an <see cref="RevocationMessageType.Error"/> on refusal).</summary>
    ValueTask<(EngineStatus Status, RevocationMessageType Type, byte[] Payload)> ProcessAsync(RevocationMessageType type, ReadOnlyMemory<byte> request, CancellationToken cancellationToken = default);
}

/// <summary>A request–response connection to a Protocol 4 server: in process or over TCP. One request at a time.</summary>
public interface IRevocationConnection : IAsyncDisposable
{
    /// <summary>Sends one request and returns the answer frame.</summary>
    Task<(RevocationMessageType Type, byte[] Payload)> RequestAsync(RevocationMessageType type, byte[] payload, CancellationToken cancellationToken = default);
}

/// <summary>Shared request plumbing of the roles.</summary>
internal static class RoleReplies
{
    public static (EngineStatus, RevocationMessageType, byte[]) Refuse(EngineStatus status, string reason) => (status, RevocationMessageType.Error, RevocationWire.Error(status, reason));

    public static (EngineStatus, RevocationMessageType, byte[]) Answer(RevocationMessageType request, byte[] payload) => (EngineStatus.Ok, (RevocationMessageType)((byte)request | 0x80), payload);

    /// <summary>Throws the refusal an answer carries, or returns its payload.</summary>
    public static byte[] Expect(RevocationMessageType request, (RevocationMessageType Type, byte[] Payload) answer)
    {
        if (answer.Type == (RevocationMessageType)((byte)request | 0x80)) return answer.Payload;
        (EngineStatus status, string? reason) = answer.Type == RevocationMessageType.Error ? RevocationWire.ReadError(answer.Payload) : (EngineStatus.Malformed, $"unexpected answer {answer.Type}");
        throw new EngineException(status, $"{request} refused: {reason ?? status.ToString()}");
    }
}
