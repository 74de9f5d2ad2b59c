using System.Buffers.Binary;
using System.Net;
using System.Text;
using Engine.Hosting.Framing;
using Engine.Hosting.Roles;
using Engine.Onion.Keys;

namespace Engine.Hosting.Onion;

/// <summary>
/// The KGC of Protocol 1 as a reference server on Kestrel (raw TCP, length-prefixed frames, 127.0.0.1 by default):
/// <see cref="KgcRole"/> on the one <see cref="RoleServer"/>. It issues partial keys over the enrolment channel
/// (<see cref="Enrolment"/>), records where each node listens, and serves the signed node list with the endpoints;
/// every request is checked before any exponentiation and a bad one gets an <see cref="KgcFrameType.Error"/> frame
/// with its status.
/// </summary>
public sealed class KgcDirectoryServer : IAsyncDisposable
{
    private const int MaxFrameBytes = 64 * 1024;

    private readonly KgcRole _role;
    private RoleServer? _server;

    /// <summary>A server for <paramref name="kgc"/>; nodes prove they hold <paramref name="enrolmentKey"/> (32 bytes).</summary>
    /// <remarks>With <paramref name="shared"/>, this is one of several instances of the KGC on one store, each pulling what the others wrote.</remarks>
    public KgcDirectoryServer(KeyGenerationCenter kgc, ReadOnlySpan<byte> enrolmentKey, SharedKgcDirectory? shared = null)
        => _role = new KgcRole(kgc, enrolmentKey) { OnRegistered = (id, e, t) => OnRegistered?.Invoke(id, e, t), Shared = shared };

    /// <summary>The bound endpoint, once started.</summary>
    public IPEndPoint? EndPoint => _server?.EndPoint;

    /// <summary>Called with each accepted registration (identity, endpoint, its time) before it is acknowledged: a durable store commits it here.</summary>
    public Action<string, IPEndPoint, long>? OnRegistered { get; init; }

    /// <summary>Puts back the endpoints a store saved (before <see cref="StartAsync"/>), with their registration times, so older registrations stay replays.</summary>
    public void RestoreEndpoints(IEnumerable<(string Id, IPEndPoint EndPoint, long RegisteredUnixMs)> saved) => _role.RestoreEndpoints(saved);

    /// <summary>Registered endpoints by identity.</summary>
    public IReadOnlyDictionary<string, IPEndPoint> Endpoints => _role.Endpoints;

    /// <summary>Connection caps, timeouts and the send queue's size; set before <see cref="StartAsync"/>.</summary>
    public ConnectionLimits Limits { get; init; } = ConnectionLimits.Default;

    /// <summary>What the connection limits refused or closed.</summary>
    public ConnectionCounters Connections { get; } = new("kgc");

    /// <summary>Starts Kestrel on <paramref name="address"/> (loopback by default); port 0 picks a free port.</summary>
    public async Task StartAsync(IPAddress? address = null, int port = 0)
    {
        _server = new RoleServer(_role, MaxFrameBytes, Connections) { Limits = Limits };
        await _server.StartAsync(address, port).ConfigureAwait(false);
    }

    /// <summary>The <see cref="KgcFrameType.Directory"/> payload.</summary>
    internal static byte[] EncodeDirectory(byte[] nodeList, IReadOnlyDictionary<string, IPEndPoint> endpoints)
    {
        var buffer = new List<byte>(nodeList.Length + 64 * endpoints.Count);
        Span<byte> four = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(four, nodeList.Length);
        buffer.AddRange(four.ToArray());
        buffer.AddRange(nodeList);
        var entries = endpoints.OrderBy(e => e.Key, StringComparer.Ordinal).ToList();
        buffer.Add((byte)(entries.Count >> 8));
        buffer.Add((byte)entries.Count);
        foreach ((string id, IPEndPoint endpoint) in entries)
        {
            byte[] idBytes = Encoding.UTF8.GetBytes(id), address = Encoding.ASCII.GetBytes(endpoint.Address.ToString());
            buffer.Add((byte)idBytes.Length);
            buffer.AddRange(idBytes);
            buffer.Add((byte)address.Length);
            buffer.AddRange(address);
            buffer.Add((byte)(endpoint.Port >> 8));
            buffer.Add((byte)endpoint.Port);
        }
        return buffer.ToArray();
    }

    /// <summary>Parses a <see cref="KgcFrameType.Directory"/> payload: <see cref="EngineStatus.Malformed"/> or Ok.</summary>
    internal static EngineStatus DecodeDirectory(ReadOnlySpan<byte> payload, out byte[]? nodeList, out Dictionary<string, IPEndPoint>? endpoints)
    {
        nodeList = null;
        endpoints = null;
        if (payload.Length < 6) return EngineStatus.Malformed;
        int listLength = BinaryPrimitives.ReadInt32BigEndian(payload);
        if (listLength < 0 || payload.Length < 4L + listLength + 2) return EngineStatus.Malformed;   // long: 2³¹−1 must not wrap (found by fuzzing)
        byte[] list = payload.Slice(4, listLength).ToArray();
        int o = 4 + listLength;
        int count = BinaryPrimitives.ReadUInt16BigEndian(payload[o..]);
        o += 2;
        var map = new Dictionary<string, IPEndPoint>(StringComparer.Ordinal);
        for (int i = 0; i < count; i++)
        {
            if (o >= payload.Length) return EngineStatus.Malformed;
            int idLength = payload[o++];
            if (o + idLength + 1 > payload.Length) return EngineStatus.Malformed;
            string id = Encoding.UTF8.GetString(payload.Slice(o, idLength));
            o += idLength;
            int addressLength = payload[o++];
            if (o + addressLength + 2 > payload.Length) return EngineStatus.Malformed;
            if (!IPAddress.TryParse(Encoding.ASCII.GetString(payload.Slice(o, addressLength)), out IPAddress? address)) return EngineStatus.Malformed;
            o += addressLength;
            map[id] = new IPEndPoint(address, BinaryPrimitives.ReadUInt16BigEndian(payload[o..]));
            o += 2;
        }
        if (o != payload.Length) return EngineStatus.Malformed;
        nodeList = list;
        endpoints = map;
        return EngineStatus.Ok;
    }

    /// <summary>Stops Kestrel and wipes the enrolment key.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_server is not null) await _server.DisposeAsync().ConfigureAwait(false);
        _role.Dispose();
    }
}
