using System.Buffers;
using Engine.IotAuth.Wire;

namespace Engine.IotAuth.Roles;

/// <summary>
/// A request–response connection to a Protocol 3 server: in process (<c>Engine.Hosting.Roles.InProcessIotConnection</c>) or over
/// TCP (<c>Engine.Hosting.IotAuth.IotTcpConnection</c>). One request at a time per connection.
/// </summary>
public interface IIotConnection : IAsyncDisposable
{
    /// <summary>The server's greeting (the OC's <see cref="IotMessageType.Hello"/>; empty for the CS).</summary>
    ReadOnlyMemory<byte> Hello { get; }

    /// <summary>Sends one request and returns the answer frame.</summary>
    Task<(IotMessageType Type, byte[] Payload)> RequestAsync(IotMessageType type, byte[] payload, CancellationToken cancellationToken = default);
}

/// <summary>A server role that answers requests (what the frame servers and in-process connections call).</summary>
public interface IIotServerRole
{
    /// <summary>What a new connection receives first (empty for none).</summary>
    byte[] Hello();

    /// <summary>
    /// Answers one request: writes the answer's payload (an <see cref="IotMessageType.Error"/> on refusal) into
    /// <paramref name="response"/> and returns its status and type. Nothing is written before every check passed, so
    /// a refusal leaves just the Error payload.
    /// </summary>
    ValueTask<(EngineStatus Status, IotMessageType Type)> ProcessAsync(IotMessageType type, ReadOnlyMemory<byte> request, IBufferWriter<byte> response,
                                                                    CancellationToken cancellationToken = default);
}

/// <summary>The array-returning form of <see cref="IIotServerRole.ProcessAsync"/>, for tests and tools.</summary>
public static class IotServerRoleExtensions
{
    /// <summary>Answers one request: its status, the response type and payload (an <see cref="IotMessageType.Error"/> on refusal).</summary>
    public static async ValueTask<(EngineStatus Status, IotMessageType Type, byte[] Payload)> ProcessAsync(this IIotServerRole role, IotMessageType type, ReadOnlyMemory<byte> request,
                                                                                                     CancellationToken cancellationToken = default)
    {
        var response = new ArrayBufferWriter<byte>();
        (EngineStatus status, IotMessageType answer) = await role.ProcessAsync(type, request, response, cancellationToken).ConfigureAwait(false);
        return (status, answer, response.WrittenSpan.ToArray());
    }
}
