using Engine.TwoServer.Wire;

namespace Engine.TwoServer.Roles;

/// <summary>
/// A user's connection to S1 or S2: what the server said in its Hello (index, challenge, key) and a request →
/// response call. <c>Engine.Hosting.Roles.InProcessConnection</c> calls a <see cref="TwoServerNode"/> through the role contract; the Hosting layer
/// provides one over TCP. One request at a time per connection.
/// </summary>
public interface ITwoServerConnection : IAsyncDisposable
{
    /// <summary>1 for S1, 2 for S2.</summary>
    int ServerIndex { get; }

    /// <summary>The connection's challenge, covered by every signed request.</summary>
    ReadOnlyMemory<byte> Challenge { get; }

    /// <summary>The server's public key as it announced it (check it against the key you trust).</summary>
    ReadOnlyMemory<byte> ServerKey { get; }

    /// <summary>Sends one request and returns the response (type and payload).</summary>
    Task<(TwoServerMessageType Type, byte[] Payload)> RequestAsync(TwoServerMessageType type, byte[] payload, CancellationToken cancellationToken = default);
}
