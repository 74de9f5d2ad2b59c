using System.Text.Json;
using Engine.Revocation.Policies;
using Engine.Revocation.Roles;

namespace Engine.Hosting.Roles.Clients;

/// <summary>
/// Protocol 4's data user as a <see cref="ClientRole"/>: routes are the authorities by name (as the command names
/// them), "source" (the source CSP) and "accepting" (the accepting CSP). Operations:
/// <c>{"op":"public-keys"}</c> → the user's signing key (48) ‖ encryption key (48), for the data owner to grant;
/// <c>{"op":"fetch-keys","authority":"HOSP"}</c> → the number of decryption keys taken (4 bytes; a ring key comes too where the authority keeps a ring);
/// <c>{"op":"fetch-updates","authority":"HOSP"}</c> → the number of updates applied (4 bytes);
/// <c>{"op":"token","authority":"HOSP","policy":"doctor@HOSP","audience":"csp-b","resource":"record-1"}</c> → the source
/// CSP's access token (the ring key is the authority's); <c>{"op":"fetch","token":"&lt;hex&gt;"}</c> → the decrypted record.
/// </summary>
public sealed class AbeUserClientFlows(RevocationUser user) : IClientFlows
{
    /// <summary>The user (its keys live as long as the role).</summary>
    public RevocationUser User { get; } = user;

    /// <inheritdoc/>
    public async Task<byte[]> RunAsync(string op, JsonElement command, ClientSession session, CancellationToken cancellationToken)
    {
        switch (op)
        {
            case "public-keys":
                return [.. User.SigningKey.PublicKey, .. User.EncryptionKey.PublicKey];
            case "fetch-keys":
                return Count(await User.FetchKeysAsync(await Authority(command, session).ConfigureAwait(false), cancellationToken: cancellationToken).ConfigureAwait(false));
            case "fetch-updates":
            {
                string name = command.GetProperty("authority").GetString()!;
                return Count(await User.FetchUpdatesAsync(await session.ConnectAsync(name).ConfigureAwait(false), name, cancellationToken: cancellationToken).ConfigureAwait(false));
            }
            case "token":
            {
                string name = command.GetProperty("authority").GetString()!;
                AuthorityKeys keys = await AuthorityKeys.FetchAsync(name, await session.ConnectAsync(name).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
                if (keys.RingKey is null) throw new EngineException(EngineStatus.NotFound, $"authority {name} keeps no ring");
                return await User.RequestTokenAsync(await session.ConnectAsync("source").ConfigureAwait(false), keys.RingKey, Policy.Parse(command.GetProperty("policy").GetString()!),
                                                    command.GetProperty("audience").GetString()!, command.GetProperty("resource").GetString()!, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            case "fetch":
                return await User.FetchAndDecryptAsync(await session.ConnectAsync("accepting").ConfigureAwait(false), Convert.FromHexString(command.GetProperty("token").GetString()!), cancellationToken).ConfigureAwait(false);
            default:
                throw new EngineException(EngineStatus.UnknownMessageType, $"a Protocol 4 user has no operation '{op}'");
        }
    }

    private static Task<BridgedConnection> Authority(JsonElement command, ClientSession session) => session.ConnectAsync(command.GetProperty("authority").GetString()!);

    private static byte[] Count(int n) => [(byte)(n >> 24), (byte)(n >> 16), (byte)(n >> 8), (byte)n];
}
