using System.Net;
using Engine.Hosting.Framing;
using Engine.TwoServer.Roles;
using Engine.TwoServer.Wire;

namespace Engine.Hosting.TwoServer;

/// <summary>A user's TCP connection to a <see cref="TwoServerServer"/>: reads the Hello, then one request at a time.</summary>
public sealed class TwoServerTcpConnection : ITwoServerConnection
{
    private readonly FrameConnection _connection;

    private TwoServerTcpConnection(FrameConnection connection) => _connection = connection;

    /// <inheritdoc/>
    public int ServerIndex { get; private set; }

    /// <inheritdoc/>
    public ReadOnlyMemory<byte> Challenge { get; private set; }

    /// <inheritdoc/>
    public ReadOnlyMemory<byte> ServerKey { get; private set; }

    /// <summary>Connects and reads the server's Hello; <see cref="EngineException"/> if it is not a well-formed Hello.</summary>
    public static async Task<TwoServerTcpConnection> ConnectAsync(IPEndPoint server, CancellationToken cancellationToken = default)
    {
        var connection = new TwoServerTcpConnection(await FrameConnection.ConnectAsync(server, TwoServerServer.MaxFrameBytes, cancellationToken).ConfigureAwait(false));
        (byte type, byte[] payload) = await connection._connection.ReceiveAsync(cancellationToken).ConfigureAwait(false);
        var reader = TwoServerWire.Reader(payload);
        int index = reader.Byte();
        byte[] challenge = reader.Fixed(TwoServerWire.ChallengeSize).ToArray();
        byte[] key = reader.Blob(512).ToArray();
        if (type != (byte)TwoServerMessageType.Hello || !reader.AtEndOk || index is not (1 or 2))
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw new EngineException(EngineStatus.Malformed, $"{server} did not greet like a two-server node.");
        }
        (connection.ServerIndex, connection.Challenge, connection.ServerKey) = (index, challenge, key);
        return connection;
    }

    /// <inheritdoc/>
    public async Task<(TwoServerMessageType Type, byte[] Payload)> RequestAsync(TwoServerMessageType type, byte[] payload, CancellationToken cancellationToken = default)
    {
        (byte responseType, byte[] response) = await _connection.RequestAsync((byte)type, payload, cancellationToken).ConfigureAwait(false);
        return ((TwoServerMessageType)responseType, response);
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => _connection.DisposeAsync();
}
