using System.Text;
using Engine.Interop.Exports;

namespace Engine.Tests.Interop;

/// <summary>
/// The C ABI's host and role entry points (engine.h, "Hosts and roles") called as unmanaged function pointers: the
/// code libengine.so exports, run here on the JIT so the tests need no C compiler.
/// </summary>
internal static unsafe class RoleAbi
{
    public static readonly delegate* unmanaged[Cdecl]<nint*, byte*, nuint, int> HostCreate = &RoleExports.HostCreate;
    public static readonly delegate* unmanaged[Cdecl]<nint, void> HostDestroy = &RoleExports.HostDestroy;
    public static readonly delegate* unmanaged[Cdecl]<nint*, nint, byte*, nuint, int> RoleCreate = &RoleExports.RoleCreate;
    public static readonly delegate* unmanaged[Cdecl]<nint, void> RoleDestroy = &RoleExports.RoleDestroy;
    public static readonly delegate* unmanaged[Cdecl]<nint*, nint, byte*, byte*, nuint, NativeReply*, int> ConnectionOpen = &RoleExports.ConnectionOpen;
    public static readonly delegate* unmanaged[Cdecl]<nint, void> ConnectionClose = &RoleExports.ConnectionClose;
    public static readonly delegate* unmanaged[Cdecl]<nint, byte, byte*, nuint, byte*, nuint, NativeReply*, int> Process = &RoleExports.Process;
    public static readonly delegate* unmanaged[Cdecl]<nint, byte*, nuint, nuint*, int> Route = &RoleExports.Route;
    public static readonly delegate* unmanaged[Cdecl]<nint*, nint, byte*, nuint, nint, nint, int> RoleCreateWithTransport = &ProtocolRoleExports.RoleCreateWithTransport;
    public static readonly delegate* unmanaged[Cdecl]<nint, uint*, int> IotOcRotate = &ProtocolRoleExports.IotOcRotate;
    public static readonly delegate* unmanaged[Cdecl]<nint, byte*, uint*, int> IotOcExportTagKey = &ProtocolRoleExports.IotOcExportTagKey;
    public static readonly delegate* unmanaged[Cdecl]<nint, byte*, nuint, int> SourceCspUpdateRing = &ProtocolRoleExports.SourceCspUpdateRing;

    /// <summary>engine_connection_route: where the connection's last response goes ("" when back to the caller).</summary>
    public static string RouteOf(nint connection)
    {
        byte[] route = new byte[256];
        nuint length;
        int status;
        fixed (byte* o = route) status = Route(connection, o, (nuint)route.Length, &length);
        if ((EngineStatus)status != EngineStatus.Ok) throw new InvalidOperationException($"engine_connection_route: {(EngineStatus)status}");
        return Encoding.UTF8.GetString(route, 0, (int)length);
    }

    /// <summary>engine_iot_oc_rotate: the call's status and the new epoch.</summary>
    public static (EngineStatus Status, uint Epoch) RotateOperationCentre(nint role)
    {
        uint epoch;
        EngineStatus status = (EngineStatus)IotOcRotate(role, &epoch);
        return (status, epoch);
    }

    /// <summary>engine_iot_oc_export_tag_key: the call's status, γ and the epoch.</summary>
    public static (EngineStatus Status, byte[] Gamma, uint Epoch) ExportTagKey(nint role)
    {
        byte[] gamma = new byte[32];
        uint epoch;
        int status;
        fixed (byte* g = gamma) status = IotOcExportTagKey(role, g, &epoch);
        return ((EngineStatus)status, gamma, epoch);
    }

    /// <summary>engine_source_csp_update_ring.</summary>
    public static EngineStatus UpdateRing(nint role, byte[] ring)
    {
        fixed (byte* r = ring) return (EngineStatus)SourceCspUpdateRing(role, r, (nuint)ring.Length);
    }

    /// <summary>engine_role_create_with_transport with <paramref name="json"/>, the transport a C function pointer and its context.</summary>
    public static EngineStatus CreateRole(nint host, string json, nint transport, nint context, out nint role)
    {
        byte[] config = Encoding.UTF8.GetBytes(json);
        nint r;
        int status;
        fixed (byte* c = config) status = RoleCreateWithTransport(&r, host, c, (nuint)config.Length, transport, context);
        role = r;
        return (EngineStatus)status;
    }

    /// <summary>engine_connection_close, engine_role_destroy, engine_host_destroy (callable outside an unsafe context).</summary>
    public static void Close(nint connection) => ConnectionClose(connection);

    /// <inheritdoc cref="Close"/>
    public static void Destroy(nint role) => RoleDestroy(role);

    /// <inheritdoc cref="Close"/>
    public static void DestroyHost(nint host) => HostDestroy(host);

    /// <summary>A host with default options.</summary>
    public static nint NewHost()
    {
        nint host;
        if ((EngineStatus)HostCreate(&host, null, 0) != EngineStatus.Ok) throw new InvalidOperationException("engine_host_create failed");
        return host;
    }

    /// <summary>engine_role_create with <paramref name="json"/>.</summary>
    public static EngineStatus CreateRole(nint host, string json, out nint role)
    {
        byte[] config = Encoding.UTF8.GetBytes(json);
        nint r;
        int status;
        fixed (byte* c = config) status = RoleCreate(&r, host, c, (nuint)config.Length);
        role = r;
        return (EngineStatus)status;
    }

    /// <summary>engine_connection_open from <paramref name="peer"/>; the greeting's type and bytes.</summary>
    public static (nint Connection, byte Type, byte[] Greeting) Open(nint role, string peer = "client")
    {
        byte[] name = Encoding.UTF8.GetBytes(peer + "\0"), greeting = new byte[4096];
        nint connection;
        NativeReply reply;
        int status;
        fixed (byte* p = name, g = greeting) status = ConnectionOpen(&connection, role, p, g, (nuint)greeting.Length, &reply);
        if ((EngineStatus)status != EngineStatus.Ok) throw new InvalidOperationException($"engine_connection_open: {(EngineStatus)status}");
        return (connection, reply.Type, greeting.AsSpan(0, (int)reply.Length).ToArray());
    }

    /// <summary>engine_role_process into a buffer of <paramref name="capacity"/> bytes: the call's status and the reply.</summary>
    public static (EngineStatus Call, EngineStatus Status, byte Type, byte[] Response) Request(nint connection, byte type, byte[] request, int capacity = 1 << 16)
    {
        byte[] response = new byte[capacity];
        NativeReply reply;
        int status;
        fixed (byte* q = request, r = response) status = Process(connection, type, q, (nuint)request.Length, r, (nuint)response.Length, &reply);
        return ((EngineStatus)status, (EngineStatus)reply.Status, reply.Type, response.AsSpan(0, (int)Math.Min(reply.Length, (nuint)capacity)).ToArray());
    }
}
