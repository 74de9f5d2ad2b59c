using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Engine.Hosting;
using Engine.Hosting.Roles;
using Engine.IotAuth.Roles;
using Engine.Revocation.Roles;
using Engine.Revocation.Signatures;

namespace Engine.Interop.Exports;

/// <summary>
/// The calls of engine.h's "Protocol 3" and "Protocol 4" sections: a role whose own requests go out through the
/// host's transport, and what a host does to a role besides answering requests (rotate an operation centre's epoch
/// and persist its γ; hand a source CSP the authority's newer ring).
/// </summary>
public static unsafe class ProtocolRoleExports
{
    /// <summary>
    /// <c>engine_status engine_role_create_with_transport(engine_role **out, engine_host *host, const char *config_json,
    /// size_t config_len, engine_transport transport, void *context)</c>: as engine_role_create, the role's outgoing
    /// requests (an "iot-oc"'s to its cloud server, server 0) carried by <paramref name="transport"/>.
    /// </summary>
    [UnmanagedCallersOnly(EntryPoint = "engine_role_create_with_transport", CallConvs = [typeof(CallConvCdecl)])]
    public static int RoleCreateWithTransport(nint* output, nint host, byte* config, nuint configLength, nint transport, nint context)
    {
        if (output == null || config == null || transport == 0) return (int)EngineStatus.NullArgument;
        *output = 0;
        if (Handles.Get<EngineHost>(host) is not { } engineHost) return (int)EngineStatus.NullArgument;
        if (!Boundary.TrySpan(config, configLength, out ReadOnlySpan<byte> json)) return (int)EngineStatus.BadLength;
        try
        {
            var send = (delegate* unmanaged[Cdecl]<nint, uint, byte, byte*, nuint, byte*, nuint, NativeReply*, int>)transport;
            EngineStatus s = RoleConfiguration.Create(engineHost, json, new NativeTransport(send, context), out IEngineRole? role);
            if (s != EngineStatus.Ok) return (int)s;
            *output = Handles.Create(role!);
            return (int)EngineStatus.Ok;
        }
        catch (IOException) { return (int)EngineStatus.Unreachable; }           // the transport failed while the role fetched what it needs
        catch (Exception e) { return Boundary.Fail(e); }
    }

    /// <summary>
    /// <c>engine_status engine_iot_oc_rotate(engine_role *role, uint32_t *epoch)</c>: moves an "iot-oc" to its next epoch
    /// with a fresh γ (proofs under older tags fail from now on); *epoch is the new one. Persist the new γ
    /// (engine_iot_oc_export_tag_key) before relying on it.
    /// </summary>
    [UnmanagedCallersOnly(EntryPoint = "engine_iot_oc_rotate", CallConvs = [typeof(CallConvCdecl)])]
    public static int IotOcRotate(nint role, uint* epoch)
    {
        if (OperationCentreOf(role) is not { } oc) return (int)EngineStatus.NullArgument;
        try
        {
            uint next = oc.RotateEpoch();
            if (epoch != null) *epoch = next;
            return (int)EngineStatus.Ok;
        }
        catch (Exception e) { return Boundary.Fail(e); }
    }

    /// <summary>
    /// <c>engine_status engine_iot_oc_export_tag_key(engine_role *role, uint8_t gamma[32], uint32_t *epoch)</c>: the
    /// current epoch's γ (big-endian) and the epoch, for the host's protected key store; a role made again with them
    /// as "gamma" and "epoch" accepts the tags issued under them. The caller wipes gamma.
    /// </summary>
    [UnmanagedCallersOnly(EntryPoint = "engine_iot_oc_export_tag_key", CallConvs = [typeof(CallConvCdecl)])]
    public static int IotOcExportTagKey(nint role, byte* gamma, uint* epoch)
    {
        if (gamma == null || epoch == null) return (int)EngineStatus.NullArgument;
        if (OperationCentreOf(role) is not { } oc) return (int)EngineStatus.NullArgument;
        try
        {
            *epoch = oc.ExportTagKey(new Span<byte>(gamma, 32));
            return (int)EngineStatus.Ok;
        }
        catch (Exception e) { return Boundary.Fail(e); }
    }

    /// <summary>
    /// <c>engine_status engine_source_csp_update_ring(engine_role *role, const uint8_t *ring, size_t ring_len)</c>: hands a
    /// "source-csp" the authority's current ring (encoded as in its GetPublicKeys answer). ENGINE_EXPIRED for an older
    /// epoch or another ring: a source CSP never goes back.
    /// </summary>
    [UnmanagedCallersOnly(EntryPoint = "engine_source_csp_update_ring", CallConvs = [typeof(CallConvCdecl)])]
    public static int SourceCspUpdateRing(nint role, byte* ring, nuint ringLength)
    {
        if (ring == null) return (int)EngineStatus.NullArgument;
        if (((Handles.Get<IEngineRole>(role) as OwnedRole)?.Inner as RevocationRole)?.Role is not SourceCsp csp) return (int)EngineStatus.NullArgument;
        if (!Boundary.TrySpan(ring, ringLength, out ReadOnlySpan<byte> encoded)) return (int)EngineStatus.BadLength;
        try
        {
            EngineStatus s = Ring.Decode(encoded, out Ring? decoded);
            if (s != EngineStatus.Ok) return (int)s;
            return (int)(csp.UpdateRing(csp.RingKey, decoded!) ? EngineStatus.Ok : EngineStatus.Expired);
        }
        catch (Exception e) { return Boundary.Fail(e); }
    }

    private static OperationCenter? OperationCentreOf(nint role) => ((Handles.Get<IEngineRole>(role) as OwnedRole)?.Inner as IotRole)?.Role as OperationCenter;
}
