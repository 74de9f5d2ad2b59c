using System.Buffers;
using Engine.IotAuth.Roles;
using Engine.IotAuth.Wire;

namespace Engine.Hosting.Roles;

/// <summary>
/// Protocol 3's cloud server or operation centre (<see cref="IIotServerRole"/>) under the role contract: request and
/// reply types are <see cref="IotMessageType"/>; a connection to the OC opens with its Hello (id, epoch, W, signed).
/// The OC's proof verifications join its batch on <see cref="ProcessAsync"/>.
/// </summary>
public sealed class IotRole(string name, IIotServerRole role) : IEngineRole
{
    /// <summary>The Protocol 3 role.</summary>
    public IIotServerRole Role { get; } = role;

    /// <inheritdoc/>
    public string Name { get; } = name;

    /// <inheritdoc/>
    public byte Open(RoleConnection connection, IBufferWriter<byte> greeting)
    {
        byte[] hello = Role.Hello();
        greeting.Write(hello);
        return hello.Length == 0 ? (byte)0 : (byte)IotMessageType.Hello;
    }

    /// <inheritdoc/>
    public RoleReply Process(RoleConnection connection, byte type, ReadOnlySpan<byte> request, IBufferWriter<byte> response)
    {
        if (Role is CloudServer cloud)
        {
            (EngineStatus status, IotMessageType replyType) = cloud.Process((IotMessageType)type, request, response);
            return new RoleReply(status, (byte)replyType);
        }
        // The OC's steps take Memory (a proof may wait for its batch): the span is copied into pooled memory for the call.
        byte[] copy = ArrayPool<byte>.Shared.Rent(request.Length);
        try
        {
            request.CopyTo(copy);
            ValueTask<RoleReply> pending = ProcessAsync(connection, type, copy.AsMemory(0, request.Length), response);
            return pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
        }
        finally { ArrayPool<byte>.Shared.Return(copy, clearArray: true); }
    }

    /// <inheritdoc/>
    public async ValueTask<RoleReply> ProcessAsync(RoleConnection connection, byte type, ReadOnlyMemory<byte> request, IBufferWriter<byte> response,
                                                   CancellationToken cancellationToken = default)
    {
        (EngineStatus status, IotMessageType replyType) = await Role.ProcessAsync((IotMessageType)type, request, response, cancellationToken).ConfigureAwait(false);
        return new RoleReply(status, (byte)replyType);
    }
}
