using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Engine.IotAuth.Auth;
using Engine.IotAuth.Tags;
using Engine.IotAuth.Trust;
using Engine.IotAuth.Wire;
using Engine.Pairing.Fields;
using Engine.Pairing.Groups;
using Engine.Primitives.Encryption;
using Engine.Primitives.Schnorr;
using Engine.Primitives.Wire;

namespace Engine.IotAuth.Roles;

/// <summary>What one authentication gave the device: the keys, the OC's session id, and how long the device's own work took.</summary>
public sealed record AuthenticationResult(SessionKeys Keys, byte[] SessionId, TimeSpan ProofTime, TimeSpan RoundTrip);

/// <summary>
/// An IoT device of Protocol 3: it reports attributes to the cloud server, registers with the operation centre,
/// obtains and checks its tag (SPEC.md §3.3), and authenticates anonymously with a key agreement (§3.4). Each step
/// exists as a payload builder and an answer reader (the span API) and as an async flow over an
/// <see cref="IIotConnection"/>; every answer is checked (signatures, timestamps, the tag's pairing equation) and
/// a bad one raises <see cref="EngineException"/> with the status.
/// </summary>
public sealed class Device : IDisposable
{
    private readonly SchnorrSigningKey _signingKey;
    private readonly HashedElGamalKey _encryptionKey;
    private readonly byte[] _cloudKey;
    private readonly TimeProvider _time;
    private ulong _lastTime;

    /// <summary>A device with its keys, its trust in one OC, and the CS's signing key.</summary>
    public Device(string id, SchnorrSigningKey signingKey, HashedElGamalKey encryptionKey, OperationCenterEntry operationCenter, ReadOnlySpan<byte> cloudSigningKey,
                  TimeProvider? timeProvider = null)
    {
        int bytes = Encoding.UTF8.GetByteCount(id);
        if (bytes is 0 or > IotAuthParameters.MaxIdentityBytes) throw new ArgumentException("A device identifier is 1 to 255 bytes of UTF-8.", nameof(id));
        Id = id;
        _signingKey = signingKey;
        _encryptionKey = encryptionKey;
        OperationCenter = operationCenter;
        _cloudKey = cloudSigningKey.ToArray();
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>The identifier.</summary>
    public string Id { get; }

    /// <summary>The OC this device trusts.</summary>
    public OperationCenterEntry OperationCenter { get; }

    /// <summary>The tag, once issued.</summary>
    public DeviceCredential? Credential { get; set; }

    /// <summary>The signing public key.</summary>
    public ReadOnlySpan<byte> SigningKey => _signingKey.PublicKey;

    /// <summary>The encryption public key.</summary>
    public ReadOnlySpan<byte> EncryptionKey => _encryptionKey.PublicKey;

    /// <summary>How long the last tag check (the pairing equation) took.</summary>
    public TimeSpan LastTagCheckTime { get; private set; }

    /// <summary>Largest clock skew accepted on the OC's challenges.</summary>
    public TimeSpan TimestampWindow { get; init; } = TimeSpan.FromSeconds(30);

    // Strictly increasing millisecond timestamps, so two requests in one millisecond are not taken for replays.
    private ulong NextTime()
    {
        ulong now = Signed.NowMilliseconds(_time), t;
        do
        {
            ulong last = Interlocked.Read(ref _lastTime);
            t = Math.Max(now, last + 1);
            if (Interlocked.CompareExchange(ref _lastTime, t, last) == last) return t;
        } while (true);
    }

    /// <summary>The signed <see cref="IotMessageType.Evaluate"/> request for these attribute values.</summary>
    public byte[] EvaluateRequest(IReadOnlyList<AttributeValue> attributes)
    {
        if (attributes.Count > TrustConfiguration.MaxAttributes) throw new ArgumentException("Too many attributes.", nameof(attributes));
        WireWriter w = IotWire.Writer().Name(Id).Fixed(SigningKey).Fixed(EncryptionKey).UInt64(NextTime()).Byte((byte)attributes.Count);
        foreach (AttributeValue a in attributes)
        {
            w.Name(a.Name);
            IotWire.WriteDecimal(w, a.Value);
        }
        return Signed.Finish(w, _signingKey);
    }

    /// <summary>Reads <see cref="IotMessageType.Evaluated"/>: opens it, checks that it names this device and the CS's signature; returns TL.</summary>
    public int ReadEvaluated(ReadOnlySpan<byte> payload)
    {
        byte[] answer = Open(payload, "iot-auth/evaluated");
        WireReader r = IotWire.Reader(answer);
        string id = r.Name();
        int tl = r.UInt16();
        r.UInt64();
        r.Fixed(IotWire.SignatureSize);
        if (!r.AtEndOk || id != Id || tl > TrustConfiguration.Scale) throw new EngineException(EngineStatus.Malformed, "the cloud server's answer is not a TL for this device");
        Check(Signed.Verify(answer, _cloudKey), "the cloud server's signature on TL");
        return tl;
    }

    /// <summary>The <see cref="IotMessageType.Register"/> request, authenticated with the out-of-band enrolment key.</summary>
    public byte[] RegisterRequest(ReadOnlySpan<byte> enrolmentKey)
    {
        WireWriter w = IotWire.Writer().Name(Id).Fixed(SigningKey).Fixed(EncryptionKey).UInt64(NextTime());
        Span<byte> mac = stackalloc byte[IotWire.MacSize];
        HMACSHA256.HashData(enrolmentKey, w.WrittenSpan, mac);
        return w.Fixed(mac).ToArray();
    }

    /// <summary>The report of SPEC.md §3.3 step 1: Enc_OC(ID ‖ TL ‖ T ‖ Sign_IoTD(ID ‖ TL ‖ T)), as a sealed signed payload.</summary>
    public byte[] TagRequest(int trustLevel)
    {
        byte[] signed = Signed.Finish(IotWire.Writer().Name(Id).UInt16((ushort)trustLevel).UInt64(NextTime()), _signingKey);
        return IotWire.Sealed.Seal(OperationCenter.EncryptionKey, signed, "iot-auth/report", OperationCenter.Id);
    }

    /// <summary>Reads the OC's <see cref="IotMessageType.Hello"/>: checks its signature and returns (epoch, W).</summary>
    public (uint Epoch, G2Affine TagKey) ReadHello(ReadOnlySpan<byte> hello)
    {
        Check(Signed.Verify(hello, OperationCenter.SigningKey), "the operation centre's signature on its hello");
        WireReader r = IotWire.Reader(hello);
        string id = r.Name();
        uint epoch = r.UInt32();
        ReadOnlySpan<byte> w = r.Fixed(IotAuthParameters.G2Size);
        r.Fixed(IotWire.SignatureSize);
        if (!r.AtEndOk || id != OperationCenter.Id) throw new EngineException(EngineStatus.Malformed, "not this operation centre's hello");
        Check(G2Affine.Decode(w, out G2Affine key), "W");
        return (epoch, key);
    }

    /// <summary>
    /// Reads <see cref="IotMessageType.Tag"/> (the OC's signed hello of the tag's epoch, then the encrypted tag), checks
    /// e(A, W·g2^m) = e(g1, g2) under that hello's W, and keeps the credential.
    /// </summary>
    public DeviceCredential ReadTag(ReadOnlySpan<byte> payload)
    {
        WireReader r = IotWire.Reader(payload);
        int helloLength = r.UInt16();
        ReadOnlySpan<byte> hello = r.Fixed(helloLength);
        if (!r.Ok || payload.Length < 3 + helloLength) throw new EngineException(EngineStatus.Malformed, "malformed tag answer");
        (uint epoch, G2Affine w) = ReadHello(hello);
        byte[] plaintext = Open(payload[(3 + helloLength)..], "iot-auth/tag");
        try
        {
            if (plaintext.Length != 116) throw new EngineException(EngineStatus.Malformed, "the tag answer has the wrong size");
            Check(G1Affine.Decode(plaintext.AsSpan(0, 48), out G1Affine tag), "A");
            Check(Fr.Decode(plaintext.AsSpan(48, 32), out Fr m), "m");
            uint tagEpoch = BinaryPrimitives.ReadUInt32BigEndian(plaintext.AsSpan(112));
            if (tagEpoch != epoch) throw new EngineException(EngineStatus.Expired, $"the tag is for epoch {tagEpoch}, the operation centre is at {epoch}");
            // m must be the hash of our own identifier: otherwise the tag is someone else's.
            if (TagMessage.Compute(Encoding.UTF8.GetBytes(Id), tagEpoch, plaintext.AsSpan(80, 32)) != m)
                throw new EngineException(EngineStatus.VerificationFailed, "m is not H_id of this device's identifier");
            long started = System.Diagnostics.Stopwatch.GetTimestamp();
            Check(DeviceCredential.Create(tag, m, tagEpoch, plaintext.AsSpan(80, 32), w, Encoding.UTF8.GetBytes(OperationCenter.Id), out DeviceCredential? credential), "the tag's pairing check");
            LastTagCheckTime = System.Diagnostics.Stopwatch.GetElapsedTime(started);
            credential!.Precompute();
            Credential?.Dispose();
            Credential = credential;
            return credential;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    /// <summary>
    /// Reads the OC's <see cref="IotMessageType.Challenge"/> (checks σ_OC, the OC id and T), proves, and returns the
    /// <see cref="IotMessageType.Authenticate"/> request with the session keys.
    /// </summary>
    public (byte[] Request, SessionKeys Keys) Respond(ReadOnlySpan<byte> challengePayload)
    {
        DeviceCredential credential = Credential ?? throw new InvalidOperationException("The device has no tag yet.");
        if (challengePayload.Length <= 1 + IotWire.SignatureSize) throw new EngineException(EngineStatus.BadLength, "the challenge is too short");
        if (challengePayload[0] != IotWire.Version) throw new EngineException(EngineStatus.UnsupportedVersion, "challenge version");
        Check(Signed.Verify(challengePayload, OperationCenter.SigningKey), "the operation centre's signature on the challenge");
        ReadOnlySpan<byte> fields = challengePayload[1..^IotWire.SignatureSize];
        Check(ChallengeFields.TryParse(fields, out ChallengeFields ch), "the challenge fields");
        if (!ch.OperatorId.SequenceEqual(Encoding.UTF8.GetBytes(OperationCenter.Id))) throw new EngineException(EngineStatus.VerificationFailed, "the challenge names another operation centre");
        if (!Signed.Fresh(ch.Timestamp, _time, TimestampWindow)) throw new EngineException(EngineStatus.Expired, "the challenge's timestamp is outside the window");
        byte[] request = new byte[1 + IotAuthParameters.NonceSize + IotAuthParameters.ProofSize];
        request[0] = IotWire.Version;
        ch.Nonce.CopyTo(request.AsSpan(1));
        Check(DeviceProver.Prove(credential, fields, request.AsSpan(1 + IotAuthParameters.NonceSize), out SessionKeys? keys), "proving");
        return (request, keys!);
    }

    /// <summary>Reads <see cref="IotMessageType.Authenticated"/>: checks the OC's key confirmation and returns (session id, the device's <see cref="IotMessageType.Confirm"/> request).</summary>
    public (byte[] SessionId, byte[] ConfirmRequest) Finish(ReadOnlySpan<byte> authenticated, SessionKeys keys)
    {
        WireReader r = IotWire.Reader(authenticated);
        byte[] sessionId = r.Fixed(IotWire.SessionIdSize).ToArray();
        ReadOnlySpan<byte> mac = r.Fixed(IotWire.MacSize);
        if (!r.AtEndOk) throw new EngineException(EngineStatus.Malformed, "malformed authentication answer");
        if (!keys.CheckConfirmation(ConfirmationRole.OperationCenter, mac)) throw new EngineException(EngineStatus.VerificationFailed, "the operation centre's key confirmation");
        Span<byte> own = stackalloc byte[IotWire.MacSize];
        keys.WriteConfirmation(ConfirmationRole.Device, own);
        return (sessionId, IotWire.Writer().Fixed(sessionId).Fixed(own).ToArray());
    }

    /// <summary>Reports attributes to the CS and returns the TL it assigned.</summary>
    public async Task<int> EvaluateAsync(IIotConnection cloud, IReadOnlyList<AttributeValue> attributes, CancellationToken cancellationToken = default)
        => ReadEvaluated(Expect(await cloud.RequestAsync(IotMessageType.Evaluate, EvaluateRequest(attributes), cancellationToken).ConfigureAwait(false), IotMessageType.Evaluated));

    /// <summary>Registers with the OC (idempotent for the same keys).</summary>
    public async Task RegisterAsync(IIotConnection operationCenter, ReadOnlyMemory<byte> enrolmentKey, CancellationToken cancellationToken = default)
        => Expect(await operationCenter.RequestAsync(IotMessageType.Register, RegisterRequest(enrolmentKey.Span), cancellationToken).ConfigureAwait(false), IotMessageType.Done);

    /// <summary>Asks the OC for a tag for the current epoch and keeps it.</summary>
    public async Task<DeviceCredential> RequestTagAsync(IIotConnection operationCenter, int trustLevel, CancellationToken cancellationToken = default)
        => ReadTag(Expect(await operationCenter.RequestAsync(IotMessageType.TagRequest, TagRequest(trustLevel), cancellationToken).ConfigureAwait(false), IotMessageType.Tag));

    /// <summary>Challenge, proof, both key confirmations: one anonymous authentication.</summary>
    public async Task<AuthenticationResult> AuthenticateAsync(IIotConnection operationCenter, CancellationToken cancellationToken = default)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        byte[] challenge = Expect(await operationCenter.RequestAsync(IotMessageType.GetChallenge, IotWire.Writer().ToArray(), cancellationToken).ConfigureAwait(false), IotMessageType.Challenge);
        var proving = System.Diagnostics.Stopwatch.StartNew();
        (byte[] request, SessionKeys keys) = Respond(challenge);
        TimeSpan proofTime = proving.Elapsed;
        try
        {
            byte[] answer = Expect(await operationCenter.RequestAsync(IotMessageType.Authenticate, request, cancellationToken).ConfigureAwait(false), IotMessageType.Authenticated);
            (byte[] sessionId, byte[] confirm) = Finish(answer, keys);
            Expect(await operationCenter.RequestAsync(IotMessageType.Confirm, confirm, cancellationToken).ConfigureAwait(false), IotMessageType.Done);
            return new AuthenticationResult(keys, sessionId, proofTime, started.Elapsed);
        }
        catch
        {
            keys.Dispose();
            throw;
        }
    }

    /// <summary>Votes on another device at the CS.</summary>
    public async Task VoteAsync(IIotConnection cloud, string subject, bool approves, CancellationToken cancellationToken = default)
    {
        byte[] request = Signed.Finish(IotWire.Writer().Name(Id).Name(subject).Byte(approves ? (byte)1 : (byte)0).UInt64(NextTime()), _signingKey);
        Expect(await cloud.RequestAsync(IotMessageType.Vote, request, cancellationToken).ConfigureAwait(false), IotMessageType.Done);
    }

    private byte[] Open(ReadOnlySpan<byte> payload, string purpose)
    {
        Check(IotWire.Sealed.Open(_encryptionKey, payload, purpose, Id, out byte[] plaintext), "opening the answer");
        return plaintext;
    }

    private static byte[] Expect((IotMessageType Type, byte[] Payload) answer, IotMessageType expected)
    {
        if (answer.Type == expected) return answer.Payload;
        if (answer.Type == IotMessageType.Error)
        {
            (EngineStatus status, string? reason) = IotWire.ReadError(answer.Payload);
            throw new EngineException(status, reason is null ? $"refused: {status}" : $"refused: {status}: {reason}");
        }
        throw new EngineException(EngineStatus.Malformed, $"expected {expected}, got {answer.Type}");
    }

    private static void Check(EngineStatus status, string what)
    {
        if (status != EngineStatus.Ok) throw new EngineException(status, $"{what}: {status}");
    }

    /// <summary>Wipes the credential (the keys belong to the caller).</summary>
    public void Dispose() => Credential?.Dispose();
}
