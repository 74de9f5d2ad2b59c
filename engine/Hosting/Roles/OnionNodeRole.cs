using System.Security.Cryptography;
using System.Buffers;
using Engine.Hosting.Framing;
using Engine.Onion.Roles;

namespace Engine.Hosting.Roles;

/// <summary>
/// Protocol 1's relay or destination (<see cref="OnionNode"/>) under the role contract. Request types are
/// <see cref="OnionFrameType"/> (Setup, Ack, Data, Backward); the connection's <see cref="RoleConnection.Peer"/> is the
/// previous hop. The reply's type is the frame to send and <see cref="RoleReply.Route"/> where to send it (a node's
/// handle, or the previous hop); a message delivered at the destination comes back as a Data reply with no route.
/// A refusal is an Error reply of one status byte. Hosted by a <see cref="RoleServer"/> with routing
/// (<see cref="IRoutingRole"/>): setups and ACKs are pipelined, so one previous hop's setups batch together.
/// </summary>
public sealed class OnionNodeRole(OnionNode node, TimeProvider? clock = null) : IRoutingRole
{
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    /// <summary>The node.</summary>
    public OnionNode Node { get; } = node;

    /// <summary>At a destination, what answers a delivered message (its reply travels back along the link); null: nothing.</summary>
    public Func<byte[], byte[]?>? OnMessage { get; init; }

    /// <inheritdoc/>
    public bool IsPipelined(byte type) => type is (byte)OnionFrameType.Setup or (byte)OnionFrameType.Ack;

    /// <inheritdoc/>
    public bool IsDelivery(in RoleReply reply) => reply.Status == EngineStatus.Ok && reply.Route is null && reply.Type == (byte)OnionFrameType.Data;

    /// <inheritdoc/>
    public RoleReply? Deliver(RoleConnection connection, ReadOnlySpan<byte> request, ReadOnlySpan<byte> delivered, IBufferWriter<byte> answer)
    {
        byte[]? reply = OnMessage?.Invoke(delivered.ToArray());
        if (reply is null) return null;
        // The reply goes back along the link the message came on: its in-link id leads the data packet.
        string inLinkId = Convert.ToHexStringLower(request[..Engine.Onion.Setup.SetupLayout.LinkIdSize]);
        Outgoing back = Node.CreateBackward(inLinkId, reply, _clock.GetUtcNow().AddMinutes(1));
        answer.Write(back.Packet);
        return new RoleReply(EngineStatus.Ok, (byte)OnionFrameType.Backward);
    }

    /// <inheritdoc/>
    public RoleReply Unroutable(RoleConnection connection, byte type, ReadOnlySpan<byte> request, IBufferWriter<byte> refusal)
    {
        // A setup whose next hop is unknown or dead: forget the link just made, and tell the previous hop why.
        if (type == (byte)OnionFrameType.Setup) Node.RemoveLink(request);
        return Refuse(EngineStatus.Unreachable, refusal);
    }

    /// <inheritdoc/>
    public string Name => "onion/" + Node.Id;

    /// <inheritdoc/>
    public byte Open(RoleConnection connection, IBufferWriter<byte> greeting) => 0;

    /// <inheritdoc/>
    public RoleReply Process(RoleConnection connection, byte type, ReadOnlySpan<byte> request, IBufferWriter<byte> response)
    {
        DateTimeOffset now = _clock.GetUtcNow();
        EngineStatus status;
        Outgoing outgoing = default;
        switch ((OnionFrameType)type)
        {
            case OnionFrameType.Setup: status = Node.ProcessSetup(request, connection.Peer, now, out outgoing); break;
            case OnionFrameType.Ack: status = Node.ProcessAck(request, now, out outgoing); break;
            case OnionFrameType.Data: return ProcessData(request, now, response);
            case OnionFrameType.Backward: return ProcessBackward(request, now, response);
            default: status = EngineStatus.UnknownMessageType; break;
        }
        return Reply((OnionFrameType)type, status, outgoing, response);
    }

    /// <summary>
    /// A data packet, the per-message hot path: copied once into the response buffer and processed there in place
    /// (<see cref="OnionNode.ProcessData(Span{byte}, DateTimeOffset, out DataRoute)"/>), so forwarding or delivering it
    /// allocates nothing.
    /// </summary>
    private RoleReply ProcessData(ReadOnlySpan<byte> request, DateTimeOffset now, IBufferWriter<byte> response)
    {
        Span<byte> packet = response.GetSpan(request.Length)[..request.Length];
        request.CopyTo(packet);
        EngineStatus status = Node.ProcessData(packet, now, out DataRoute route);
        if (status != EngineStatus.Ok)
        {
            CryptographicOperations.ZeroMemory(packet);
            return Refuse(status, response);
        }
        if (route.Action == SetupAction.Deliver)
        {
            // The destination: the message lies decrypted inside the packet; move it to the front and wipe the rest.
            packet.Slice(route.MessageOffset, route.MessageLength).CopyTo(packet);
            CryptographicOperations.ZeroMemory(packet[route.MessageLength..]);
            response.Advance(route.MessageLength);
            return new RoleReply(status, (byte)OnionFrameType.Data);
        }
        response.Advance(packet.Length);
        return new RoleReply(status, (byte)OnionFrameType.Data, route.Destination);
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
        return Reply((OnionFrameType)type, result.Status, result.Outgoing, response);
    }

    /// <summary>A backward packet, like a data packet: layered in place in the response buffer, nothing allocated.</summary>
    private RoleReply ProcessBackward(ReadOnlySpan<byte> request, DateTimeOffset now, IBufferWriter<byte> response)
    {
        Span<byte> packet = response.GetSpan(request.Length)[..request.Length];
        request.CopyTo(packet);
        EngineStatus status = Node.ProcessBackward(packet, now, out DataRoute route);
        if (status != EngineStatus.Ok) return Refuse(status, response);
        response.Advance(packet.Length);
        return new RoleReply(status, (byte)OnionFrameType.Backward, route.Destination);
    }

    private static RoleReply Refuse(EngineStatus status, IBufferWriter<byte> response)
    {
        response.GetSpan(1)[0] = (byte)status;
        response.Advance(1);
        return new RoleReply(status, (byte)OnionFrameType.Error);
    }

    private static RoleReply Reply(OnionFrameType request, EngineStatus status, Outgoing outgoing, IBufferWriter<byte> response)
    {
        if (status != EngineStatus.Ok) return Refuse(status, response);
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
