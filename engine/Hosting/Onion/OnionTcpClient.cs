using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Engine.Hosting.Framing;
using Engine.Onion.Roles;

namespace Engine.Hosting.Onion;

/// <summary>
/// The sender's side of the reference servers: one connection to the first relay (TCP, or a client role's bridged
/// one), over which it sets up links and exchanges data frames. One request at a time per client.
/// </summary>
public sealed class OnionTcpClient : IAsyncDisposable
{
    private readonly IFrameExchange _connection;

    /// <summary>A sender over <paramref name="connection"/> to the first relay.</summary>
    public OnionTcpClient(IFrameExchange connection) => _connection = connection;

    /// <summary>Connects to the first relay.</summary>
    public static async Task<OnionTcpClient> ConnectAsync(IPEndPoint firstRelay, CancellationToken cancellationToken = default)
        => new(await FrameConnection.ConnectAsync(firstRelay, OnionNodeServer.MaxFrameBytes, cancellationToken).ConfigureAwait(false));

    /// <summary>
    /// Sends the link's setup packet and completes the link from the ACK, or returns the relay's refusal
    /// (<see cref="EngineStatus.Unreachable"/> when the relay closed the connection).
    /// </summary>
    public async Task<EngineStatus> EstablishAsync(ClientLink link, CancellationToken cancellationToken = default)
    {
        (EngineStatus status, byte type, byte[] payload) = await ExchangeAsync(OnionFrameType.Setup, link.Packet, cancellationToken).ConfigureAwait(false);
        if (status != EngineStatus.Ok) return status;
        return type switch
        {
            (byte)OnionFrameType.Ack => link.Complete(payload),
            (byte)OnionFrameType.Error => Frame.ErrorStatus(payload),
            _ => EngineStatus.UnknownMessageType,
        };
    }

    /// <summary>Sends a message over the link and waits for the destination's answer (statuses as for <see cref="EstablishAsync"/>).</summary>
    public async Task<(EngineStatus Status, byte[]? Reply)> RequestAsync(ClientLink link, byte[] message, bool reencryptPerHop = false,
                                                                           CancellationToken cancellationToken = default)
    {
        byte[] packet = link.SealForward(message, DateTimeOffset.UtcNow.AddMinutes(1), reencryptPerHop);
        (EngineStatus sent, byte type, byte[] payload) = await ExchangeAsync(OnionFrameType.Data, packet, cancellationToken).ConfigureAwait(false);
        if (sent != EngineStatus.Ok) return (sent, null);
        if (type == (byte)OnionFrameType.Error) return (Frame.ErrorStatus(payload), null);
        if (type != (byte)OnionFrameType.Backward) return (EngineStatus.UnknownMessageType, null);
        EngineStatus status = link.OpenBackward(payload, DateTimeOffset.UtcNow, out byte[]? reply);
        return (status, reply);
    }

    /// <summary>One frame out and the next one in; a connection the relay closed (or never accepted) is Unreachable, not an exception.</summary>
    private async Task<(EngineStatus, byte, byte[])> ExchangeAsync(OnionFrameType type, byte[] packet, CancellationToken cancellationToken)
    {
        try
        {
            (byte answerType, byte[] payload) = await _connection.RequestAsync((byte)type, packet, cancellationToken).ConfigureAwait(false);
            return (EngineStatus.Ok, answerType, payload);
        }
        catch (Exception e) when (e is ChannelClosedException or IOException or SocketException or ObjectDisposedException)
        {
            return (EngineStatus.Unreachable, 0, []);
        }
    }

    /// <summary>Sends raw bytes as one frame (tests of hostile input).</summary>
    internal ValueTask SendRawAsync(OnionFrameType type, byte[] payload) => ((FrameConnection)_connection).SendAsync((byte)type, payload);

    /// <summary>The next frame received (tests).</summary>
    internal ValueTask<(byte Type, byte[] Payload)> ReceiveRawAsync(CancellationToken cancellationToken) => ((FrameConnection)_connection).ReceiveAsync(cancellationToken);

    /// <summary>Closes the connection.</summary>
    public ValueTask DisposeAsync() => _connection.DisposeAsync();
}
