using System.Buffers.Binary;
using System.Text.Json;
using Engine.IotAuth.Roles;
using Engine.IotAuth.Trust;

namespace Engine.Hosting.Roles.Clients;

/// <summary>
/// Protocol 3's device as a <see cref="ClientRole"/>: routes "cs" (the cloud server) and "oc" (the operation centre,
/// whose greeting is its signed Hello). Operations:
/// <c>{"op":"evaluate","attributes":[{"name":"battery-percent","value":90}, …]}</c> → TL (2 bytes, big-endian);
/// <c>{"op":"register"}</c> (with the enrolment key of the configuration) → nothing;
/// <c>{"op":"tag","trust_level":7250}</c> → the tag's epoch (4 bytes); <c>{"op":"authenticate"}</c> → session id (16) ‖
/// K_enc (32), the session's encryption key for the device's application channel;
/// <c>{"op":"vote","subject":"sensor-2","approves":true}</c> → nothing.
/// </summary>
public sealed class DeviceClientFlows(Device device, ReadOnlyMemory<byte> enrolmentKey) : IClientFlows
{
    /// <summary>The device.</summary>
    public Device Device { get; } = device;

    /// <inheritdoc/>
    public async Task<byte[]> RunAsync(string op, JsonElement command, ClientSession session, CancellationToken cancellationToken)
    {
        switch (op)
        {
            case "evaluate":
            {
                var attributes = command.GetProperty("attributes").EnumerateArray()
                    .Select(a => new AttributeValue(a.GetProperty("name").GetString()!, a.GetProperty("value").GetDecimal())).ToList();
                int tl = await Device.EvaluateAsync(await session.ConnectAsync("cs").ConfigureAwait(false), attributes, cancellationToken).ConfigureAwait(false);
                byte[] result = new byte[2];
                BinaryPrimitives.WriteUInt16BigEndian(result, (ushort)tl);
                return result;
            }
            case "register":
                await Device.RegisterAsync(await session.ConnectAsync("oc").ConfigureAwait(false), enrolmentKey, cancellationToken).ConfigureAwait(false);
                return [];
            case "tag":
            {
                var credential = await Device.RequestTagAsync(await session.ConnectAsync("oc").ConfigureAwait(false), command.GetProperty("trust_level").GetInt32(), cancellationToken).ConfigureAwait(false);
                byte[] result = new byte[4];
                BinaryPrimitives.WriteUInt32BigEndian(result, credential.Epoch);
                return result;
            }
            case "authenticate":
            {
                AuthenticationResult authenticated = await Device.AuthenticateAsync(await session.ConnectAsync("oc").ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
                using (authenticated.Keys) return [.. authenticated.SessionId, .. authenticated.Keys.EncryptionKey];
            }
            case "vote":
                await Device.VoteAsync(await session.ConnectAsync("cs").ConfigureAwait(false), command.GetProperty("subject").GetString()!,
                                       command.GetProperty("approves").GetBoolean(), cancellationToken).ConfigureAwait(false);
                return [];
            default:
                throw new EngineException(EngineStatus.UnknownMessageType, $"a device has no operation '{op}'");
        }
    }
}
