namespace Engine.Interop.Exports;

/// <summary>
/// The C host's <c>engine_transport</c> callback (engine.h): how the library's outgoing requests (a Protocol 2 user's
/// to S1 and S2, an operation centre's to its cloud server, an accepting CSP's to its authorities) travel over the
/// host's own network stack. Calls are serialized: the host's callback never runs twice at once for one transport.
/// </summary>
internal sealed unsafe class NativeTransport(delegate* unmanaged[Cdecl]<nint, uint, byte, byte*, nuint, byte*, nuint, NativeReply*, int> send, nint context)
{
    /// <summary>The transport's type for "open a connection and write the server's greeting".</summary>
    public const byte Open = 0;

    /// <summary>The transport's type for "write the last response again" (after ENGINE_DESTINATION_TOO_SMALL).</summary>
    public const byte ResendLast = 255;

    private const int InitialCapacity = 64 * 1024;
    private readonly Lock _gate = new();

    /// <summary>Sends one request to <paramref name="server"/> and returns the answer (taken again at its size when it did not fit).</summary>
    public (EngineStatus Status, byte Type, byte[] Response) Call(uint server, byte type, ReadOnlySpan<byte> request)
    {
        lock (_gate)
        {
            byte[] buffer = new byte[InitialCapacity];
            NativeReply reply;
            int s;
            fixed (byte* r = request)
            fixed (byte* o = buffer)
                s = send(context, server, type, r, (nuint)request.Length, o, (nuint)buffer.Length, &reply);
            if (s == (int)EngineStatus.DestinationTooSmall && reply.Length > (nuint)buffer.Length && reply.Length <= 1 << 30)
            {
                buffer = new byte[(int)reply.Length];
                fixed (byte* o = buffer)
                    s = send(context, server, ResendLast, null, 0, o, (nuint)buffer.Length, &reply);
            }
            if (s != (int)EngineStatus.Ok) return ((EngineStatus)s, 0, []);
            if (reply.Length > (nuint)buffer.Length) return (EngineStatus.Malformed, 0, []);
            return (EngineStatus.Ok, reply.Type, buffer.AsSpan(0, (int)reply.Length).ToArray());
        }
    }
}
