using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;

namespace Engine.Hosting.Framing;

/// <summary>
/// The client side of the reference servers' framing: one TCP connection, frames sent as they come and frames
/// received queued in order, and a request call that sends one frame and takes the next one received (one request
/// at a time). The protocol clients (<c>OnionTcpClient</c>, <c>KgcClient</c>, <c>TwoServerTcpConnection</c>) sit on it.
/// </summary>
public sealed class FrameConnection : IFrameExchange
{
    private readonly Socket _socket;
    private readonly FrameChannel _channel;
    // Bounded: when the caller stops taking frames, the read loop waits, the socket stops being read, and TCP
    // flow control holds the server back (back-pressure, not an unbounded buffer in the client).
    private readonly Channel<(byte Type, byte[] Payload)> _received = Channel.CreateBounded<(byte, byte[])>(new BoundedChannelOptions(ReceiveQueueFrames) { SingleWriter = true });
    private readonly CancellationTokenSource _stopping = new();
    private readonly SemaphoreSlim _oneAtATime = new(1, 1);
    private readonly Task _loop;

    /// <summary>Frames received and not yet taken before reading from the socket pauses.</summary>
    public const int ReceiveQueueFrames = 256;

    private FrameConnection(Socket socket, int maxFrameBytes)
    {
        _socket = socket;
        var stream = new NetworkStream(socket, ownsSocket: true);
        _channel = new FrameChannel(PipeReader.Create(stream), PipeWriter.Create(stream), maxFrameBytes);
        _loop = _channel.RunAsync((type, payload) => _received.Writer.WriteAsync((type, payload.ToArray())), _stopping.Token)
                        .ContinueWith(_ => _received.Writer.TryComplete(), TaskScheduler.Default);
    }

    /// <summary>Connects (TCP, no Nagle) and starts reading frames of at most <paramref name="maxFrameBytes"/>.</summary>
    public static async Task<FrameConnection> ConnectAsync(IPEndPoint server, int maxFrameBytes, CancellationToken cancellationToken = default)
    {
        var socket = new Socket(server.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try { await socket.ConnectAsync(server, cancellationToken).ConfigureAwait(false); }
        catch { socket.Dispose(); throw; }
        return new FrameConnection(socket, maxFrameBytes);
    }

    /// <summary>Sends one frame.</summary>
    public ValueTask SendAsync(byte type, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default) => _channel.SendAsync(type, payload, cancellationToken);

    /// <summary>The next frame received; <see cref="ChannelClosedException"/> once the connection is gone.</summary>
    public ValueTask<(byte Type, byte[] Payload)> ReceiveAsync(CancellationToken cancellationToken = default) => _received.Reader.ReadAsync(cancellationToken);

    /// <summary>Sends a frame and returns the next one received, one call at a time.</summary>
    public async Task<(byte Type, byte[] Payload)> RequestAsync(byte type, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default)
    {
        await _oneAtATime.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _channel.SendAsync(type, payload, cancellationToken).ConfigureAwait(false);
            return await _received.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _oneAtATime.Release();
        }
    }

    /// <summary>Closes the connection.</summary>
    public async ValueTask DisposeAsync()
    {
        _stopping.Cancel();
        _socket.Dispose();
        try { await _loop.ConfigureAwait(false); } catch (OperationCanceledException) { }
    }
}
