using System.Buffers;
using System.IO.Pipelines;

namespace Engine.Hosting.Framing;

/// <summary>
/// One framed connection (either side): a read loop that hands each frame to a callback, and serialized writes
/// (several threads may answer on the same connection).
/// </summary>
public sealed class FrameChannel
{
    private readonly PipeReader _reader;
    private readonly PipeWriter _writer;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly int _maxFrameBytes;

    /// <summary>Wraps a duplex pipe.</summary>
    public FrameChannel(PipeReader reader, PipeWriter writer, int maxFrameBytes)
    {
        _reader = reader;
        _writer = writer;
        _maxFrameBytes = maxFrameBytes;
    }

    /// <summary>Sends one frame.</summary>
    public async ValueTask SendAsync(byte type, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            Frame.Write(_writer, type, payload.Span);
            await _writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>
    /// Reads frames until the peer closes, a frame is malformed or too large, or cancellation; each frame's payload
    /// is copied into a pooled buffer that <paramref name="onFrame"/> may rewrite in place and must not keep after
    /// its task completes (the buffer is wiped and returned then). Returns the status that ended the loop (Ok for a
    /// clean close).
    /// </summary>
    public async Task<EngineStatus> RunAsync(Func<byte, Memory<byte>, ValueTask> onFrame, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                ReadResult result = await _reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                ReadOnlySequence<byte> buffer = result.Buffer;
                EngineStatus status;
                while ((status = Frame.TryRead(ref buffer, _maxFrameBytes, out byte type, out ReadOnlySequence<byte> payload)) == EngineStatus.Ok)
                {
                    int length = (int)payload.Length;
                    byte[] rented = ArrayPool<byte>.Shared.Rent(length);
                    payload.CopyTo(rented);
                    try { await onFrame(type, rented.AsMemory(0, length)).ConfigureAwait(false); }
                    finally
                    {
                        rented.AsSpan(0, length).Clear();
                        ArrayPool<byte>.Shared.Return(rented);
                    }
                }
                if (status is EngineStatus.FrameTooLarge or EngineStatus.Malformed) return status;
                _reader.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted) return EngineStatus.Ok;
            }
        }
        catch (OperationCanceledException)
        {
            return EngineStatus.Ok;
        }
        catch (IOException)
        {
            return EngineStatus.Ok;
        }
    }
}
