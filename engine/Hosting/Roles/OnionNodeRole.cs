using System.Buffers;
using Engine.Hosting.Framing;
using Engine.Onion.Roles;

namespace Engine.Hosting.Roles;

/// <summary>
/// Protocol 1's relay or destination (<see cref="OnionNode"/>) under the role contract. Request types are
/// <see cref="OnionFrameType"/> (Setup, Ack, Data, Backward); the connection's <see cref="RoleConnection.Peer"/> is the
/// previous hop. The reply's type is the frame to send and <see cref="RoleReply.Route"/> where to send it (a node's
/// handle, or the previous hop); a message delivered at the destination comes back as a Data reply with no route.
/// A refusal is an Error reply of one status byte.
/// </summary>
public sealed class OnionNodeRole(OnionNode node, TimeProvider? clock = null) : IEngineRole
{
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    /// <summary>The node.</summary>
    public OnionNode Node { get; } = node;

    /// <inheritdoc/>
    public string Name => "onion/" + Node.Handle;

    /// <inheritdoc/>
    public byte Open(RoleConnection connection, IBufferWriter<byte> greeting) => 0;

    /// <inheritdoc/>
    public RoleReply Process(RoleConnection connection, byte type, ReadOnlySpan<byte> request, IBufferWriter<byte> response)
    {
        DateTimeOffset now = _clock.GetUtcNow();
        EngineStatus status;
        Outgoing outgoing = default;
        byte[]? delivered = null;
        switch ((OnionFrameType)type)
        {
            case OnionFrameType.Setup: status = Node.ProcessSetup(request, connection.Peer, now, out outgoing); break;
            case OnionFrameType.Ack: status = Node.ProcessAck(request, now, out outgoing); break;
            case OnionFrameType.Data: status = Node.ProcessData(request, now, out outgoing, out delivered); break;
            case OnionFrameType.Backward: status = Node.ProcessBackward(request, now, out outgoing); break;
            default: status = EngineStatus.UnknownMessageType; break;
        }
        return Reply((OnionFrameType)type, status, outgoing, delivered, response);
    }

    /// <inheritdoc/>
    public async ValueTask<RoleReply> ProcessAsync(RoleConnection connection, byte type, ReadOnlyMemory<byte> request, IBufferWriter<byte> response,
                                                   CancellationToken cancellationToken = default)
    {
        // Setups and ACKs carry the exponentiations that the node's batcher groups; data packets are symmetric work.
        SetupResult result;
        switch ((OnionFrameType)type)
        {
            case OnionFrameType.Setup: result = await Node.ProcessSetupAsync(request, connection.Peer, _clock.GetUtcNow()).ConfigureAwait(false); break;
            case OnionFrameType.Ack: result = await Node.ProcessAckAsync(request, _clock.GetUtcNow()).ConfigureAwait(false); break;
            default: return Process(connection, type, request.Span, response);
        }
        return Reply((OnionFrameType)type, result.Status, result.Outgoing, null, response);
    }

    private static RoleReply Reply(OnionFrameType request, EngineStatus status, Outgoing outgoing, byte[]? delivered, IBufferWriter<byte> response)
    {
        if (status != EngineStatus.Ok)
        {
            response.Write([(byte)status]);
            return new RoleReply(status, (byte)OnionFrameType.Error);
        }
        if (delivered is not null)
        {
            response.Write(delivered);
            return new RoleReply(status, (byte)OnionFrameType.Data);
        }
        response.Write(outgoing.Packet);
        OnionFrameType frame = outgoing.Action switch
        {
            SetupAction.Acknowledge => OnionFrameType.Ack,
            SetupAction.Backward => OnionFrameType.Backward,
            _ => request,                                             // a setup or a data packet forwarded onwards
        };
        return new RoleReply(status, (byte)frame, outgoing.Destination);
    }
}
