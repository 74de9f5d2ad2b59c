using System.Buffers;

namespace Engine.Hosting.Roles;

/// <summary>
/// A role whose answers travel on to other peers (an onion relay: a setup forwarded to the next hop, an ACK back to
/// the previous one), hosted by a <see cref="RoleServer"/> with <see cref="RoleServer.Routing"/> set. The server
/// sends each reply to its <see cref="RoleReply.Route"/>: a peer connected to it (the previous hop, by the name its
/// connection carries), or a peer it dials through the routing directory (the next hop); replies to frames from a
/// dialled peer with no route are dropped (nothing goes back to a next hop).
/// </summary>
public interface IRoutingRole : IEngineRole
{
    /// <summary>
    /// True for request types the server processes while it reads the connection's next frames (an onion setup or
    /// ACK: all the setups one previous hop carries then fill one batch). Their bytes are copied first.
    /// </summary>
    bool IsPipelined(byte type);

    /// <summary>True when <paramref name="reply"/> (Ok, no route) ends here: a message delivered at a destination, handed to <see cref="Deliver"/>.</summary>
    bool IsDelivery(in RoleReply reply);

    /// <summary>
    /// Handles a delivered message (<paramref name="delivered"/>: what the request's reply wrote), writing into
    /// <paramref name="answer"/> what goes back on the same connection, if anything (null: nothing).
    /// </summary>
    RoleReply? Deliver(RoleConnection connection, ReadOnlySpan<byte> request, ReadOnlySpan<byte> delivered, IBufferWriter<byte> answer);

    /// <summary>
    /// The reply's route is unknown or its peer unreachable: undoes what <paramref name="request"/> set up and writes
    /// the refusal to send back to the request's sender.
    /// </summary>
    RoleReply Unroutable(RoleConnection connection, byte type, ReadOnlySpan<byte> request, IBufferWriter<byte> refusal);
}

/// <summary>How a <see cref="RoleServer"/> reaches the peers a routing role names.</summary>
public sealed record RoleRouting
{
    /// <summary>A peer's endpoint by name (the onion directory: node handle → endpoint), read at forwarding time; null when unknown.</summary>
    public required Func<string, System.Net.IPEndPoint?> Resolve { get; init; }

    /// <summary>Pipelined requests in flight at once across the server (waiting in the batch schedulers) before reading pauses.</summary>
    public int MaxInFlight { get; init; } = 256;
}
