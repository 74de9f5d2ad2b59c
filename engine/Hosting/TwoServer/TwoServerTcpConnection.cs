using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Engine.Hosting.Framing;
using Engine.TwoServer.Roles;
using Engine.TwoServer.Wire;

namespace Engine.Hosting.TwoServer;

/// <summary>A user's TCP connection to a <see cref="TwoServerServer"/>: reads the Hello, then one request at a time.</summary>
public sealed class TwoServerTcpConnection : ITwoServerConnection
{
    private readonly Socket _socket;
    private readonly FrameChannel _channel;
    private readonly Channel<(byte Type, byte[] Payload)> _received = Channel.CreateUnbounded<(byte, byte[])>();
    private readonly CancellationTokenSource _stopping = new();
    private readonly SemaphoreSlim _oneAtATime = new(1, 1);
    private readonly Task _loop;

    private TwoServerTcpConnection(Socket socket)
    {
        _socket = socket;
        var stream = new NetworkStream(socket, ownsSocket: true);
        _channel = new FrameChannel(PipeReader.Create(stream), PipeWriter.Create(stream), TwoServerServer.MaxFrameBytes);
        _loop = _channel.RunAsync((type, payload) => _received.Writer.WriteAsync((type, payload.ToArray())), _stopping.Token)
                        .ContinueWith(_ => _received.Writer.TryComplete(), TaskScheduler.Default);
    }

    /// <inheritdoc/>
    public int ServerIndex { get; private set; }

    /// <inheritdoc/>
    public ReadOnlyMemory<byte> Challenge { get; private set; }

    /// <inheritdoc/>
    public ReadOnlyMemory<byte> ServerKey { get; private set; }

    /// <summary>Connects and reads the server's Hello; <see cref="EngineException"/> if it is not a well-formed Hello.</summary>
    public static async Task<TwoServerTcpConnection> ConnectAsync(IPEndPoint server, CancellationToken cancellationToken = default)
    {
        var socket = new Socket(server.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(server, cancellationToken).ConfigureAwait(false);
        var connection = new TwoServerTcpConnection(socket);
        (byte type, byte[] payload) = await connection._received.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        var reader = new TwoServerWire.Reader(payload);
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
        await _oneAtATime.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _channel.SendAsync((byte)type, payload, cancellationToken).ConfigureAwait(false);
            (byte responseType, byte[] response) = await _received.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            return ((TwoServerMessageType)responseType, response);
        }
        finally
        {
            _oneAtATime.Release();
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        _stopping.Cancel();
        _socket.Dispose();
        try { await _loop.ConfigureAwait(false); } catch (OperationCanceledException) { }
    }
}
