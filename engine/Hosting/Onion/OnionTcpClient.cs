using System.Net;
using Engine.Hosting.Framing;
using Engine.Onion.Roles;

namespace Engine.Hosting.Onion;

/// <summary>
/// The sender's side of the reference servers: one TCP connection to the first relay, over which it sets up
/// links and exchanges data frames. One request at a time per client (requests and answers are matched in order).
/// </summary>
public sealed class OnionTcpClient : IAsyncDisposable
{
    private readonly FrameConnection _connection;

    private OnionTcpClient(FrameConnection connection) => _connection = connection;

    /// <summary>Connects to the first relay.</summary>
    public static async Task<OnionTcpClient> ConnectAsync(IPEndPoint firstRelay, CancellationToken cancellationToken = default)
        => new(await FrameConnection.ConnectAsync(firstRelay, OnionNodeServer.MaxFrameBytes, cancellationToken).ConfigureAwait(false));

    /// <summary>Sends the link's setup packet and completes the link from the ACK (or returns the relay's refusal).</summary>
    public async Task<EngineStatus> EstablishAsync(ClientLink link, CancellationToken cancellationToken = default)
    {
        await _connection.SendAsync((byte)OnionFrameType.Setup, link.Packet, cancellationToken).ConfigureAwait(false);
        (byte type, byte[] payload) = await _connection.ReceiveAsync(cancellationToken).ConfigureAwait(false);
        return type switch
        {
            (byte)OnionFrameType.Ack => link.Complete(payload),
            (byte)OnionFrameType.Error => (EngineStatus)payload[0],
            _ => EngineStatus.UnknownMessageType,
        };
    }

    /// <summary>Sends a message over the link and waits for the destination's answer.</summary>
    public async Task<(EngineStatus Status, byte[]? Reply)> RequestAsync(ClientLink link, byte[] message, bool reencryptPerHop = false,
                                                                           CancellationToken cancellationToken = default)
    {
        byte[] packet = link.SealForward(message, DateTimeOffset.UtcNow.AddMinutes(1), reencryptPerHop);
        await _connection.SendAsync((byte)OnionFrameType.Data, packet, cancellationToken).ConfigureAwait(false);
        (byte type, byte[] payload) = await _connection.ReceiveAsync(cancellationToken).ConfigureAwait(false);
        if (type == (byte)OnionFrameType.Error) return ((EngineStatus)payload[0], null);
        if (type != (byte)OnionFrameType.Backward) return (EngineStatus.UnknownMessageType, null);
        EngineStatus status = link.OpenBackward(payload, DateTimeOffset.UtcNow, out byte[]? reply);
        return (status, reply);
    }

    /// <summary>Sends raw bytes as one frame (tests of hostile input).</summary>
    internal ValueTask SendRawAsync(OnionFrameType type, byte[] payload) => _connection.SendAsync((byte)type, payload);

    /// <summary>The next frame received (tests).</summary>
    internal ValueTask<(byte Type, byte[] Payload)> ReceiveRawAsync(CancellationToken cancellationToken) => _connection.ReceiveAsync(cancellationToken);

    /// <summary>Closes the connection.</summary>
    public ValueTask DisposeAsync() => _connection.DisposeAsync();
}
