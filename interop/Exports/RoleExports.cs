using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Engine.Hosting;
using Engine.Hosting.Roles;

namespace Engine.Interop.Exports;

/// <summary>What <c>engine_role_process</c> reports about one request: the C struct <c>engine_reply</c>.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct NativeReply
{
    /// <summary>Ok, or why the request was refused (the response then holds the protocol's Error message).</summary>
    public int Status;
    /// <summary>The response's message type.</summary>
    public byte Type;
    /// <summary>The response's length (on <c>ENGINE_DESTINATION_TOO_SMALL</c>, the length needed).</summary>
    public nuint Length;
}

/// <summary>
/// The host and role contract through the C ABI (engine.h, "Hosts and roles"): an <c>engine_host</c> owns the batch
/// schedulers; roles are made from a JSON configuration on a host; a connection carries the per-connection state
/// (<see cref="RoleConnection"/>) and holds the last response until the next call, so a response that did not fit the
/// caller's buffer is not lost.
/// </summary>
public static unsafe class RoleExports
{
    /// <summary><c>engine_status engine_host_create(engine_host **out, const char *options_json, size_t options_len)</c>.</summary>
    [UnmanagedCallersOnly(EntryPoint = "engine_host_create", CallConvs = [typeof(CallConvCdecl)])]
    public static int HostCreate(nint* output, byte* options, nuint optionsLength)
    {
        if (output == null) return (int)EngineStatus.NullArgument;
        *output = 0;
        if (!Boundary.TrySpan(options, optionsLength, out ReadOnlySpan<byte> json)) return Boundary.SpanStatus(options, optionsLength);
        try
        {
            EngineStatus s = RoleConfiguration.HostOptions(json, out EngineHostOptions? hostOptions);
            if (s != EngineStatus.Ok) return (int)s;
            *output = Handles.Create(new EngineHost(hostOptions));
            return (int)EngineStatus.Ok;
        }
        catch (Exception e) { return Boundary.Fail(e); }
    }

    /// <summary><c>void engine_host_destroy(engine_host *host)</c>: stops its schedulers after what is queued; destroy its roles first.</summary>
    [UnmanagedCallersOnly(EntryPoint = "engine_host_destroy", CallConvs = [typeof(CallConvCdecl)])]
    public static void HostDestroy(nint host) => Handles.Free(host);

    /// <summary><c>engine_status engine_role_create(engine_role **out, engine_host *host, const char *config_json, size_t config_len)</c>.</summary>
    [UnmanagedCallersOnly(EntryPoint = "engine_role_create", CallConvs = [typeof(CallConvCdecl)])]
    public static int RoleCreate(nint* output, nint host, byte* config, nuint configLength)
    {
        if (output == null || config == null) return (int)EngineStatus.NullArgument;
        *output = 0;
        if (Handles.Get<EngineHost>(host) is not { } engineHost) return (int)EngineStatus.NullArgument;
        if (!Boundary.TrySpan(config, configLength, out ReadOnlySpan<byte> json)) return (int)EngineStatus.BadLength;
        try
        {
            EngineStatus s = RoleConfiguration.Create(engineHost, json, out IEngineRole? role);
            if (s != EngineStatus.Ok) return (int)s;
            *output = Handles.Create(role!);
            return (int)EngineStatus.Ok;
        }
        catch (Exception e) { return Boundary.Fail(e); }
    }

    /// <summary><c>void engine_role_destroy(engine_role *role)</c>.</summary>
    [UnmanagedCallersOnly(EntryPoint = "engine_role_destroy", CallConvs = [typeof(CallConvCdecl)])]
    public static void RoleDestroy(nint role) => Handles.Free(role);

    /// <summary>
    /// <c>engine_status engine_connection_open(engine_connection **out, engine_role *role, const char *peer, uint8_t
    /// *greeting, size_t greeting_capacity, engine_reply *reply)</c>: a connection's state; its greeting (the reply's type
    /// 0 and length 0 when the role has none) is written to greeting.
    /// </summary>
    [UnmanagedCallersOnly(EntryPoint = "engine_connection_open", CallConvs = [typeof(CallConvCdecl)])]
    public static int ConnectionOpen(nint* output, nint role, byte* peer, byte* greeting, nuint capacity, NativeReply* reply)
    {
        if (output == null || reply == null) return (int)EngineStatus.NullArgument;
        *output = 0;
        *reply = default;
        if (Handles.Get<IEngineRole>(role) is not { } engineRole) return (int)EngineStatus.NullArgument;
        try
        {
            var connection = new NativeConnection(engineRole, new RoleConnection(peer == null ? "client" : Marshal.PtrToStringUTF8((nint)peer) ?? "client"));
            byte type = engineRole.Open(connection.State, connection.Response);
            *output = Handles.Create(connection);
            return connection.CopyResponse(EngineStatus.Ok, type, greeting, capacity, reply);
        }
        catch (Exception e) { return Boundary.Fail(e); }
    }

    /// <summary><c>void engine_connection_close(engine_connection *connection)</c>.</summary>
    [UnmanagedCallersOnly(EntryPoint = "engine_connection_close", CallConvs = [typeof(CallConvCdecl)])]
    public static void ConnectionClose(nint connection) => Handles.Free(connection);

    /// <summary>
    /// <c>engine_status engine_role_process(engine_connection *connection, uint8_t type, const uint8_t *request, size_t
    /// request_len, uint8_t *response, size_t response_capacity, engine_reply *reply)</c>: one request; returns
    /// ENGINE_OK when the response was written (reply->status says whether the role accepted the request), or
    /// ENGINE_DESTINATION_TOO_SMALL with reply->length the size needed (then take it with engine_connection_response).
    /// </summary>
    [UnmanagedCallersOnly(EntryPoint = "engine_role_process", CallConvs = [typeof(CallConvCdecl)])]
    public static int Process(nint connection, byte type, byte* request, nuint requestLength, byte* response, nuint capacity, NativeReply* reply)
    {
        if (reply == null) return (int)EngineStatus.NullArgument;
        *reply = default;
        if (Handles.Get<NativeConnection>(connection) is not { } c) return (int)EngineStatus.NullArgument;
        if (!Boundary.TrySpan(request, requestLength, out ReadOnlySpan<byte> input)) return Boundary.SpanStatus(request, requestLength);
        try
        {
            lock (c)
            {
                c.Response.Clear();                                      // zeroes the previous answer too
                // The pipelined call: the expensive step joins the host's batches with other threads' requests. The
                // request is read in place (no copy): the call returns only once the role is done with it.
                c.Request.Point(request, input.Length);
                try
                {
                    ValueTask<RoleReply> pending = c.Role.ProcessAsync(c.State, type, c.Request.Memory, c.Response);
                    RoleReply r = pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
                    c.Route = r.Route;
                    return c.CopyResponse(r.Status, r.Type, response, capacity, reply);
                }
                finally { c.Request.Point(null, 0); }
            }
        }
        catch (Exception e) { return Boundary.Fail(e); }
    }

    /// <summary>
    /// <c>engine_status engine_connection_response(engine_connection *connection, uint8_t *out, size_t capacity, size_t
    /// *length)</c>: the connection's last response again (after ENGINE_DESTINATION_TOO_SMALL).
    /// </summary>
    [UnmanagedCallersOnly(EntryPoint = "engine_connection_response", CallConvs = [typeof(CallConvCdecl)])]
    public static int LastResponse(nint connection, byte* output, nuint capacity, nuint* length)
    {
        if (length == null) return (int)EngineStatus.NullArgument;
        if (Handles.Get<NativeConnection>(connection) is not { } c) return (int)EngineStatus.NullArgument;
        lock (c)
        {
            ReadOnlySpan<byte> held = c.Response.WrittenSpan;
            *length = (nuint)held.Length;
            if (capacity < (nuint)held.Length) return (int)EngineStatus.DestinationTooSmall;
            if (held.Length > 0 && output == null) return (int)EngineStatus.NullArgument;
            held.CopyTo(new Span<byte>(output, held.Length));
            return (int)EngineStatus.Ok;
        }
    }

    /// <summary>
    /// <c>engine_status engine_connection_route(engine_connection *connection, char *out, size_t capacity, size_t
    /// *length)</c>: where the last response goes, for roles that route (an onion node: the next hop's handle, or the
    /// previous hop's peer name for an ACK or a backward packet); *length 0 when it goes back to the caller. Written
    /// as UTF-8 with a terminating NUL (capacity must hold *length + 1).
    /// </summary>
    [UnmanagedCallersOnly(EntryPoint = "engine_connection_route", CallConvs = [typeof(CallConvCdecl)])]
    public static int Route(nint connection, byte* output, nuint capacity, nuint* length)
    {
        if (length == null) return (int)EngineStatus.NullArgument;
        *length = 0;
        if (Handles.Get<NativeConnection>(connection) is not { } c) return (int)EngineStatus.NullArgument;
        lock (c)
        {
            string route = c.Route ?? "";
            int bytes = System.Text.Encoding.UTF8.GetByteCount(route);
            *length = (nuint)bytes;
            if (output == null) return (int)EngineStatus.NullArgument;
            if (capacity < (nuint)bytes + 1) return (int)EngineStatus.DestinationTooSmall;
            System.Text.Encoding.UTF8.GetBytes(route, new Span<byte>(output, bytes));
            output[bytes] = 0;
            return (int)EngineStatus.Ok;
        }
    }

    /// <summary>
    /// <c>engine_status engine_role_process_batch(engine_connection *connection, size_t count, const uint8_t *types, const
    /// uint8_t *const *requests, const size_t *request_lens, uint8_t *const *responses, const size_t *capacities,
    /// engine_reply *replies)</c>: count requests answered together (their expensive steps share the host's batches).
    /// </summary>
    [UnmanagedCallersOnly(EntryPoint = "engine_role_process_batch", CallConvs = [typeof(CallConvCdecl)])]
    public static int ProcessBatch(nint connection, nuint count, byte* types, byte** requests, nuint* requestLengths, byte** responses, nuint* capacities, NativeReply* replies)
    {
        if (Handles.Get<NativeConnection>(connection) is not { } c) return (int)EngineStatus.NullArgument;
        if (count == 0) return (int)EngineStatus.Ok;
        if (types == null || requests == null || requestLengths == null || responses == null || capacities == null || replies == null) return (int)EngineStatus.NullArgument;
        if (count > 1 << 16) return (int)EngineStatus.BadLength;
        int n = (int)count;
        try
        {
            var batch = new (byte, ReadOnlyMemory<byte>)[n];
            var buffers = new ArrayBufferWriter<byte>[n];
            for (int i = 0; i < n; i++)
            {
                if (!Boundary.TrySpan(requests[i], requestLengths[i], out ReadOnlySpan<byte> input)) return Boundary.SpanStatus(requests[i], requestLengths[i]);
                batch[i] = (types[i], input.ToArray());
                buffers[i] = new ArrayBufferWriter<byte>();
            }
            RoleReply[] results = c.Role.ProcessBatchAsync(c.State, batch, buffers).GetAwaiter().GetResult();
            EngineStatus overall = EngineStatus.Ok;
            for (int i = 0; i < n; i++)
            {
                ReadOnlySpan<byte> written = buffers[i].WrittenSpan;
                replies[i] = new NativeReply { Status = (int)results[i].Status, Type = results[i].Type, Length = (nuint)written.Length };
                if (capacities[i] < (nuint)written.Length || (written.Length > 0 && responses[i] == null)) { overall = EngineStatus.DestinationTooSmall; continue; }
                written.CopyTo(new Span<byte>(responses[i], written.Length));
            }
            return (int)overall;
        }
        catch (Exception e) { return Boundary.Fail(e); }
    }
}

/// <summary>A C caller's connection: the role, its per-connection state, and the last response held for a retry.</summary>
internal sealed class NativeConnection(IEngineRole role, RoleConnection state) : IDisposable
{
    /// <summary>engine_connection_close: wipes the held response and what the role kept for the connection (a client's link keys).</summary>
    public void Dispose()
    {
        lock (this)
        {
            Response.Clear();
            (State.State as IDisposable)?.Dispose();
        }
    }

    public IEngineRole Role { get; } = role;

    public RoleConnection State { get; } = state;

    public ArrayBufferWriter<byte> Response { get; } = new();

    /// <summary>Where the last response goes (<see cref="RoleReply.Route"/>), null when back to the caller.</summary>
    public string? Route { get; set; }

    /// <summary>The caller's request buffer as Memory, for the length of one call.</summary>
    public NativeRequest Request { get; } = new();

    public unsafe int CopyResponse(EngineStatus status, byte type, byte* output, nuint capacity, NativeReply* reply)
    {
        ReadOnlySpan<byte> written = Response.WrittenSpan;
        *reply = new NativeReply { Status = (int)status, Type = type, Length = (nuint)written.Length };
        if (capacity < (nuint)written.Length || (written.Length > 0 && output == null)) return (int)EngineStatus.DestinationTooSmall;
        written.CopyTo(new Span<byte>(output, written.Length));
        return (int)EngineStatus.Ok;
    }
}

/// <summary>
/// A C caller's request bytes seen as <see cref="Memory{T}"/> without copying them: one per connection, pointed at the
/// caller's buffer for the length of one synchronous call (under the connection's lock), then pointed at nothing.
/// </summary>
internal sealed unsafe class NativeRequest : MemoryManager<byte>
{
    private byte* _pointer;
    private int _length;

    public void Point(byte* pointer, int length)
    {
        _pointer = pointer;
        _length = length;
    }

    public override Span<byte> GetSpan() => new(_pointer, _length);

    public override MemoryHandle Pin(int elementIndex = 0) => new(_pointer + elementIndex);

    public override void Unpin() { }

    protected override void Dispose(bool disposing) => Point(null, 0);
}
