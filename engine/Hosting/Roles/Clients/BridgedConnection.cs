using Engine.IotAuth.Roles;
using Engine.IotAuth.Wire;
using Engine.Revocation.Roles;
using Engine.Revocation.Wire;
using Engine.TwoServer.Roles;
using Engine.TwoServer.Wire;

namespace Engine.Hosting.Roles.Clients;

/// <summary>
/// A protocol client's connection to one server (a route) whose messages the host carries: each request becomes a
/// message handed to the host by <see cref="ClientRole"/>, and completes with the answer the host hands back. One
/// type serves every protocol's connection interface, so the protocols' own client flows run on it unchanged.
/// </summary>
public sealed class BridgedConnection : IIotConnection, IRevocationConnection, ITwoServerConnection, Framing.IFrameExchange
{
    private readonly ClientSession _session;
    private readonly Lock _gate = new();
    private Task? _opened;

    internal BridgedConnection(ClientSession session, string route) => (_session, Route) = (session, route);

    /// <summary>The server's name in the host's routes.</summary>
    public string Route { get; }

    /// <summary>The server's greeting as the host handed it (empty for servers without one).</summary>
    public ReadOnlyMemory<byte> Hello { get; private set; }

    /// <summary>The greeting's message type (0 for none).</summary>
    public byte HelloType { get; private set; }

    /// <inheritdoc/>
    public int ServerIndex { get; private set; }

    /// <inheritdoc/>
    public ReadOnlyMemory<byte> Challenge { get; private set; }

    /// <inheritdoc/>
    public ReadOnlyMemory<byte> ServerKey { get; private set; }

    internal Task EnsureOpenAsync()
    {
        lock (_gate)
        {
            if (_opened is { IsFaulted: true } or { IsCanceled: true }) _opened = null;      // the host could not connect: ask again
            return _opened ??= OpenAsync();
        }
    }

    private async Task OpenAsync()
    {
        (byte type, byte[] greeting) = await _session.SendAsync(Route, ClientRole.OpenRoute, []).ConfigureAwait(false);
        (HelloType, Hello) = (type, greeting);
        if (type == (byte)TwoServerMessageType.Hello && greeting.Length > 0 && greeting[0] == TwoServerWire.Version)
        {
            // Protocol 2's Hello: server index, the connection's challenge, the server's key.
            var reader = TwoServerWire.Reader(greeting);
            int index = reader.Byte();
            byte[] challenge = reader.Fixed(TwoServerWire.ChallengeSize).ToArray();
            byte[] key = reader.Blob(512).ToArray();
            if (reader.AtEndOk && index is 1 or 2) (ServerIndex, Challenge, ServerKey) = (index, challenge, key);
        }
    }

    private async Task<(byte, byte[])> RequestAsync(byte type, byte[] payload)
    {
        await EnsureOpenAsync().ConfigureAwait(false);
        return await _session.SendAsync(Route, type, payload).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task<(IotMessageType Type, byte[] Payload)> RequestAsync(IotMessageType type, byte[] payload, CancellationToken cancellationToken = default)
    {
        (byte answer, byte[] bytes) = await RequestAsync((byte)type, payload).ConfigureAwait(false);
        return ((IotMessageType)answer, bytes);
    }

    /// <inheritdoc/>
    public async Task<(RevocationMessageType Type, byte[] Payload)> RequestAsync(RevocationMessageType type, byte[] payload, CancellationToken cancellationToken = default)
    {
        (byte answer, byte[] bytes) = await RequestAsync((byte)type, payload).ConfigureAwait(false);
        return ((RevocationMessageType)answer, bytes);
    }

    /// <inheritdoc/>
    public async Task<(TwoServerMessageType Type, byte[] Payload)> RequestAsync(TwoServerMessageType type, byte[] payload, CancellationToken cancellationToken = default)
    {
        (byte answer, byte[] bytes) = await RequestAsync((byte)type, payload).ConfigureAwait(false);
        return ((TwoServerMessageType)answer, bytes);
    }

    /// <inheritdoc/>
    public Task<(byte Type, byte[] Payload)> RequestAsync(byte type, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default) => RequestAsync(type, payload.ToArray());

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
