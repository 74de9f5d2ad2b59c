using System.Buffers;
using Engine.Revocation.Roles;
using Engine.Revocation.Wire;

namespace Engine.Hosting.Roles;

/// <summary>
/// Protocol 4's authority, source CSP or accepting CSP (<see cref="IRevocationRole"/>) under the role contract:
/// request and reply types are <see cref="RevocationMessageType"/>; no greeting. The source CSP's ring-signature
/// verifications join its batch on <see cref="ProcessAsync"/>.
/// </summary>
public sealed class RevocationRole(string name, IRevocationRole role) : IEngineRole
{
    /// <summary>The Protocol 4 role.</summary>
    public IRevocationRole Role { get; } = role;

    /// <inheritdoc/>
    public string Name { get; } = name;

    /// <inheritdoc/>
    public byte Open(RoleConnection connection, IBufferWriter<byte> greeting) => 0;

    /// <inheritdoc/>
    public RoleReply Process(RoleConnection connection, byte type, ReadOnlySpan<byte> request, IBufferWriter<byte> response)
    {
        (EngineStatus status, RevocationMessageType replyType) = Role.Process((RevocationMessageType)type, request, response);
        return new RoleReply(status, (byte)replyType);
    }

    /// <inheritdoc/>
    public async ValueTask<RoleReply> ProcessAsync(RoleConnection connection, byte type, ReadOnlyMemory<byte> request, IBufferWriter<byte> response,
                                                   CancellationToken cancellationToken = default)
    {
        (EngineStatus status, RevocationMessageType replyType) = await Role.ProcessAsync((RevocationMessageType)type, request, response, cancellationToken).ConfigureAwait(false);
        return new RoleReply(status, (byte)replyType);
    }
}
