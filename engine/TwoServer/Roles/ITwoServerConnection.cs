using Engine.TwoServer.Wire;

namespace Engine.TwoServer.Roles;

/// <summary>
/// A user's connection to S1 or S2: what the server said in its Hello (index, challenge, key) and a request →
/// response call. <see cref="InProcessConnection"/> calls a <see cref="TwoServerNode"/> directly; the Hosting layer
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

/// <summary>A connection that calls the node in this process (tests, the in-process simulation).</summary>
public sealed class InProcessConnection : ITwoServerConnection
{
    private readonly TwoServerNode _node;
    private readonly byte[] _challenge = TwoServerNode.NewChallenge();

    /// <summary>A connection to <paramref name="node"/>.</summary>
    public InProcessConnection(TwoServerNode node) => _node = node;

    /// <inheritdoc/>
    public int ServerIndex => _node.ServerIndex;

    /// <inheritdoc/>
    public ReadOnlyMemory<byte> Challenge => _challenge;

    /// <inheritdoc/>
    public ReadOnlyMemory<byte> ServerKey => _node.PublicKey.ToArray();

    /// <inheritdoc/>
    public async Task<(TwoServerMessageType Type, byte[] Payload)> RequestAsync(TwoServerMessageType type, byte[] payload, CancellationToken cancellationToken = default)
    {
        (_, TwoServerMessageType responseType, byte[] response) = await _node.ProcessAsync(type, payload, _challenge).ConfigureAwait(false);
        return (responseType, response);
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
