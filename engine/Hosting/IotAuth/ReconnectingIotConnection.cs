using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Engine.IotAuth.Roles;
using Engine.IotAuth.Wire;

namespace Engine.Hosting.IotAuth;

/// <summary>
/// A connection that (re)connects on demand: the operation centre's link to the cloud server, which must survive the
/// CS restarting. A request that fails on the wire drops the connection and raises the error; the next request
/// connects again.
/// </summary>
public sealed class ReconnectingIotConnection(IPEndPoint server, bool expectHello) : IIotConnection
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private IotTcpConnection? _connection;

    /// <inheritdoc/>
    public ReadOnlyMemory<byte> Hello => _connection?.Hello ?? ReadOnlyMemory<byte>.Empty;

    /// <inheritdoc/>
    public async Task<(IotMessageType Type, byte[] Payload)> RequestAsync(IotMessageType type, byte[] payload, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            _connection ??= await IotTcpConnection.ConnectAsync(server, expectHello, cancellationToken).ConfigureAwait(false);
            try
            {
                return await _connection.RequestAsync(type, payload, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or SocketException or ChannelClosedException or TimeoutException)
            {
                await _connection.DisposeAsync().ConfigureAwait(false);
                _connection = null;
                throw;
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (_connection is not null) await _connection.DisposeAsync().ConfigureAwait(false);
    }
}
