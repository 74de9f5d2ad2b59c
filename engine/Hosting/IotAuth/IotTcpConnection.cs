using System.Net;
using Engine.Hosting.Framing;
using Engine.IotAuth.Roles;
using Engine.IotAuth.Wire;

namespace Engine.Hosting.IotAuth;

/// <summary>A TCP connection to an <see cref="IotServer"/>: reads the OC's hello when one is expected, then one request at a time.</summary>
public sealed class IotTcpConnection : IIotConnection
{
    private readonly FrameConnection _connection;

    private IotTcpConnection(FrameConnection connection, byte[] hello)
    {
        _connection = connection;
        Hello = hello;
    }

    /// <inheritdoc/>
    public ReadOnlyMemory<byte> Hello { get; }

    /// <summary>Every answer must arrive within this long (default 30 s); a silent server raises <see cref="TimeoutException"/>.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Connects; with <paramref name="expectHello"/> (an OC) waits for its hello first.</summary>
    /// <exception cref="EngineException">The server's first frame is not a hello.</exception>
    public static async Task<IotTcpConnection> ConnectAsync(IPEndPoint server, bool expectHello, CancellationToken cancellationToken = default)
    {
        FrameConnection connection = await FrameConnection.ConnectAsync(server, IotServer.MaxFrameBytes, cancellationToken).ConfigureAwait(false);
        if (!expectHello) return new IotTcpConnection(connection, []);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(10));
            (byte type, byte[] payload) = await connection.ReceiveAsync(timeout.Token).ConfigureAwait(false);
            if (type != (byte)IotMessageType.Hello) throw new EngineException(EngineStatus.Malformed, $"{server} did not greet like an operation centre.");
            return new IotTcpConnection(connection, payload);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <inheritdoc/>
    public async Task<(IotMessageType Type, byte[] Payload)> RequestAsync(IotMessageType type, byte[] payload, CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            (byte responseType, byte[] response) = await _connection.RequestAsync((byte)type, payload, timeout.Token).ConfigureAwait(false);
            return ((IotMessageType)responseType, response);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // A late answer would be taken for the next request's: the connection is done.
            await _connection.DisposeAsync().ConfigureAwait(false);
            throw new TimeoutException($"no answer to {type} within {Timeout.TotalSeconds:0} s");
        }
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => _connection.DisposeAsync();
}
