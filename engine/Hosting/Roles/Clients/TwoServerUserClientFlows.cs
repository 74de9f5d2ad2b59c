using System.Buffers.Binary;
using System.Text.Json;
using Engine.Primitives.Schnorr;
using Engine.TwoServer;
using Engine.TwoServer.Roles;

namespace Engine.Hosting.Roles.Clients;

/// <summary>
/// Protocol 2's user as a <see cref="ClientRole"/>: routes "s1" and "s2" (both greet with their Hello: index,
/// challenge, key, checked against the keys trusted here before the first operation). Operations:
/// <c>{"op":"register"}</c>; <c>{"op":"join","group":"g"}</c>; <c>{"op":"send","group":"g","to":"bob","message":"&lt;hex&gt;"}</c>
/// → the round it went in (8 bytes, big-endian); <c>{"op":"fetch","group":"g","round":7}</c> → the messages, each a 4-byte
/// big-endian length and its bytes (refused VerificationFailed if a server altered an inbox).
/// </summary>
public sealed class TwoServerUserClientFlows(string id, TwoServerParameters parameters, SchnorrSigningKey key, ReadOnlyMemory<byte> s1Key, ReadOnlyMemory<byte> s2Key)
    : IClientFlows
{
    /// <inheritdoc/>
    public async Task<byte[]> RunAsync(string op, JsonElement command, ClientSession session, CancellationToken cancellationToken)
    {
        if (session.Client is not TwoServerUser user)
        {
            // The user is made once both servers greeted: it checks their keys and signs with their challenges.
            BridgedConnection s1 = await session.ConnectAsync("s1").ConfigureAwait(false), s2 = await session.ConnectAsync("s2").ConfigureAwait(false);
            session.Client = user = new TwoServerUser(id, parameters, key, s1, s2, s1Key.ToArray(), s2Key.ToArray());
        }
        switch (op)
        {
            case "register": Check(await user.RegisterAsync(cancellationToken).ConfigureAwait(false), op); return [];
            case "join": Check(await user.JoinAsync(command.GetProperty("group").GetString()!, cancellationToken).ConfigureAwait(false), op); return [];
            case "send":
            {
                long round = 0;
                EngineStatus status = await TwoServerUserFlows.SendAsync(user, command.GetProperty("group").GetString()!, command.GetProperty("to").GetString()!,
                                                                         Convert.FromHexString(command.GetProperty("message").GetString()!), r => round = r).ConfigureAwait(false);
                Check(status, op);
                byte[] result = new byte[8];
                BinaryPrimitives.WriteInt64BigEndian(result, round);
                return result;
            }
            case "fetch":
            {
                List<byte[]> messages = [];
                Check(await TwoServerUserFlows.FetchAsync(user, command.GetProperty("group").GetString()!, command.GetProperty("round").GetInt64(), messages).ConfigureAwait(false), op);
                byte[] result = new byte[messages.Sum(m => 4 + m.Length)];
                int at = 0;
                foreach (byte[] message in messages)
                {
                    BinaryPrimitives.WriteUInt32BigEndian(result.AsSpan(at), (uint)message.Length);
                    message.CopyTo(result, at + 4);
                    at += 4 + message.Length;
                }
                return result;
            }
            default:
                throw new EngineException(EngineStatus.UnknownMessageType, $"a Protocol 2 user has no operation '{op}'");
        }
    }

    private static void Check(EngineStatus status, string op)
    {
        if (status != EngineStatus.Ok) throw new EngineException(status, $"{op}: {status}");
    }
}
