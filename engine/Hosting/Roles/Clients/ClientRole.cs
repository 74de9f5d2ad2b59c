using System.Buffers;
using System.Text.Json;

namespace Engine.Hosting.Roles.Clients;

/// <summary>
/// A client of Protocols 2–4 (a Protocol 2 user, a Protocol 3 device, a Protocol 4 user) under the role contract,
/// without I/O of its own: the host sends a <see cref="Command"/> (UTF-8 JSON naming an operation), and each reply is
/// the next message the client wants delivered: its type, its bytes in the response, and in
/// <see cref="RoleReply.Route"/> the server it is for ("oc", "cs", "s1", …). The host delivers it over its own
/// network and hands the server's answer back as the next request (its type and bytes); a reply of type
/// <see cref="OpenRoute"/> asks the host to connect to the route and hand back the server's greeting (type 0 and no
/// bytes when it has none). The operation ends with a <see cref="Result"/> reply (or an Error one), its status the
/// operation's. The client's flows are the protocol's own (<c>Device</c>, <c>TwoServerUser</c>,
/// <c>RevocationUser</c>); only their transport is the host's.
/// </summary>
/// <remarks>
/// One operation at a time per connection; a connection keeps its routes' greetings (a Protocol 2 challenge) for
/// the operations that follow, so the host keeps one server connection per route for it. Every wait for the flow
/// has a timeout (<see cref="StepTimeout"/>): a flow that neither asks for anything nor ends is refused TimedOut.
/// The connection's state (<see cref="ClientSession"/>) is disposable: hosts dispose it when the connection closes.
/// </remarks>
public sealed class ClientRole(string name, IClientFlows flows) : IEngineRole
{
    /// <summary>Request type: a command, <c>{"op": "...", …}</c> in UTF-8 JSON, starting an operation.</summary>
    public const byte Command = 0xF0;

    /// <summary>Reply type: the operation's result (its bytes in the response).</summary>
    public const byte Result = 0xF1;

    /// <summary>Reply type: a refusal, the status in the reply and a one-byte status plus UTF-8 reason in the response.</summary>
    public const byte Error = 0xFF;

    /// <summary>Reply type: connect to the reply's route and hand back the server's greeting.</summary>
    public const byte OpenRoute = 0x00;

    /// <summary>The protocol's flows.</summary>
    public IClientFlows Flows { get; } = flows;

    /// <inheritdoc/>
    public string Name { get; } = name;

    /// <summary>How long one step may take (the flow computing between two messages).</summary>
    public TimeSpan StepTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <inheritdoc/>
    public byte Open(RoleConnection connection, IBufferWriter<byte> greeting)
    {
        connection.State = new ClientSession();
        return 0;
    }

    /// <inheritdoc/>
    public RoleReply Process(RoleConnection connection, byte type, ReadOnlySpan<byte> request, IBufferWriter<byte> response)
        => ProcessAsync(connection, type, request.ToArray(), response).AsTask().GetAwaiter().GetResult();

    /// <inheritdoc/>
    public async ValueTask<RoleReply> ProcessAsync(RoleConnection connection, byte type, ReadOnlyMemory<byte> request, IBufferWriter<byte> response,
                                                   CancellationToken cancellationToken = default)
    {
        if (connection.State is not ClientSession session) return Refuse(EngineStatus.NotFound, "open the connection first", response);
        if (!session.TryEnter()) return Refuse(EngineStatus.Malformed, "one request at a time on a client connection", response);
        try { return await StepAsync(session, type, request, response, cancellationToken).ConfigureAwait(false); }
        finally { session.Exit(); }
    }

    private async ValueTask<RoleReply> StepAsync(ClientSession session, byte type, ReadOnlyMemory<byte> request, IBufferWriter<byte> response, CancellationToken cancellationToken)
    {
        if (!session.TryAnswer(type, request.Span))
        {
            // No message outstanding: a new command, or (after a TimedOut step) the host waiting for the operation again.
            if (type != Command) return Refuse(EngineStatus.UnknownMessageType, "no message is outstanding: send a command", response);
            if (!session.Running && Start(session, request, response, cancellationToken) is { } refused) return refused;
        }
        ClientStep step = await session.NextAsync(StepTimeout, cancellationToken).ConfigureAwait(false);
        if (step.Message is { } message)
        {
            response.Write(message.Payload);
            return new RoleReply(EngineStatus.Ok, message.Type, message.Route);
        }
        if (step.Status != EngineStatus.Ok) return Refuse(step.Status, step.Reason, response);
        response.Write(step.Result);
        // Results can be secret (a session's K_enc, a decrypted record): the host's buffer holds the one copy.
        System.Security.Cryptography.CryptographicOperations.ZeroMemory(step.Result);
        return new RoleReply(EngineStatus.Ok, Result);
    }

    /// <summary>Parses a command and starts its operation; the refusal when it is not one.</summary>
    private RoleReply? Start(ClientSession session, ReadOnlyMemory<byte> request, IBufferWriter<byte> response, CancellationToken cancellationToken)
    {
        JsonElement command;
        try
        {
            using JsonDocument document = JsonDocument.Parse(request);
            command = document.RootElement.Clone();
        }
        catch (JsonException) { return Refuse(EngineStatus.Malformed, "the command is not JSON", response); }
        if (command.ValueKind != JsonValueKind.Object || !command.TryGetProperty("op", out JsonElement op) || op.ValueKind != JsonValueKind.String)
            return Refuse(EngineStatus.Malformed, "a command is {\"op\": \"...\", ...}", response);
        session.Start(() => Flows.RunAsync(op.GetString()!, command, session, cancellationToken));
        return null;
    }

    private static RoleReply Refuse(EngineStatus status, string? reason, IBufferWriter<byte> response)
    {
        response.GetSpan(1)[0] = (byte)status;
        response.Advance(1);
        if (!string.IsNullOrEmpty(reason)) response.Write(System.Text.Encoding.UTF8.GetBytes(reason.Length > 200 ? reason[..200] : reason));
        return new RoleReply(status, Error);
    }
}

/// <summary>One protocol's client flows for <see cref="ClientRole"/>.</summary>
public interface IClientFlows
{
    /// <summary>
    /// Runs operation <paramref name="op"/> with the command's fields, talking to the servers through
    /// <paramref name="session"/>'s connections; returns the result's bytes.
    /// </summary>
    /// <exception cref="EngineException">The operation failed (its status is the reply's).</exception>
    Task<byte[]> RunAsync(string op, JsonElement command, ClientSession session, CancellationToken cancellationToken);
}
