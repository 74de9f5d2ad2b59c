using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using Engine.Hosting.Onion;
using Engine.Onion.Keys;

namespace Engine.Hosting.Roles;

/// <summary>
/// Protocol 1's key generation centre and node directory under the role contract (request and reply types are
/// <see cref="KgcFrameType"/>; no greeting): it issues partial keys over the enrolment channel (<see cref="Enrolment"/>),
/// records where each enrolled node listens (the connection's <see cref="RoleConnection.RemoteAddress"/> and the port
/// the node names), and serves the signed node list with the endpoints. Every request is checked before any
/// exponentiation; a bad one is answered with an Error frame of its status.
/// </summary>
public sealed class KgcRole : IEngineRole, IDisposable
{
    private readonly KeyGenerationCenter _kgc;
    private readonly byte[] _enrolmentKey;
    private readonly ConcurrentDictionary<string, IPEndPoint> _endpoints = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _lastRegistration = new(StringComparer.Ordinal);

    /// <summary>A role for <paramref name="kgc"/>; nodes prove they hold <paramref name="enrolmentKey"/> (32 bytes).</summary>
    public KgcRole(KeyGenerationCenter kgc, ReadOnlySpan<byte> enrolmentKey)
    {
        if (enrolmentKey.Length != Enrolment.KeySize) throw new ArgumentException("The enrolment key has 32 bytes.", nameof(enrolmentKey));
        _kgc = kgc;
        _enrolmentKey = GC.AllocateArray<byte>(Enrolment.KeySize, pinned: true);
        enrolmentKey.CopyTo(_enrolmentKey);
    }

    /// <inheritdoc/>
    public string Name => "kgc";

    /// <summary>Called with each accepted registration (identity, endpoint, its time) before it is acknowledged: a durable store commits it here.</summary>
    public Action<string, IPEndPoint, long>? OnRegistered { get; init; }

    /// <summary>Registered endpoints by identity.</summary>
    public IReadOnlyDictionary<string, IPEndPoint> Endpoints => _endpoints;

    /// <summary>The store this KGC shares with its other instances, pulled before answering (null: this instance alone).</summary>
    public Engine.Hosting.Onion.SharedKgcDirectory? Shared { get; init; }

    /// <summary>Takes the endpoints other instances registered, where their registration is newer than the one held here.</summary>
    public void MergeEndpoints(IEnumerable<(string Id, IPEndPoint EndPoint, long RegisteredUnixMs)> saved)
    {
        foreach ((string id, IPEndPoint endpoint, long unixMs) in saved)
            if (TryAdvance(id, unixMs)) _endpoints[id] = endpoint;
    }

    /// <summary>Puts back the endpoints a store saved, with their registration times, so older registrations stay replays.</summary>
    public void RestoreEndpoints(IEnumerable<(string Id, IPEndPoint EndPoint, long RegisteredUnixMs)> saved)
    {
        foreach ((string id, IPEndPoint endpoint, long unixMs) in saved)
        {
            _endpoints[id] = endpoint;
            _lastRegistration[id] = unixMs;
        }
    }

    /// <inheritdoc/>
    public byte Open(RoleConnection connection, IBufferWriter<byte> greeting) => 0;

    /// <inheritdoc/>
    public RoleReply Process(RoleConnection connection, byte type, ReadOnlySpan<byte> request, IBufferWriter<byte> response)
    {
        switch ((KgcFrameType)type)
        {
            case KgcFrameType.Enrol:
            {
                // No pull first: an unauthenticated request costs no database read. An identity another instance enrolled
                // collides when it is recorded (after the enrolment key's check), and only then is the store pulled.
                EngineStatus status;
                byte[]? answer;
                try { status = Enrolment.Answer(_kgc, _enrolmentKey, request, out answer); }
                catch (EngineException e) when (e.Status == EngineStatus.Replay && Shared is not null)
                {
                    // Another instance enrolled this identity a moment ago: take its enrolment, then answer as a re-enrolment.
                    Shared.Pull(_kgc, this, force: true);
                    try { status = Enrolment.Answer(_kgc, _enrolmentKey, request, out answer); }
                    catch (EngineException again) { return Refuse(again.Status, response); }
                }
                if (status != EngineStatus.Ok) return Refuse(status, response);
                response.Write(answer);
                return new RoleReply(status, (byte)KgcFrameType.Enrolled);
            }
            case KgcFrameType.Register:
            {
                EngineStatus status = Enrolment.ReadRegistration(request, _enrolmentKey, DateTimeOffset.UtcNow, out string? id, out int port, out long unixMs);
                // Only enrolled identities have endpoints, and a registration older than the last accepted one is a replay.
                if (status == EngineStatus.Ok && !_kgc.IsEnrolled(id!) && Shared is not null) Shared.Pull(_kgc, this);   // enrolled at another instance?
                if (status == EngineStatus.Ok && !_kgc.IsEnrolled(id!)) status = EngineStatus.NotFound;
                if (status == EngineStatus.Ok && !TryAdvance(id!, unixMs)) status = EngineStatus.Replay;
                if (status != EngineStatus.Ok) return Refuse(status, response);
                // A network connection names the node's address; an in-process one (tests, a host on this machine) is loopback.
                IPAddress remote = connection.RemoteAddress ?? IPAddress.Loopback;
                var endpoint = new IPEndPoint(remote.IsIPv4MappedToIPv6 ? remote.MapToIPv4() : remote, port);
                try { OnRegistered?.Invoke(id!, endpoint, unixMs); }                  // durable before it is acknowledged
                catch (Exception e) when (e is System.Data.Common.DbException or IOException) { return Refuse(EngineStatus.InternalError, response); }
                _endpoints[id!] = endpoint;
                return new RoleReply(EngineStatus.Ok, (byte)KgcFrameType.Registered);
            }
            case KgcFrameType.GetDirectory:
                Shared?.Pull(_kgc, this);
                response.Write(KgcDirectoryServer.EncodeDirectory(_kgc.PublishNodeList(), _endpoints));
                return new RoleReply(EngineStatus.Ok, (byte)KgcFrameType.Directory);
            default:
                return Refuse(EngineStatus.UnknownMessageType, response);
        }
    }

    /// <inheritdoc/>
    public ValueTask<RoleReply> ProcessAsync(RoleConnection connection, byte type, ReadOnlyMemory<byte> request, IBufferWriter<byte> response,
                                             CancellationToken cancellationToken = default)
        => new(Process(connection, type, request.Span, response));       // one exponentiation per enrolment, nothing to batch

    /// <summary>Wipes the enrolment key.</summary>
    public void Dispose() => CryptographicOperations.ZeroMemory(_enrolmentKey);

    private bool TryAdvance(string id, long unixMs)
    {
        while (true)
        {
            if (!_lastRegistration.TryGetValue(id, out long last)) { if (_lastRegistration.TryAdd(id, unixMs)) return true; continue; }
            if (unixMs <= last) return false;
            if (_lastRegistration.TryUpdate(id, unixMs, last)) return true;
        }
    }

    private static RoleReply Refuse(EngineStatus status, IBufferWriter<byte> response)
    {
        response.GetSpan(1)[0] = (byte)status;
        response.Advance(1);
        return new RoleReply(status, (byte)KgcFrameType.Error);
    }
}
