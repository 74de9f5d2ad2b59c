using System.Net;
using Engine.Hosting.Framing;
using Engine.Revocation.Roles;
using Engine.Revocation.Wire;

namespace Engine.Hosting.Revocation;

/// <summary>A TCP connection to a <see cref="RevocationServer"/>, one request at a time, reconnecting after a failure.</summary>
public sealed class RevocationTcpConnection(IPEndPoint server) : IRevocationConnection
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private FrameConnection? _connection;

    /// <summary>The server.</summary>
    public IPEndPoint Server { get; } = server;

    /// <summary>Every answer must arrive within this long (default 60 s: an accepting CSP's sync runs the update job).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <inheritdoc/>
    public async Task<(RevocationMessageType Type, byte[] Payload)> RequestAsync(RevocationMessageType type, byte[] payload, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            _connection ??= await FrameConnection.ConnectAsync(Server, RevocationServer.MaxFrameBytes, cancellationToken).ConfigureAwait(false);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(Timeout);
            try
            {
                (byte responseType, byte[] response) = await _connection.RequestAsync((byte)type, payload, timeout.Token).ConfigureAwait(false);
                return ((RevocationMessageType)responseType, response);
            }
            catch (Exception e) when (e is OperationCanceledException or System.Threading.Channels.ChannelClosedException or IOException or System.Net.Sockets.SocketException)
            {
                // A late answer would be taken for the next request's, and a closed connection is gone: start afresh next time.
                await _connection.DisposeAsync().ConfigureAwait(false);
                _connection = null;
                if (e is OperationCanceledException && !cancellationToken.IsCancellationRequested) throw new TimeoutException($"no answer to {type} from {Server} within {Timeout.TotalSeconds:0} s");
                if (e is OperationCanceledException) throw;
                throw new EngineException(EngineStatus.Unreachable, $"{Server} closed the connection: {e.Message}");
            }
        }
        finally { _gate.Release(); }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (_connection is not null) await _connection.DisposeAsync().ConfigureAwait(false);
        _gate.Dispose();
    }
}
