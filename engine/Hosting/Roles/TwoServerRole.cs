using System.Buffers;
using Engine.TwoServer.Roles;
using Engine.TwoServer.Wire;

namespace Engine.Hosting.Roles;

/// <summary>
/// Protocol 2's S1 or S2 (<see cref="TwoServerNode"/>) under the role contract: request and reply types are
/// <see cref="TwoServerMessageType"/>. <see cref="Open"/> issues the connection's challenge and writes the Hello
/// (server index, challenge, public key) that every later signed request of the connection answers.
/// </summary>
public sealed class TwoServerRole(TwoServerNode node) : IEngineRole
{
    /// <summary>The server.</summary>
    public TwoServerNode Node { get; } = node;

    /// <inheritdoc/>
    public string Name => $"two-server/s{Node.ServerIndex}";

    /// <inheritdoc/>
    public byte Open(RoleConnection connection, IBufferWriter<byte> greeting)
    {
        byte[] challenge = TwoServerNode.NewChallenge();
        connection.Challenge = challenge;
        greeting.Write(Node.Hello(challenge));
        return (byte)TwoServerMessageType.Hello;
    }

    /// <inheritdoc/>
    public RoleReply Process(RoleConnection connection, byte type, ReadOnlySpan<byte> request, IBufferWriter<byte> response)
    {
        try
        {
            EngineStatus status = Node.Process((TwoServerMessageType)type, request, connection.Challenge.Span, response, out TwoServerMessageType replyType);
            return new RoleReply(status, (byte)replyType);
        }
        catch (EngineException e) when (e.Status == EngineStatus.Unreachable)
        {
            // A store behind the node (the Orleans cluster's grains) did not answer: the client hears so, nothing was acknowledged.
            (response as ArrayBufferWriter<byte>)?.Clear();
            Span<byte> error = response.GetSpan(2);
            (error[0], error[1]) = (TwoServerWire.Version, (byte)e.Status);
            response.Advance(2);
            return new RoleReply(e.Status, (byte)TwoServerMessageType.Error);
        }
    }

    /// <inheritdoc/>
    public async ValueTask<RoleReply> ProcessAsync(RoleConnection connection, byte type, ReadOnlyMemory<byte> request, IBufferWriter<byte> response,
                                                   CancellationToken cancellationToken = default)
    {
        // Only uploads under a signature batcher wait; everything else answers at once, straight into the buffer.
        if (type != (byte)TwoServerMessageType.Upload || Node.Verifier is null) return Process(connection, type, request.Span, response);
        (EngineStatus status, TwoServerMessageType replyType) = await Node.ProcessAsync((TwoServerMessageType)type, request, connection.Challenge, response).ConfigureAwait(false);
        return new RoleReply(status, (byte)replyType);
    }
}
