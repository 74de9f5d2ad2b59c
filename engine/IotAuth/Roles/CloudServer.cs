using System.Buffers;
using Engine.IotAuth.Storage;
using Engine.IotAuth.Trust;
using Engine.IotAuth.Wire;
using Engine.Primitives.Schnorr;
using Engine.Primitives.Wire;

namespace Engine.IotAuth.Roles;

/// <summary>
/// The cloud server CS of Protocol 3 (SPEC.md §3.2): it scores devices' reported attributes and peers' votes into a
/// trust level TL, encrypts TL to the device, keeps it, and answers the operation centre's signed queries with an
/// encrypted, signed TL so the OC can catch a device that lies about it. A device's keys are bound to its identifier
/// at its first evaluation; later reports must be signed by the same key.
/// </summary>
/// <remarks>
/// Every request is parsed and length-checked, its timestamp checked against the window and its signature verified
/// before anything is computed or stored. Thread-safe.
/// </remarks>
public sealed class CloudServer : IIotServerRole
{
    private readonly SchnorrSigningKey _signingKey;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, OperationCenterEntry> _operationCenters;
    private readonly TimeProvider _time;
    private long _evaluations, _refusals;

    /// <summary>A cloud server with the given trust model, key and the operation centres allowed to query it.</summary>
    public CloudServer(TrustConfiguration configuration, SchnorrSigningKey signingKey, IEnumerable<OperationCenterEntry> operationCenters,
                       ICloudStore? store = null, TimeProvider? timeProvider = null)
    {
        Configuration = configuration;
        _signingKey = signingKey;
        _operationCenters = new(operationCenters.Select(e => KeyValuePair.Create(e.Id, e)), StringComparer.Ordinal);
        Store = store ?? new InMemoryCloudStore();
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>The trust model.</summary>
    public TrustConfiguration Configuration { get; }

    /// <summary>The state.</summary>
    public ICloudStore Store { get; }

    /// <summary>
    /// Looks up an operation centre this server does not know yet (the server re-reads its trust files), so the CS and
    /// the OC can start in either order. Null answers "unknown".
    /// </summary>
    public Func<string, OperationCenterEntry?>? ResolveOperationCenter { get; init; }

    /// <summary>Largest timestamp skew accepted on requests.</summary>
    public TimeSpan TimestampWindow { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The CS's signing public key (devices and OCs check its answers with it).</summary>
    public ReadOnlySpan<byte> PublicKey => _signingKey.PublicKey;

    /// <summary>Evaluations done and requests refused.</summary>
    public (long Evaluations, long Refusals) Counts => (Interlocked.Read(ref _evaluations), Interlocked.Read(ref _refusals));

    /// <inheritdoc/>
    public byte[] Hello() => [];

    /// <inheritdoc/>
    public ValueTask<(EngineStatus Status, IotMessageType Type)> ProcessAsync(IotMessageType type, ReadOnlyMemory<byte> request, IBufferWriter<byte> response,
                                                                           CancellationToken cancellationToken = default)
        => ValueTask.FromResult(Process(type, request.Span, response));

    /// <summary>The synchronous span call behind <see cref="ProcessAsync"/>: the answer (or the Error) written into <paramref name="response"/>.</summary>
    public (EngineStatus Status, IotMessageType Type) Process(IotMessageType type, ReadOnlySpan<byte> request, IBufferWriter<byte> response)
    {
        (EngineStatus status, IotMessageType responseType, string? reason) = type switch
        {
            IotMessageType.Evaluate => Evaluate(request, response),
            IotMessageType.Vote => Vote(request, response),
            IotMessageType.QueryTrust => Query(request, response),
            _ => (EngineStatus.UnknownMessageType, IotMessageType.Error, null),
        };
        if (status == EngineStatus.Ok) return (status, responseType);
        Interlocked.Increment(ref _refusals);
        IotWire.Error(status, reason, response);
        return (status, IotMessageType.Error);
    }

    /// <summary>The array-returning form of <see cref="Process(IotMessageType, ReadOnlySpan{byte}, IBufferWriter{byte})"/>, for tests and tools.</summary>
    public (EngineStatus Status, IotMessageType Type, byte[] Payload) Process(IotMessageType type, ReadOnlySpan<byte> request)
    {
        var response = new ArrayBufferWriter<byte>();
        (EngineStatus status, IotMessageType answer) = Process(type, request, response);
        return (status, answer, response.WrittenSpan.ToArray());
    }

    private (EngineStatus, IotMessageType, string?) Evaluate(ReadOnlySpan<byte> request, IBufferWriter<byte> response)
    {
        WireReader r = IotWire.Reader(request);
        string id = r.Name();
        ReadOnlySpan<byte> signingKey = r.Fixed(IotAuthParameters.G1Size), encryptionKey = r.Fixed(IotAuthParameters.G1Size);
        ulong time = r.UInt64();
        int count = r.Byte();
        if (count != Configuration.Attributes.Count) return Refuse(EngineStatus.Malformed, $"expected {Configuration.Attributes.Count} attributes, got {count}");
        var values = new AttributeValue[count];
        for (int i = 0; i < count && r.Ok; i++) values[i] = new AttributeValue(r.Name(), IotWire.ReadDecimal(ref r));
        r.Fixed(IotWire.SignatureSize);
        if (!r.AtEndOk) return Refuse(r.VersionMismatch ? EngineStatus.UnsupportedVersion : EngineStatus.Malformed, "malformed evaluation request");
        if (!Signed.FreshMilliseconds(time, _time, TimestampWindow)) return Refuse(EngineStatus.Expired, "timestamp outside the window");

        DeviceTrustRecord? known = Store.Find(id);
        if (known is not null && !known.SigningKey.AsSpan().SequenceEqual(signingKey)) return Refuse(EngineStatus.VerificationFailed, "this identifier is bound to another key");
        if (known is not null && time <= known.EvaluatedAt) return Refuse(EngineStatus.Replay, "not newer than the last evaluation");
        EngineStatus status = Signed.Verify(request, signingKey);
        if (status != EngineStatus.Ok) return Refuse(status, "device signature");
        Span<ulong> scratch = stackalloc ulong[IotAuthParameters.Group.ElementLimbs];
        if ((status = IotAuthParameters.Group.Decode(encryptionKey, scratch)) != EngineStatus.Ok) return Refuse(status, "device encryption key");

        int tl;
        try { tl = TrustEvaluator.Evaluate(Configuration, values, VotesOn(id)); }
        catch (ArgumentException e) { return Refuse(EngineStatus.Malformed, e.Message.Split(" (Parameter")[0]); }
        if (!Store.Put(new DeviceTrustRecord(id, signingKey.ToArray(), encryptionKey.ToArray(), tl, time))) return Refuse(EngineStatus.CapacityExceeded, "device table full");
        Interlocked.Increment(ref _evaluations);

        SealSigned(IotWire.RentWriter().Name(id).UInt16((ushort)tl).UInt64(time), encryptionKey, "iot-auth/evaluated", id, response);
        return (EngineStatus.Ok, IotMessageType.Evaluated, null);
    }

    private (EngineStatus, IotMessageType, string?) Vote(ReadOnlySpan<byte> request, IBufferWriter<byte> response)
    {
        WireReader r = IotWire.Reader(request);
        string voter = r.Name(), subject = r.Name();
        byte vote = r.Byte();
        ulong time = r.UInt64();
        r.Fixed(IotWire.SignatureSize);
        if (!r.AtEndOk || vote > 1) return Refuse(r.VersionMismatch ? EngineStatus.UnsupportedVersion : EngineStatus.Malformed, "malformed vote");
        if (!Signed.FreshMilliseconds(time, _time, TimestampWindow)) return Refuse(EngineStatus.Expired, "timestamp outside the window");
        if (voter == subject) return Refuse(EngineStatus.Malformed, "a device cannot vote on itself");
        DeviceTrustRecord? v = Store.Find(voter);
        if (v is null) return Refuse(EngineStatus.NotFound, "unknown voter");
        if (Store.Find(subject) is null) return Refuse(EngineStatus.NotFound, "unknown subject");
        EngineStatus status = Signed.Verify(request, v.SigningKey);
        if (status != EngineStatus.Ok) return Refuse(status, "voter signature");
        if (!Store.PutVote(voter, subject, vote == 1, time)) return Refuse(EngineStatus.Replay, "not newer than this voter's last vote, or too many votes");
        return OperationCenter.Done(response);
    }

    private (EngineStatus, IotMessageType, string?) Query(ReadOnlySpan<byte> request, IBufferWriter<byte> response)
    {
        WireReader r = IotWire.Reader(request);
        string ocId = r.Name(), deviceId = r.Name();
        ReadOnlySpan<byte> nonce = r.Fixed(IotAuthParameters.NonceSize);
        ulong time = r.UInt64();
        r.Fixed(IotWire.SignatureSize);
        if (!r.AtEndOk) return Refuse(r.VersionMismatch ? EngineStatus.UnsupportedVersion : EngineStatus.Malformed, "malformed query");
        if (!_operationCenters.TryGetValue(ocId, out OperationCenterEntry? oc))
        {
            oc = ResolveOperationCenter?.Invoke(ocId);
            if (oc is null || oc.Id != ocId) return Refuse(EngineStatus.NotFound, "unknown operation centre");
            _operationCenters.TryAdd(ocId, oc);
        }
        if (!Signed.FreshMilliseconds(time, _time, TimestampWindow)) return Refuse(EngineStatus.Expired, "timestamp outside the window");
        EngineStatus status = Signed.Verify(request, oc.SigningKey);
        if (status != EngineStatus.Ok) return Refuse(status, "operation centre signature");
        DeviceTrustRecord? device = Store.Find(deviceId);
        if (device is null) return Refuse(EngineStatus.NotFound, "device never evaluated");
        SealSigned(IotWire.RentWriter().Name(deviceId).Fixed(device.SigningKey).UInt16((ushort)device.TrustLevel).Fixed(nonce).UInt64(Signed.NowMilliseconds(_time)),
                   oc.EncryptionKey, "iot-auth/trust-answer", ocId, response);
        return (EngineStatus.Ok, IotMessageType.TrustAnswer, null);
    }

    private IReadOnlyList<Vote> VotesOn(string id)
    {
        var votes = new List<Vote>();
        foreach ((string voter, bool approves) in Store.Votes(id))
        {
            int reputation = Configuration.Anchors.Contains(voter) ? TrustConfiguration.Scale : Store.Find(voter)?.TrustLevel ?? 0;
            votes.Add(new Vote(approves, reputation));
        }
        return votes;
    }

    /// <summary>Signs what the pooled <paramref name="body"/> holds, seals body ‖ σ to <paramref name="recipientKey"/> into the response and wipes the writer.</summary>
    private void SealSigned(WireWriter body, ReadOnlySpan<byte> recipientKey, string purpose, string recipient, IBufferWriter<byte> response)
    {
        Span<byte> signature = stackalloc byte[IotWire.SignatureSize];
        SchnorrSignature.Sign(_signingKey, body.WrittenSpan, signature);
        body.Fixed(signature);
        try { IotWire.Sealed.Seal(recipientKey, body.WrittenSpan, purpose, recipient, response); }
        finally { body.Release(); }
    }

    private static (EngineStatus, IotMessageType, string?) Refuse(EngineStatus status, string reason) => (status, IotMessageType.Error, reason);
}
