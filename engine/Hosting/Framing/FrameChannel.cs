using System.Buffers;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Threading.Channels;
using Microsoft.AspNetCore.Connections;

namespace Engine.Hosting.Framing;

/// <summary>
/// One framed connection (either side): a read loop that hands each frame to a callback under the
/// <see cref="ConnectionLimits"/> timeouts, and serialized writes (several threads may answer on one connection).
/// </summary>
/// <remarks>
/// Two ways to send. A server's channel (<see cref="Accept"/>, or <see cref="FrameChannelOptions.QueueSends"/>)
/// copies each frame into a bounded per-peer queue and returns at once; one writer drains it, and a peer that lets
/// the queue fill or a write wait past <see cref="ConnectionLimits.WriteTimeout"/> is dropped, so one client that
/// never reads cannot hold up the others. A client's channel writes in the caller's turn, up to the write timeout.
/// </remarks>
public sealed class FrameChannel
{
    private readonly PipeReader _reader;
    private readonly PipeWriter _writer;
    private readonly int _maxFrameBytes;
    private readonly FrameChannelOptions _options;
    private readonly ConnectionLimits _limits;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly Channel<QueuedFrame>? _queue;
    private readonly Task? _writeLoop;
    private CancellationTokenSource _writeTimeout = new();
    private long _queuedBytes;
    private int _dropped;

    private readonly record struct QueuedFrame(byte[] Buffer, int Length);

    // Frames written to the pipe between two flushes (one flush per burst, not per frame).
    private const int FlushBatchBytes = 64 << 10;

    /// <summary>Wraps a duplex pipe; frames read are at most <paramref name="maxFrameBytes"/> of payload.</summary>
    public FrameChannel(PipeReader reader, PipeWriter writer, int maxFrameBytes, FrameChannelOptions? options = null)
    {
        _reader = reader;
        _writer = writer;
        _maxFrameBytes = maxFrameBytes;
        _options = options ?? FrameChannelOptions.Client;
        _limits = _options.Limits;
        if (_options.QueueSends)
        {
            _queue = Channel.CreateUnbounded<QueuedFrame>(new UnboundedChannelOptions { SingleReader = true });
            _writeLoop = WriteLoopAsync();
        }
    }

    /// <summary>A server's channel for an accepted Kestrel connection: queued sends, idle timeout, counted closes.</summary>
    public static FrameChannel Accept(ConnectionContext connection, int maxFrameBytes, ConnectionLimits limits, ConnectionCounters? counters)
        => new(connection.Transport.Input, connection.Transport.Output, maxFrameBytes,
               new FrameChannelOptions { Limits = limits, QueueSends = true, CloseWhenIdle = true, Abort = connection.Abort, Counters = counters });

    /// <summary>True once the peer was dropped (slow reader or write timeout); later sends are discarded.</summary>
    public bool Dropped => Volatile.Read(ref _dropped) != 0;

    /// <summary>
    /// Sends one frame. On a queued channel this returns once the frame is queued (or discarded, the peer dropped,
    /// when the queue is full); on a client channel once it is written, or throws <see cref="IOException"/> when
    /// the peer did not read within the write timeout.
    /// </summary>
    public ValueTask SendAsync(byte type, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default)
    {
        if (_queue is null) return SendNowAsync(type, payload, cancellationToken);
        if (Dropped) return default;
        int length = Frame.HeaderSize + payload.Length;
        long queued = Interlocked.Add(ref _queuedBytes, length);
        if (queued > _limits.SendQueueBytes && queued > length)                 // one frame of any legal size always fits an empty queue
        {
            Interlocked.Add(ref _queuedBytes, -length);
            Drop();
            return default;
        }
        byte[] buffer = ArrayPool<byte>.Shared.Rent(length);
        Frame.Write(buffer, type, payload.Span);
        if (!_queue.Writer.TryWrite(new QueuedFrame(buffer, length)))
        {
            Interlocked.Add(ref _queuedBytes, -length);
            Release(buffer, length);                                             // the connection is closing
        }
        return default;
    }

    private async ValueTask SendNowAsync(byte type, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            Frame.Write(_writer, type, payload.Span);
            if (!await FlushWithinTimeoutAsync(cancellationToken).ConfigureAwait(false))
                throw new IOException($"The peer did not read within {_limits.WriteTimeout.TotalSeconds:0.#} s; the connection was closed.");
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private async Task WriteLoopAsync()
    {
        ChannelReader<QueuedFrame> queue = _queue!.Reader;
        try
        {
            while (await queue.WaitToReadAsync().ConfigureAwait(false))
            {
                // A frame counts against the queue until its flush completes: bytes moved into the pipe but not yet
                // taken by the peer are still queued for it.
                long unflushed = 0;
                while (unflushed < FlushBatchBytes && queue.TryRead(out QueuedFrame frame))
                {
                    if (!Dropped) _writer.Write(frame.Buffer.AsSpan(0, frame.Length));
                    unflushed += frame.Length;
                    Release(frame.Buffer, frame.Length);
                }
                bool flushed = Dropped || await FlushWithinTimeoutAsync(CancellationToken.None).ConfigureAwait(false);
                Interlocked.Add(ref _queuedBytes, -unflushed);
                if (!flushed) return;
            }
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or ObjectDisposedException)
        {
            Drop(counted: false);                                                // the connection is gone: nothing to count
        }
        finally
        {
            while (queue.TryRead(out QueuedFrame frame)) Release(frame.Buffer, frame.Length);
        }
    }

    /// <summary>Flushes, waiting at most the write timeout; false (and the peer dropped) when it passed.</summary>
    private async ValueTask<bool> FlushWithinTimeoutAsync(CancellationToken cancellationToken)
    {
        CancellationTokenSource timeout = _writeTimeout;
        if (_limits.WriteTimeout != Timeout.InfiniteTimeSpan) timeout.CancelAfter(_limits.WriteTimeout);
        try
        {
            using CancellationTokenRegistration caller = cancellationToken.CanBeCanceled ? cancellationToken.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), timeout) : default;
            FlushResult result = await _writer.FlushAsync(timeout.Token).ConfigureAwait(false);
            return !result.IsCanceled;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            Drop();
            return false;
        }
        finally
        {
            if (!timeout.TryReset()) { _writeTimeout = new CancellationTokenSource(); timeout.Dispose(); }
        }
    }

    private void Drop(bool counted = true)
    {
        if (Interlocked.Exchange(ref _dropped, 1) != 0) return;
        if (counted) _options.Counters?.OnSlowReader();
        _queue?.Writer.TryComplete();
        _options.Abort?.Invoke();
    }

    private static void Release(byte[] buffer, int length)
    {
        buffer.AsSpan(0, length).Clear();
        ArrayPool<byte>.Shared.Return(buffer);
    }

    /// <summary>
    /// Reads frames until the peer closes, a frame is malformed or too large, a timeout passes, or cancellation; each
    /// frame's payload is copied into a pooled buffer that <paramref name="onFrame"/> may rewrite in place and must
    /// not keep after its task completes (the buffer is wiped and returned then). Returns the status that ended the
    /// loop: Ok for a clean close or cancellation, <see cref="EngineStatus.TimedOut"/>,
    /// <see cref="EngineStatus.FrameTooLarge"/> or <see cref="EngineStatus.Malformed"/>. A queued channel's
    /// remaining frames are written (within the write timeout) before this returns.
    /// </summary>
    public async Task<EngineStatus> RunAsync(Func<byte, Memory<byte>, ValueTask> onFrame, CancellationToken cancellationToken)
    {
        EngineStatus ended = EngineStatus.Ok;
        var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        long frameStarted = 0;                                                   // when the partly received frame began; 0: none
        long buffered = 0;
        try
        {
            while (true)
            {
                TimeSpan wait = ReadWait(frameStarted, buffered);
                if (wait == TimeSpan.Zero) { ended = EngineStatus.TimedOut; break; }
                if (wait != Timeout.InfiniteTimeSpan) timeout.CancelAfter(wait);
                ReadResult result;
                try { result = await _reader.ReadAsync(timeout.Token).ConfigureAwait(false); }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested) { ended = EngineStatus.TimedOut; break; }
                if (!timeout.TryReset())
                {
                    timeout.Dispose();
                    timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                }
                ReadOnlySequence<byte> buffer = result.Buffer;
                bool consumedAny = false;
                EngineStatus status;
                while ((status = Frame.TryRead(ref buffer, _maxFrameBytes, out byte type, out ReadOnlySequence<byte> payload)) == EngineStatus.Ok)
                {
                    consumedAny = true;
                    int length = (int)payload.Length;
                    byte[] rented = ArrayPool<byte>.Shared.Rent(length);
                    payload.CopyTo(rented);
                    try { await onFrame(type, rented.AsMemory(0, length)).ConfigureAwait(false); }
                    finally { Release(rented, length); }
                }
                if (status is EngineStatus.FrameTooLarge or EngineStatus.Malformed) { ended = status; break; }
                buffered = buffer.Length;
                if (buffered == 0) frameStarted = 0;
                else if (frameStarted == 0 || consumedAny) frameStarted = Stopwatch.GetTimestamp();
                _reader.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted) break;
            }
        }
        catch (OperationCanceledException) { }
        catch (IOException) { }
        catch (ObjectDisposedException) { }
        finally
        {
            timeout.Dispose();
        }
        _options.Counters?.OnReadEnded(ended);
        if (_queue is not null)
        {
            _queue.Writer.TryComplete();
            await _writeLoop!.ConfigureAwait(false);
        }
        return ended;
    }

    /// <summary>How long the next read may wait: the idle timeout between frames, else what is left of the header or frame timeout.</summary>
    private TimeSpan ReadWait(long frameStarted, long buffered)
    {
        if (frameStarted == 0) return _options.CloseWhenIdle ? _limits.IdleTimeout : Timeout.InfiniteTimeSpan;
        TimeSpan limit = buffered < Frame.HeaderSize ? _limits.HeaderTimeout : _limits.FrameTimeout;
        if (limit == Timeout.InfiniteTimeSpan) return limit;
        TimeSpan left = limit - Stopwatch.GetElapsedTime(frameStarted);
        return left > TimeSpan.Zero ? left : TimeSpan.Zero;
    }
}

/// <summary>How a <see cref="FrameChannel"/> sends and when it gives up on its peer.</summary>
public sealed record FrameChannelOptions
{
    /// <summary>A client's channel: writes in the caller's turn, no idle timeout (a client may wait long for its server).</summary>
    public static FrameChannelOptions Client { get; } = new();

    /// <summary>The timeouts and the send queue's size.</summary>
    public ConnectionLimits Limits { get; init; } = ConnectionLimits.Default;

    /// <summary>Sends go to a bounded queue drained by one writer; a peer that does not read is dropped.</summary>
    public bool QueueSends { get; init; }

    /// <summary>The read loop ends when no frame starts within <see cref="ConnectionLimits.IdleTimeout"/>.</summary>
    public bool CloseWhenIdle { get; init; }

    /// <summary>Closes the transport when the peer is dropped (Kestrel's <c>ConnectionContext.Abort</c>, or a socket's Dispose).</summary>
    public Action? Abort { get; init; }

    /// <summary>Where closes are counted (null: not counted).</summary>
    public ConnectionCounters? Counters { get; init; }
}
