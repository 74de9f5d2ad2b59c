using System.Buffers;

namespace Engine.Hosting.Roles;

/// <summary>
/// The one contract every server role of Protocols 1–4 takes (DESIGN.md "pipelined host API", issue #14): a request
/// of a type in, its answer written into the caller's buffer, a status and the answer's type out. The synchronous
/// <see cref="Process"/> answers on the calling thread (for callers that batch themselves); <see cref="ProcessAsync"/>
/// queues the expensive step to the <see cref="EngineHost"/>'s batch schedulers, so concurrent requests share them.
/// Per-connection state (the challenge a server issued, the previous hop) travels in a <see cref="RoleConnection"/>.
/// </summary>
/// <remarks>
/// Implementations are thread-safe: many connections call one role at once. A refusal is an answer too (the
/// protocol's Error message, written into the response) with its status; a role never throws for bad input.
/// </remarks>
public interface IEngineRole
{
    /// <summary>The role's name in logs and metrics ("two-server/s1", "iot-oc", "onion/relay-1", …).</summary>
    string Name { get; }

    /// <summary>
    /// Called once for each new connection: fills its per-connection state and writes what the connection receives
    /// first into <paramref name="greeting"/> (nothing for roles without a greeting); returns the greeting's type.
    /// </summary>
    byte Open(RoleConnection connection, IBufferWriter<byte> greeting);

    /// <summary>Answers one request on the calling thread.</summary>
    RoleReply Process(RoleConnection connection, byte type, ReadOnlySpan<byte> request, IBufferWriter<byte> response);

    /// <summary>
    /// Answers one request, its expensive step batched with concurrent requests where the role can. The request's
    /// memory is the caller's only until the returned task completes (a frame server's pooled buffer, a C caller's
    /// pointer): a role copies whatever it keeps.
    /// </summary>
    ValueTask<RoleReply> ProcessAsync(RoleConnection connection, byte type, ReadOnlyMemory<byte> request, IBufferWriter<byte> response,
                                      CancellationToken cancellationToken = default);
}

/// <summary>
/// The outcome of a request: its status (Ok, or why it was refused), the answer's message type, and for roles that
/// route (an onion relay) where the answer goes.
/// </summary>
public readonly record struct RoleReply(EngineStatus Status, byte Type, string? Route = null);

/// <summary>
/// One connection's state, owned by the host (a Kestrel connection, a C caller's handle): what the role issued on
/// <see cref="IEngineRole.Open"/> (Protocol 2's challenge) and who is at the other end (an onion node's previous hop).
/// </summary>
public sealed class RoleConnection(string peer = "client")
{
    /// <summary>The peer's name (an onion node's previous hop; "client" for a client).</summary>
    public string Peer { get; } = peer;

    /// <summary>The peer's address when the connection is a network one (the KGC records where a node listens), else null.</summary>
    public System.Net.IPAddress? RemoteAddress { get; init; }

    /// <summary>The challenge the role issued on open (Protocol 2), empty for roles that issue none.</summary>
    public ReadOnlyMemory<byte> Challenge { get; internal set; }

    /// <summary>What the role keeps for this connection between requests (a client role's running flow); null for stateless roles.</summary>
    public object? State { get; set; }
}

/// <summary>The batch overload: many requests of one caller handed over together.</summary>
public static class EngineRoleBatch
{
    /// <summary>
    /// Answers <paramref name="requests"/> together: each one's expensive step joins the same batch (a relay's setups
    /// fill one batched exponentiation, an OC's proofs one multi-pairing), and the replies come back in order.
    /// </summary>
    public static async Task<RoleReply[]> ProcessBatchAsync(this IEngineRole role, RoleConnection connection,
                                                            IReadOnlyList<(byte Type, ReadOnlyMemory<byte> Request)> requests,
                                                            IReadOnlyList<IBufferWriter<byte>> responses, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(role);
        if (requests.Count != responses.Count) throw new ArgumentException("One response buffer per request.", nameof(responses));
        var pending = new Task<RoleReply>[requests.Count];
        for (int i = 0; i < pending.Length; i++)
            pending[i] = role.ProcessAsync(connection, requests[i].Type, requests[i].Request, responses[i], cancellationToken).AsTask();
        return await Task.WhenAll(pending).ConfigureAwait(false);
    }
}
