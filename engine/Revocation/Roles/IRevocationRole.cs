using System.Buffers;
using Engine.Primitives.Wire;
using Engine.Revocation.Wire;

namespace Engine.Revocation.Roles;

/// <summary>
/// A Protocol 4 server role (authority, source CSP, accepting CSP): one request in, one answer out, either on the
/// calling thread (<see cref="Process"/>, for callers that batch themselves) or with the expensive step queued to the
/// host's batch scheduler (<see cref="ProcessAsync"/>).
/// </summary>
/// <remarks>
/// Both calls write the answer's payload (an <see cref="RevocationMessageType.Error"/> on refusal) into the caller's
/// <see cref="IBufferWriter{T}"/> and return its status and type; nothing is written before every check has passed.
/// </remarks>
public interface IRevocationRole
{
    /// <summary>Answers one request synchronously, the answer written into <paramref name="response"/>.</summary>
    (EngineStatus Status, RevocationMessageType Type) Process(RevocationMessageType type, ReadOnlySpan<byte> request, IBufferWriter<byte> response);

    /// <summary>Answers one request, its expensive step batched where the role can; the answer written into <paramref name="response"/>.</summary>
    ValueTask<(EngineStatus Status, RevocationMessageType Type)> ProcessAsync(RevocationMessageType type, ReadOnlyMemory<byte> request, IBufferWriter<byte> response,
                                                                           CancellationToken cancellationToken = default);
}

/// <summary>The array-returning forms of <see cref="IRevocationRole"/>'s calls, for tests and tools.</summary>
public static class RevocationRoleExtensions
{
    /// <summary>Answers one request synchronously: its status, the answer's type and payload.</summary>
    public static (EngineStatus Status, RevocationMessageType Type, byte[] Payload) Process(this IRevocationRole role, RevocationMessageType type, ReadOnlySpan<byte> request)
    {
        var response = new ArrayBufferWriter<byte>();
        (EngineStatus status, RevocationMessageType answer) = role.Process(type, request, response);
        return (status, answer, response.WrittenSpan.ToArray());
    }

    /// <summary>Answers one request: its status, the answer's type and payload (an <see cref="RevocationMessageType.Error"/> on refusal).</summary>
    public static async ValueTask<(EngineStatus Status, RevocationMessageType Type, byte[] Payload)> ProcessAsync(this IRevocationRole role, RevocationMessageType type, ReadOnlyMemory<byte> request,
                                                                                                          CancellationToken cancellationToken = default)
    {
        var response = new ArrayBufferWriter<byte>();
        (EngineStatus status, RevocationMessageType answer) = await role.ProcessAsync(type, request, response, cancellationToken).ConfigureAwait(false);
        return (status, answer, response.WrittenSpan.ToArray());
    }
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
    /// <summary>A refusal: its Error payload is written by <see cref="Complete"/>.</summary>
    public static (EngineStatus, RevocationMessageType, string?) Refuse(EngineStatus status, string reason) => (status, RevocationMessageType.Error, reason);

    /// <summary>The answer to <paramref name="request"/>, whose payload is already in the response.</summary>
    public static (EngineStatus, RevocationMessageType, string?) Answered(RevocationMessageType request) => (EngineStatus.Ok, (RevocationMessageType)((byte)request | 0x80), null);

    /// <summary>Moves the pooled <paramref name="payload"/> writer into the response: the answer to <paramref name="request"/>.</summary>
    public static (EngineStatus, RevocationMessageType, string?) Answer(RevocationMessageType request, WireWriter payload, IBufferWriter<byte> response)
    {
        payload.MoveTo(response);
        return Answered(request);
    }

    /// <summary>Writes the refusal's Error payload (an answer's payload is already written) and returns status and type.</summary>
    public static (EngineStatus Status, RevocationMessageType Type) Complete((EngineStatus Status, RevocationMessageType Type, string? Reason) reply, IBufferWriter<byte> response)
    {
        if (reply.Status != EngineStatus.Ok) RevocationWire.Error(reply.Status, reply.Reason, response);
        return (reply.Status, reply.Type);
    }

    /// <summary>Throws the refusal an answer carries, or returns its payload.</summary>
    public static byte[] Expect(RevocationMessageType request, (RevocationMessageType Type, byte[] Payload) answer)
    {
        if (answer.Type == (RevocationMessageType)((byte)request | 0x80)) return answer.Payload;
        (EngineStatus status, string? reason) = answer.Type == RevocationMessageType.Error ? RevocationWire.ReadError(answer.Payload) : (EngineStatus.Malformed, $"unexpected answer {answer.Type}");
        throw new EngineException(status, $"{request} refused: {reason ?? status.ToString()}");
    }
}
