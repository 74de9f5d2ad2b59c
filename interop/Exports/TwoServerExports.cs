using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Engine.Hosting.Roles;
using Engine.Primitives.Groups;
using Engine.Primitives.Schnorr;
using Engine.TwoServer;
using Engine.TwoServer.Content;
using Engine.TwoServer.Partitions;
using Engine.TwoServer.Records;
using Engine.TwoServer.Roles;
using Engine.TwoServer.Wire;

namespace Engine.Interop.Exports;

/// <summary>
/// Protocol 2 through the C ABI (engine.h, "Protocol 2"): the server's round clock, and a user whose requests travel
/// through the C host's own transport (a callback), so a native program can be a Protocol 2 client on any network
/// stack. The user's flows are <see cref="TwoServerUser"/>'s: registration with cross-signed receipts, joins, a
/// session per message, uploads, and fetches whose inboxes both servers' signatures must cover.
/// </summary>
public static unsafe class TwoServerExports
{
    /// <summary>The transport's type for "open a connection and write the server's greeting".</summary>
    public const byte TransportOpen = 0;

    /// <summary>The transport's type for "write the last response again" (after ENGINE_DESTINATION_TOO_SMALL).</summary>
    public const byte TransportResendLast = 255;

    /// <summary><c>engine_status engine_two_server_close_round(engine_role *role, int64_t *open_round)</c>: closes the open round.</summary>
    [UnmanagedCallersOnly(EntryPoint = "engine_two_server_close_round", CallConvs = [typeof(CallConvCdecl)])]
    public static int CloseRound(nint role, long* openRound)
    {
        if ((Handles.Get<IEngineRole>(role) as OwnedRole)?.Inner is not TwoServerRole server) return (int)EngineStatus.NullArgument;
        try
        {
            long round = server.Node.CloseRound();
            if (openRound != null) *openRound = round;
            return (int)EngineStatus.Ok;
        }
        catch (Exception e) { return Boundary.Fail(e); }
    }

    /// <summary>
    /// <c>engine_status engine_two_server_user_create(engine_two_server_user **out, const char *config_json, size_t
    /// config_len, engine_transport transport, void *context)</c>: opens both connections through the transport and
    /// checks that they greet as the trusted S1 and S2.
    /// </summary>
    [UnmanagedCallersOnly(EntryPoint = "engine_two_server_user_create", CallConvs = [typeof(CallConvCdecl)])]
    public static int UserCreate(nint* output, byte* config, nuint configLength, nint transport, nint context)
    {
        if (output == null || config == null || transport == 0) return (int)EngineStatus.NullArgument;
        *output = 0;
        if (!Boundary.TrySpan(config, configLength, out ReadOnlySpan<byte> json)) return (int)EngineStatus.BadLength;
        SchnorrSigningKey? key = null;
        try
        {
            using SecretJson parsed = SecretJson.Parse(json);
            JsonElement root = parsed.Root;
            string id = root.GetProperty("id").GetString()!;
            byte[]? secret = parsed.SecretHex("signing_key");
            if (secret is null) return (int)EngineStatus.Malformed;
            EngineStatus s = SchnorrSigningKey.Import(PrimeOrderGroups.Bls12381G1, secret, out key);
            Array.Clear(secret);
            if (s != EngineStatus.Ok) return (int)s;
            byte[] s1Key = Convert.FromHexString(root.GetProperty("s1_public_key").GetString()!), s2Key = Convert.FromHexString(root.GetProperty("s2_public_key").GetString()!);
            int block = root.TryGetProperty("block", out JsonElement b) ? b.GetInt32() : TwoServerParameters.DefaultBlockSize;
            if (block is < TwoServerParameters.MinBlockSize or > TwoServerParameters.MaxBlockSize) { key!.Dispose(); return (int)EngineStatus.BadLength; }
            var send = (delegate* unmanaged[Cdecl]<nint, uint, byte, byte*, nuint, byte*, nuint, NativeReply*, int>)transport;
            s = TransportConnection.Open(send, context, 1, out TransportConnection? s1);
            if (s == EngineStatus.Ok) s = TransportConnection.Open(send, context, 2, out TransportConnection? s2Out) is var s2Status && s2Status == EngineStatus.Ok
                ? Create(id, block, key!, s1!, s2Out!, s1Key, s2Key, output) : s2Status;
            if (s != EngineStatus.Ok) key!.Dispose();
            return (int)s;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException or KeyNotFoundException) { key?.Dispose(); return (int)EngineStatus.Malformed; }
        catch (Exception e) { key?.Dispose(); return Boundary.Fail(e); }
    }

    private static EngineStatus Create(string id, int block, SchnorrSigningKey key, TransportConnection s1, TransportConnection s2, byte[] s1Key, byte[] s2Key, nint* output)
    {
        try
        {
            var user = new TwoServerUser(id, TwoServerParameters.ForBlockSize(block), key, s1, s2, s1Key, s2Key);
            *output = Handles.Create(new NativeUser(user, key));
            return EngineStatus.Ok;
        }
        catch (EngineException e) { return e.Status; }
    }

    /// <summary><c>void engine_two_server_user_destroy(engine_two_server_user *user)</c>: wipes the user's key.</summary>
    [UnmanagedCallersOnly(EntryPoint = "engine_two_server_user_destroy", CallConvs = [typeof(CallConvCdecl)])]
    public static void UserDestroy(nint user) => Handles.Free(user);

    /// <summary><c>engine_status engine_two_server_user_register(engine_two_server_user *user)</c>.</summary>
    [UnmanagedCallersOnly(EntryPoint = "engine_two_server_user_register", CallConvs = [typeof(CallConvCdecl)])]
    public static int Register(nint user) => Run(user, u => u.User.RegisterAsync());

    /// <summary><c>engine_status engine_two_server_user_join(engine_two_server_user *user, const char *group)</c>.</summary>
    [UnmanagedCallersOnly(EntryPoint = "engine_two_server_user_join", CallConvs = [typeof(CallConvCdecl)])]
    public static int Join(nint user, byte* group)
    {
        if (group == null) return (int)EngineStatus.NullArgument;
        string name = Marshal.PtrToStringUTF8((nint)group)!;
        return Run(user, u => u.User.JoinAsync(name));
    }

    /// <summary>
    /// <c>engine_status engine_two_server_user_send(engine_two_server_user *user, const char *group, const char *to, const
    /// uint8_t *message, size_t message_len, int64_t *round)</c>: a message to one member in the round open now (in as
    /// many blocks as it needs); *round is that round.
    /// </summary>
    [UnmanagedCallersOnly(EntryPoint = "engine_two_server_user_send", CallConvs = [typeof(CallConvCdecl)])]
    public static int Send(nint user, byte* group, byte* to, byte* message, nuint messageLength, long* round)
    {
        if (group == null || to == null) return (int)EngineStatus.NullArgument;
        if (!Boundary.TrySpan(message, messageLength, out ReadOnlySpan<byte> m)) return Boundary.SpanStatus(message, messageLength);
        string groupName = Marshal.PtrToStringUTF8((nint)group)!, recipient = Marshal.PtrToStringUTF8((nint)to)!;
        byte[] content = m.ToArray();
        long sentIn = 0;
        int status = Run(user, u => TwoServerUserFlows.SendAsync(u.User, groupName, recipient, content, r => sentIn = r));
        if (round != null) *round = sentIn;
        return status;
    }

    /// <summary>
    /// <c>engine_status engine_two_server_user_fetch(engine_two_server_user *user, const char *group, int64_t round, uint8_t
    /// *out, size_t capacity, size_t *length, size_t *count)</c>: the messages of a closed round for this user, checked
    /// against both servers' signatures, each written as a 4-byte big-endian length and its bytes.
    /// </summary>
    [UnmanagedCallersOnly(EntryPoint = "engine_two_server_user_fetch", CallConvs = [typeof(CallConvCdecl)])]
    public static int Fetch(nint user, byte* group, long round, byte* output, nuint capacity, nuint* length, nuint* count)
    {
        if (group == null || length == null || count == null) return (int)EngineStatus.NullArgument;
        *length = 0; *count = 0;
        string groupName = Marshal.PtrToStringUTF8((nint)group)!;
        List<byte[]> messages = [];
        int status = Run(user, u => TwoServerUserFlows.FetchAsync(u.User, groupName, round, messages));
        if (status != (int)EngineStatus.Ok) return status;
        int needed = messages.Sum(x => 4 + x.Length);
        *length = (nuint)needed; *count = (nuint)messages.Count;
        if (capacity < (nuint)needed) return (int)EngineStatus.DestinationTooSmall;
        if (needed > 0 && output == null) return (int)EngineStatus.NullArgument;
        var destination = new Span<byte>(output, needed);
        foreach (byte[] x in messages)
        {
            BinaryPrimitives.WriteUInt32BigEndian(destination, (uint)x.Length);
            x.CopyTo(destination[4..]);
            destination = destination[(4 + x.Length)..];
        }
        return (int)EngineStatus.Ok;
    }

    private static int Run(nint handle, Func<NativeUser, Task<EngineStatus>> flow)
    {
        if (Handles.Get<NativeUser>(handle) is not { } user) return (int)EngineStatus.NullArgument;
        try
        {
            lock (user) return (int)flow(user).GetAwaiter().GetResult();
        }
        catch (Exception e) { return Boundary.Fail(e); }
    }
}

/// <summary>A C caller's Protocol 2 user and the key it owns.</summary>
internal sealed class NativeUser(TwoServerUser user, SchnorrSigningKey key) : IDisposable
{
    public TwoServerUser User { get; } = user;

    public void Dispose() => key.Dispose();
}

/// <summary>A user's connection to S1 or S2 through the C host's transport callback (synchronous, one request at a time).</summary>
internal sealed unsafe class TransportConnection : ITwoServerConnection
{
    private readonly NativeTransport _transport;
    private readonly uint _server;

    private TransportConnection(NativeTransport transport, uint server)
    {
        _transport = transport;
        _server = server;
    }

    public int ServerIndex { get; private set; }

    public ReadOnlyMemory<byte> Challenge { get; private set; }

    public ReadOnlyMemory<byte> ServerKey { get; private set; }

    /// <summary>Opens the connection (transport type 0) and reads the Hello.</summary>
    public static EngineStatus Open(delegate* unmanaged[Cdecl]<nint, uint, byte, byte*, nuint, byte*, nuint, NativeReply*, int> send, nint context, uint server,
                                    out TransportConnection? connection)
    {
        connection = new TransportConnection(new NativeTransport(send, context), server);
        (EngineStatus s, byte type, byte[] hello) = connection._transport.Call(server, NativeTransport.Open, []);
        if (s != EngineStatus.Ok) return s;
        var reader = TwoServerWire.Reader(hello);
        int index = reader.Byte();
        byte[] challenge = reader.Fixed(TwoServerWire.ChallengeSize).ToArray();
        byte[] key = reader.Blob(512).ToArray();
        if (type != (byte)TwoServerMessageType.Hello || !reader.AtEndOk || index is not (1 or 2)) return EngineStatus.Malformed;
        (connection.ServerIndex, connection.Challenge, connection.ServerKey) = (index, challenge, key);
        return EngineStatus.Ok;
    }

    public Task<(TwoServerMessageType Type, byte[] Payload)> RequestAsync(TwoServerMessageType type, byte[] payload, CancellationToken cancellationToken = default)
    {
        (EngineStatus s, byte replyType, byte[] response) = _transport.Call(_server, (byte)type, payload);
        if (s != EngineStatus.Ok) throw new EngineException(s, $"the transport to S{_server} failed: {s}");
        return Task.FromResult(((TwoServerMessageType)replyType, response));
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
