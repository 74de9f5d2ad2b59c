using System.Buffers;
using Engine.IotAuth.Roles;
using Engine.IotAuth.Wire;
using Engine.Revocation.Roles;
using Engine.Revocation.Wire;
using Engine.TwoServer.Roles;
using Engine.TwoServer.Wire;

namespace Engine.Hosting.Roles;

/// <summary>
/// The clients' connections to a role in the same process (tests, the in-process parts of the simulations): each
/// one opens a <see cref="RoleConnection"/> on the role's <see cref="IEngineRole"/> adapter and sends every request
/// through <see cref="IEngineRole.ProcessAsync"/>, exactly the path a frame server takes.
/// </summary>
internal static class RoleCalls
{
    public static (byte Type, byte[] Greeting) Open(IEngineRole role, RoleConnection connection)
    {
        var greeting = new ArrayBufferWriter<byte>();
        byte type = role.Open(connection, greeting);
        return (type, greeting.WrittenSpan.ToArray());
    }

    public static async Task<(byte Type, byte[] Payload)> RequestAsync(IEngineRole role, RoleConnection connection, byte type, byte[] payload, CancellationToken cancellationToken)
    {
        var response = new ArrayBufferWriter<byte>();
        RoleReply reply = await role.ProcessAsync(connection, type, payload, response, cancellationToken).ConfigureAwait(false);
        return (reply.Type, response.WrittenSpan.ToArray());
    }
}

/// <summary>A Protocol 2 user's connection to S1 or S2 in this process, through <see cref="TwoServerRole"/>.</summary>
public sealed class InProcessConnection : ITwoServerConnection
{
    private readonly TwoServerRole _role;
    private readonly RoleConnection _connection = new();

    /// <summary>A connection to <paramref name="node"/>: its Hello is read as a TCP client would read it.</summary>
    /// <exception cref="EngineException">The greeting is not a well-formed Hello.</exception>
    public InProcessConnection(TwoServerNode node)
    {
        _role = new TwoServerRole(node);
        (byte type, byte[] hello) = RoleCalls.Open(_role, _connection);
        var reader = TwoServerWire.Reader(hello);
        ServerIndex = reader.Byte();
        Challenge = reader.Fixed(TwoServerWire.ChallengeSize).ToArray();
        ServerKey = reader.Blob(512).ToArray();
        if (type != (byte)TwoServerMessageType.Hello || !reader.AtEndOk) throw new EngineException(EngineStatus.Malformed, "The node did not greet with a Hello.");
    }

    /// <inheritdoc/>
    public int ServerIndex { get; }

    /// <inheritdoc/>
    public ReadOnlyMemory<byte> Challenge { get; }

    /// <inheritdoc/>
    public ReadOnlyMemory<byte> ServerKey { get; }

    /// <inheritdoc/>
    public async Task<(TwoServerMessageType Type, byte[] Payload)> RequestAsync(TwoServerMessageType type, byte[] payload, CancellationToken cancellationToken = default)
    {
        (byte t, byte[] p) = await RoleCalls.RequestAsync(_role, _connection, (byte)type, payload, cancellationToken).ConfigureAwait(false);
        return ((TwoServerMessageType)t, p);
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

/// <summary>A connection to a Protocol 3 server role in this process, through <see cref="IotRole"/>.</summary>
public sealed class InProcessIotConnection : IIotConnection
{
    private readonly IotRole _role;
    private readonly RoleConnection _connection = new();
    private readonly byte[] _hello;

    /// <summary>A connection to <paramref name="role"/>.</summary>
    public InProcessIotConnection(IIotServerRole role)
    {
        _role = new IotRole(role.GetType().Name, role);
        (_, _hello) = RoleCalls.Open(_role, _connection);
    }

    /// <inheritdoc/>
    public ReadOnlyMemory<byte> Hello => _hello;

    /// <inheritdoc/>
    public async Task<(IotMessageType Type, byte[] Payload)> RequestAsync(IotMessageType type, byte[] payload, CancellationToken cancellationToken = default)
    {
        (byte t, byte[] p) = await RoleCalls.RequestAsync(_role, _connection, (byte)type, payload, cancellationToken).ConfigureAwait(false);
        return ((IotMessageType)t, p);
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

/// <summary>A connection to a Protocol 4 role in this process, through <see cref="RevocationRole"/>.</summary>
public sealed class InProcessRevocationConnection(IRevocationRole role) : IRevocationConnection
{
    private readonly RevocationRole _role = new(role.GetType().Name, role);
    private readonly RoleConnection _connection = new();

    /// <inheritdoc/>
    public async Task<(RevocationMessageType Type, byte[] Payload)> RequestAsync(RevocationMessageType type, byte[] payload, CancellationToken cancellationToken = default)
    {
        (byte t, byte[] p) = await RoleCalls.RequestAsync(_role, _connection, (byte)type, payload, cancellationToken).ConfigureAwait(false);
        return ((RevocationMessageType)t, p);
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
