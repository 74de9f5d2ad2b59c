using Engine.IotAuth.Wire;

namespace Engine.IotAuth.Roles;

/// <summary>
/// A request–response connection to a Protocol 3 server: in process (<see cref="InProcessIotConnection"/>) or over
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

    /// <summary>Answers one request: its status, the response type and payload (an <see cref="IotMessageType.Error"/> on refusal).</summary>
    ValueTask<(EngineStatus Status, IotMessageType Type, byte[] Payload)> ProcessAsync(IotMessageType type, ReadOnlyMemory<byte> request, CancellationToken cancellationToken = default);
}

/// <summary>A connection to a role in the same process (tests, the in-process parts of the simulation).</summary>
public sealed class InProcessIotConnection(IIotServerRole role) : IIotConnection
{
    /// <inheritdoc/>
    public ReadOnlyMemory<byte> Hello => role.Hello();

    /// <inheritdoc/>
    public async Task<(IotMessageType Type, byte[] Payload)> RequestAsync(IotMessageType type, byte[] payload, CancellationToken cancellationToken = default)
    {
        (_, IotMessageType t, byte[] p) = await role.ProcessAsync(type, payload, cancellationToken).ConfigureAwait(false);
        return (t, p);
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
