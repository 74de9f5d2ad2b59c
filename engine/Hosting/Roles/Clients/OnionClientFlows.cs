using System.Text.Json;
using Engine.Hosting.Onion;
using Engine.Onion;
using Engine.Onion.Keys;
using Engine.Onion.Roles;
using Engine.Onion.Setup;

namespace Engine.Hosting.Roles.Clients;

/// <summary>
/// Protocol 1's sender as a <see cref="ClientRole"/>: route "kgc" (the KGC's directory) and the first relay, named by
/// its routing handle. Operations: <c>{"op":"directory"}</c> → the verified directory as UTF-8 JSON,
/// <c>[{"id":"relay-1","handle":"…","endpoint":"127.0.0.1:7001"}, …]</c> (the host dials relays by these);
/// <c>{"op":"link","path":["relay-1","relay-2","dest"],"lifetime_seconds":600}</c> → the link's first id (16 bytes);
/// <c>{"op":"request","message":"&lt;hex&gt;","reencrypt":false}</c> → the destination's answer over the link. The first
/// relay's ACKs and backward packets come back on the host's connection to it.
/// </summary>
public sealed class OnionClientFlows(OnionParameters parameters, ReadOnlyMemory<byte> masterPublicKey, ReadOnlyMemory<byte> listSigningKey) : IClientFlows
{
    /// <summary>What a session keeps: the verified keys, and its link.</summary>
    private sealed class State : IDisposable
    {
        public Dictionary<string, CertificatelessPublicKey> Keys = new(StringComparer.Ordinal);
        public ClientLink? Link;
        public string? FirstHop;

        public void Dispose() => Link?.Dispose();
    }

    /// <inheritdoc/>
    public async Task<byte[]> RunAsync(string op, JsonElement command, ClientSession session, CancellationToken cancellationToken)
    {
        var state = session.Client as State ?? (State)(session.Client = new State());
        switch (op)
        {
            case "directory":
            {
                var kgc = new KgcClient(await session.ConnectAsync("kgc").ConfigureAwait(false));
                (EngineStatus status, IReadOnlyList<CertificatelessPublicKey> keys, Dictionary<string, System.Net.IPEndPoint> endpoints) =
                    await kgc.GetDirectoryAsync(parameters, listSigningKey.ToArray(), masterPublicKey.ToArray(), cancellationToken).ConfigureAwait(false);
                if (status != EngineStatus.Ok) throw new EngineException(status, "the KGC's directory does not verify");
                state.Keys = keys.ToDictionary(k => k.Id, StringComparer.Ordinal);
                // Written by hand, not serialized by reflection: the C ABI's library is trimmed and compiled ahead of time.
                var listed = new System.Buffers.ArrayBufferWriter<byte>();
                using (var json = new Utf8JsonWriter(listed))
                {
                    json.WriteStartArray();
                    foreach (CertificatelessPublicKey key in keys)
                    {
                        string handle = NodeHandle.Of(key.Id);
                        json.WriteStartObject();
                        json.WriteString("id", key.Id);
                        json.WriteString("handle", handle);
                        if (endpoints.TryGetValue(handle, out System.Net.IPEndPoint? endpoint)) json.WriteString("endpoint", endpoint.ToString());
                        else json.WriteNull("endpoint");
                        json.WriteEndObject();
                    }
                    json.WriteEndArray();
                }
                return listed.WrittenSpan.ToArray();
            }
            case "link":
            {
                var path = command.GetProperty("path").EnumerateArray().Select(p => state.Keys.TryGetValue(p.GetString()!, out var key) ? key
                    : throw new EngineException(EngineStatus.NotFound, $"{p.GetString()} is not in the directory (ask for it first)")).ToList();
                int lifetime = command.TryGetProperty("lifetime_seconds", out JsonElement l) ? l.GetInt32() : 600;
                var link = OnionClient.BeginLink(path, DateTimeOffset.UtcNow.AddSeconds(lifetime));
                string firstHop = NodeHandle.Of(path[0].Id);
                var sender = new OnionTcpClient(await session.ConnectAsync(firstHop).ConfigureAwait(false));
                EngineStatus status = await sender.EstablishAsync(link, cancellationToken).ConfigureAwait(false);
                if (status != EngineStatus.Ok)
                {
                    link.Dispose();
                    throw new EngineException(status, "the link was refused");
                }
                state.Link?.Dispose();
                (state.Link, state.FirstHop) = (link, firstHop);
                return link.Packet.AsSpan(0, SetupLayout.LinkIdSize).ToArray();
            }
            case "request":
            {
                if (state.Link is null) throw new EngineException(EngineStatus.NotFound, "no link: make one first");
                var sender = new OnionTcpClient(await session.ConnectAsync(state.FirstHop!).ConfigureAwait(false));
                bool reencrypt = command.TryGetProperty("reencrypt", out JsonElement r) && r.GetBoolean();
                (EngineStatus status, byte[]? reply) = await sender.RequestAsync(state.Link, Convert.FromHexString(command.GetProperty("message").GetString()!), reencrypt, cancellationToken).ConfigureAwait(false);
                return status == EngineStatus.Ok ? reply! : throw new EngineException(status, "the request over the link failed");
            }
            default:
                throw new EngineException(EngineStatus.UnknownMessageType, $"an onion sender has no operation '{op}'");
        }
    }
}
