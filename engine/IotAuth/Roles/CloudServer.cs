using System.Text;
using Engine.IotAuth.Storage;
using Engine.IotAuth.Trust;
using Engine.IotAuth.Wire;
using Engine.Primitives.Encryption;
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
    public ValueTask<(EngineStatus Status, IotMessageType Type, byte[] Payload)> ProcessAsync(IotMessageType type, ReadOnlyMemory<byte> request, CancellationToken cancellationToken = default)
        => ValueTask.FromResult(Process(type, request.Span));

    /// <summary>The synchronous span call behind <see cref="ProcessAsync"/>.</summary>
    public (EngineStatus Status, IotMessageType Type, byte[] Payload) Process(IotMessageType type, ReadOnlySpan<byte> request)
    {
        (EngineStatus status, IotMessageType responseType, byte[] response, string? reason) = type switch
        {
            IotMessageType.Evaluate => Evaluate(request),
            IotMessageType.Vote => Vote(request),
            IotMessageType.QueryTrust => Query(request),
            _ => (EngineStatus.UnknownMessageType, IotMessageType.Error, [], null),
        };
        if (status == EngineStatus.Ok) return (status, responseType, response);
        Interlocked.Increment(ref _refusals);
        return (status, IotMessageType.Error, IotWire.Error(status, reason));
    }

    private (EngineStatus, IotMessageType, byte[], string?) Evaluate(ReadOnlySpan<byte> request)
    {
        WireReader r = IotWire.Reader(request);
        string id = r.Name();
        ReadOnlySpan<byte> signingKey = r.Fixed(IotAuthParameters.G1Size), encryptionKey = r.Fixed(IotAuthParameters.G1Size);
        ulong time = r.UInt64();
        int count = r.Byte();
        if (count != Configuration.Attributes.Count) return Refuse(EngineStatus.Malformed, $"expected {Configuration.Attributes.Count} attributes, got {count}");
        var values = new AttributeValue[count];
        for (int i = 0; i < count && r.Ok; i++) values[i] = new AttributeValue(r.Name(), ReadDecimal(ref r));
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

        byte[] body = Signed.Finish(new WireWriter(IotWire.Version).Name(id).UInt16((ushort)tl).UInt64(time), _signingKey);
        // The device gets TL ‖ T ‖ σ_CS(id ‖ TL ‖ T): the signed part minus the version and the id it knows.
        byte[] plaintext = body.AsSpan(1 + 1 + Encoding.UTF8.GetByteCount(id)).ToArray();
        return (EngineStatus.Ok, IotMessageType.Evaluated, Encrypt(encryptionKey, plaintext, "iot-auth/evaluated", id), null);
    }

    private (EngineStatus, IotMessageType, byte[], string?) Vote(ReadOnlySpan<byte> request)
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
        return (EngineStatus.Ok, IotMessageType.Done, IotWire.Writer().ToArray(), null);
    }

    private (EngineStatus, IotMessageType, byte[], string?) Query(ReadOnlySpan<byte> request)
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
        byte[] answer = Signed.Finish(new WireWriter(IotWire.Version).Name(deviceId).Fixed(device.SigningKey).UInt16((ushort)device.TrustLevel).Fixed(nonce).UInt64(Signed.NowMilliseconds(_time)), _signingKey);
        return (EngineStatus.Ok, IotMessageType.TrustAnswer, Encrypt(oc.EncryptionKey, answer, "iot-auth/trust-answer", ocId), null);
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

    internal static byte[] Encrypt(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> plaintext, string purpose, string recipient)
    {
        byte[] ciphertext = new byte[1 + plaintext.Length + HashedElGamal.Overhead(IotAuthParameters.Group)];
        ciphertext[0] = IotWire.Version;
        EngineStatus status = HashedElGamal.Encrypt(IotAuthParameters.Group, publicKey, plaintext, AssociatedData(purpose, recipient), ciphertext.AsSpan(1));
        if (status != EngineStatus.Ok) throw new EngineException(status, $"cannot encrypt to {recipient}'s key: {status}");
        return ciphertext;
    }

    /// <summary>AAD of an encrypted answer: "ENGINE-V1/" ‖ purpose ‖ 0 ‖ recipient, so one answer cannot stand for another.</summary>
    internal static byte[] AssociatedData(string purpose, string recipient) => Encoding.UTF8.GetBytes($"ENGINE-V1/{purpose}\0{recipient}");

    /// <summary>A decimal on the wire: mantissa (8, signed) ‖ scale (1, at most 18).</summary>
    internal static decimal ReadDecimal(ref WireReader r)
    {
        long mantissa = r.Int64();
        byte scale = r.Byte();
        if (scale > 18 || mantissa == long.MinValue)
        {
            r.Fail();
            return 0;
        }
        ulong magnitude = (ulong)Math.Abs(mantissa);
        return new decimal((int)(uint)magnitude, (int)(uint)(magnitude >> 32), 0, mantissa < 0, scale);
    }

    /// <summary>Writes a decimal as <see cref="ReadDecimal"/> reads it.</summary>
    /// <exception cref="ArgumentException">More than 18 decimal places or a mantissa beyond 64 bits.</exception>
    internal static void WriteDecimal(WireWriter w, decimal value)
    {
        int[] bits = decimal.GetBits(value);
        int scale = (bits[3] >> 16) & 0xff;
        if (bits[2] != 0 || (uint)bits[1] > int.MaxValue || scale > 18) throw new ArgumentException($"{value} does not fit the wire's decimal (64-bit mantissa, 18 places)");
        long mantissa = ((long)(uint)bits[1] << 32) | (uint)bits[0];
        w.Int64(value < 0 ? -mantissa : mantissa).Byte((byte)scale);
    }

    private (EngineStatus, IotMessageType, byte[], string?) Refuse(EngineStatus status, string reason) => (status, IotMessageType.Error, [], reason);
}
