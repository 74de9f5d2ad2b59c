using System.Buffers;
using Engine.Primitives.Wire;
using System.Security.Cryptography;
using Engine.Primitives.Groups;
using Engine.Primitives.Schnorr;
using Engine.TwoServer.Integrity;
using Engine.TwoServer.Storage;
using Engine.TwoServer.Wire;

namespace Engine.TwoServer.Roles;

/// <summary>
/// Server S1 or S2 of Protocol 2 as a role object (DESIGN.md "pipelined host API"): requests in, responses out,
/// no sockets. It only stores and forwards (SPEC.md §2.6): users and their keys (established with the other
/// server's signed receipt, paper §5.3.1), groups, sessions (the sender's partition for this server), the uploads
/// of each round after checking the sender's signature, and each member's inbox of a closed round, signed.
/// Every request is checked (version, structure, sizes, signatures, round, replay) before it changes anything;
/// a refusal is one status byte and leaves the store as it was.
/// </summary>
/// <remarks>Thread-safe (the store is). Signatures are Schnorr in <see cref="SignatureGroup"/> (BLS12-381 G1 by default).</remarks>
public sealed partial class TwoServerNode
{
    /// <summary>Closed rounds whose inboxes stay available.</summary>
    public const int RoundsKept = 16;

    private const int MaxKeyBytes = 512, MaxSignatureBytes = 512;

    private readonly SchnorrSigningKey _key;
    private readonly byte[] _peerKey;
    private readonly ITwoServerStore _store;

    /// <summary>
    /// Server <paramref name="serverIndex"/> (1 or 2) with its signing key and the other server's public key, over
    /// <paramref name="parameters"/>; <paramref name="store"/> defaults to memory.
    /// </summary>
    public TwoServerNode(int serverIndex, SchnorrSigningKey key, ReadOnlySpan<byte> peerPublicKey, TwoServerParameters parameters, ITwoServerStore? store = null)
    {
        if (serverIndex is not (1 or 2)) throw new ArgumentOutOfRangeException(nameof(serverIndex), "Servers are 1 and 2.");
        ServerIndex = serverIndex;
        _key = key;
        _peerKey = peerPublicKey.ToArray();
        Parameters = parameters;
        _store = store ?? new InMemoryTwoServerStore();
        SignatureGroup = key.Group;
    }

    /// <summary>1 for S1, 2 for S2.</summary>
    public int ServerIndex { get; }

    /// <summary>The record parameters.</summary>
    public TwoServerParameters Parameters { get; }

    /// <summary>The group of every signature.</summary>
    public PrimeOrderGroup SignatureGroup { get; }

    /// <summary>This server's public key.</summary>
    public ReadOnlySpan<byte> PublicKey => _key.PublicKey;

    /// <summary>The store.</summary>
    public ITwoServerStore Store => _store;

    /// <summary>What clients may make this node store (checked before anything is stored).</summary>
    public TwoServerQuotas Quotas { get; init => (field = value).Validate(); } = TwoServerQuotas.Default;

    /// <summary>The clock that dates registrations (tests move it).</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    // Uploads per (round, sender) of the open round; older rounds' counts go when the round closes.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(long Round, string Sender), int> _uploadsThisRound = new();

    /// <summary>A fresh per-connection challenge.</summary>
    public static byte[] NewChallenge() => RandomNumberGenerator.GetBytes(TwoServerWire.ChallengeSize);

    /// <summary>The <see cref="TwoServerMessageType.Hello"/> payload for a connection with <paramref name="challenge"/>.</summary>
    public byte[] Hello(ReadOnlySpan<byte> challenge) => new TwoServerWire.Writer().Byte((byte)ServerIndex).Fixed(challenge).Blob(_key.PublicKey).ToArray();

    /// <summary>Closes the round open for uploads and opens the next; returns the new round.</summary>
    public long CloseRound() => Forget(_store.CloseRound(RoundsKept));

    /// <summary>
    /// Closes every round before <paramref name="round"/> (a server that restarts, or missed a tick, catches up with
    /// the clock that numbers the rounds); nothing when the open round is already there. Returns the open round.
    /// </summary>
    public long AdvanceRoundTo(long round) => Forget(_store.AdvanceRound(round, RoundsKept));

    private long Forget(long current)
    {
        foreach (var key in _uploadsThisRound.Keys)
            if (key.Round < current) _uploadsThisRound.TryRemove(key, out _);
        // The decoded copies of forgotten rounds go with them.
        foreach (var key in _closedRounds.Keys)
            if (key.Round < current - RoundsKept) _closedRounds.TryRemove(key, out _);
        return current;
    }

    /// <summary>
    /// <see cref="Process(TwoServerMessageType, ReadOnlySpan{byte}, ReadOnlySpan{byte}, out TwoServerMessageType, out byte[])"/>
    /// writing the answer into <paramref name="response"/>. The answers every member asks for every round are written
    /// there in place: refusals (the Error payload), the round (<see cref="TwoServerMessageType.GetRound"/>), uploads'
    /// acknowledgements, groups and the inboxes, so neither a flood of bad requests nor a round's traffic costs answer
    /// buffers (tests/Hosting/RoleAllocationTests measures it). The once-per-user answers (registration receipts,
    /// joins, sessions) are built and then copied in.
    /// </summary>
    public EngineStatus Process(TwoServerMessageType type, ReadOnlySpan<byte> request, ReadOnlySpan<byte> challenge,
                                IBufferWriter<byte> response, out TwoServerMessageType responseType)
    {
        var reader = TwoServerWire.Reader(request);
        EngineStatus status;
        if (reader.VersionMismatch) status = EngineStatus.UnsupportedVersion;
        else if (request.Length == 0) status = EngineStatus.Malformed;
        else if (type == TwoServerMessageType.GetRound)
        {
            if (!reader.AtEndOk) status = EngineStatus.Malformed;
            else
            {
                Span<byte> round = response.GetSpan(9);
                round[0] = TwoServerWire.Version;
                System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(round[1..], _store.CurrentRound);
                response.Advance(9);
                responseType = TwoServerMessageType.Round;
                return EngineStatus.Ok;
            }
        }
        else if (type == TwoServerMessageType.Upload)
        {
            // Uploads, every member's every round: the answer is the status alone, written in place.
            status = UploadNow(ref reader);
            responseType = WriteStatusAnswer(status, response);
            return status;
        }
        else if (type == TwoServerMessageType.GetGroup)
        {
            status = WriteGroup(ref reader, response);
            if (status == EngineStatus.Ok)
            {
                responseType = TwoServerMessageType.Group;
                return status;
            }
        }
        else if (type is TwoServerMessageType.Fetch or TwoServerMessageType.FetchDials)
        {
            // The inboxes, every member's every round: written in place (WriteDelivery), not built and copied in.
            status = type == TwoServerMessageType.Fetch ? FetchInto(ref reader, request, challenge, response) : FetchDialsInto(ref reader, request, challenge, response);
            if (status == EngineStatus.Ok)
            {
                responseType = TwoServerMessageType.Inbox;
                return status;
            }
        }
        else
        {
            status = ProcessCore(type, request, challenge, out responseType, out byte[]? payload);
            if (status == EngineStatus.Ok)
            {
                response.Write(payload);
                return status;
            }
        }
        responseType = TwoServerMessageType.Error;
        Span<byte> error = response.GetSpan(2);
        (error[0], error[1]) = (TwoServerWire.Version, (byte)status);
        response.Advance(2);
        return status;
    }

    /// <summary>
    /// Handles one request received on a connection whose challenge is <paramref name="challenge"/>: Ok with the
    /// response's type and payload, or the refusal (then <paramref name="response"/> is the Error payload).
    /// </summary>
    public EngineStatus Process(TwoServerMessageType type, ReadOnlySpan<byte> request, ReadOnlySpan<byte> challenge,
                                out TwoServerMessageType responseType, out byte[] response)
    {
        EngineStatus status = ProcessCore(type, request, challenge, out responseType, out byte[]? body);
        response = status == EngineStatus.Ok ? body! : new TwoServerWire.Writer().Byte((byte)status).ToArray();
        return status;
    }

    /// <summary>Answers a request: Ok with the answer's type and body, or the refusal's status (Error, no body).</summary>
    private EngineStatus ProcessCore(TwoServerMessageType type, ReadOnlySpan<byte> request, ReadOnlySpan<byte> challenge,
                                     out TwoServerMessageType responseType, out byte[]? response)
    {
        var reader = TwoServerWire.Reader(request);
        EngineStatus status;
        byte[]? body = null;
        responseType = TwoServerMessageType.Error;
        if (reader.VersionMismatch) status = EngineStatus.UnsupportedVersion;
        else if (request.Length == 0) status = EngineStatus.Malformed;
        else
        {
            (status, responseType, body) = type switch
            {
                TwoServerMessageType.Register => Register(ref reader),
                TwoServerMessageType.Confirm => Confirm(ref reader, request, challenge),
                TwoServerMessageType.Join => Join(ref reader, request, challenge),
                TwoServerMessageType.GetGroup => GetGroup(ref reader),
                TwoServerMessageType.OpenSession => OpenSession(ref reader, request, challenge),
                TwoServerMessageType.Upload => Upload(ref reader),
                TwoServerMessageType.Fetch => Fetch(ref reader, request, challenge),
                TwoServerMessageType.FetchDials => FetchDials(ref reader, request, challenge),
                TwoServerMessageType.GetRound => reader.AtEndOk ? (EngineStatus.Ok, TwoServerMessageType.Round, new TwoServerWire.Writer().Int64(_store.CurrentRound).ToArray())
                                                                : (EngineStatus.Malformed, TwoServerMessageType.Error, null),
                _ => (EngineStatus.UnknownMessageType, TwoServerMessageType.Error, null),
            };
        }
        if (status != EngineStatus.Ok)
        {
            responseType = TwoServerMessageType.Error;
            response = null;
            return status;
        }
        response = body!;
        return EngineStatus.Ok;
    }

    private static (EngineStatus, TwoServerMessageType, byte[]?) Fail(EngineStatus status) => (status, TwoServerMessageType.Error, null);

    private (EngineStatus, TwoServerMessageType, byte[]?) Register(ref WireReader reader)
    {
        string id = reader.Name();
        ReadOnlySpan<byte> key = reader.Blob(MaxKeyBytes);
        if (!reader.AtEndOk) return Fail(EngineStatus.Malformed);
        EngineStatus status = CheckKey(key);
        if (status != EngineStatus.Ok) return Fail(status);
        DateTimeOffset now = Clock.GetUtcNow();
        UserRecord? existing = _store.FindUser(id);
        if (existing is not null && !existing.Active && existing.Registered < now - Quotas.PendingRegistrationLifetime) existing = null;  // expired: the name is free
        if (existing is not null && (existing.Active || !existing.SigningKey.AsSpan().SequenceEqual(key))) return Fail(EngineStatus.Replay);
        if (existing is null)
        {
            if (_store.PendingUserCount >= Quotas.MaxPendingRegistrations && _store.RemovePendingBefore(now - Quotas.PendingRegistrationLifetime) == 0
                && _store.PendingUserCount >= Quotas.MaxPendingRegistrations)
                return Fail(EngineStatus.QuotaExceeded);
            _store.PutUser(new UserRecord(id, key.ToArray(), Active: false, Registered: now));
        }
        byte[] receipt = KeyRegistration.Receipt(_key, ServerIndex, id, key);
        return (EngineStatus.Ok, TwoServerMessageType.Registered, new TwoServerWire.Writer().Blob(receipt).ToArray());
    }

    private (EngineStatus, TwoServerMessageType, byte[]?) Confirm(ref WireReader reader, ReadOnlySpan<byte> request, ReadOnlySpan<byte> challenge)
    {
        string id = reader.Name();
        ReadOnlySpan<byte> otherKey = reader.Blob(MaxKeyBytes), otherReceipt = reader.Blob(MaxSignatureBytes);
        int signedLength = request.Length - RemainingAfter(ref reader, out ReadOnlySpan<byte> signature);
        if (!reader.AtEndOk) return Fail(EngineStatus.Malformed);
        UserRecord? user = _store.FindUser(id);
        if (user is null) return Fail(EngineStatus.NotFound);
        if (user.Active) return Fail(EngineStatus.Replay);
        // Only the key's holder may confirm (or, on a mismatch, abort) its registration: a forged Confirm changes nothing.
        if (SchnorrSignature.Verify(SignatureGroup, user.SigningKey, SignedMessages.Request("confirm", challenge, request[..signedLength]), signature) != EngineStatus.Ok)
            return Fail(EngineStatus.VerificationFailed);
        EngineStatus status = KeyRegistration.CrossCheck(SignatureGroup, _peerKey, 3 - ServerIndex, id, user.SigningKey, otherKey, otherReceipt);
        if (status != EngineStatus.Ok)
        {
            // The paper's rule: the servers saw different keys (or a forged receipt) → reject the key and abort.
            if (status == EngineStatus.VerificationFailed) _store.RemoveUser(id);
            return Fail(status);
        }
        _store.PutUser(user with { Active = true });
        return (EngineStatus.Ok, TwoServerMessageType.Confirmed, new TwoServerWire.Writer().ToArray());
    }

    private (EngineStatus, TwoServerMessageType, byte[]?) Join(ref WireReader reader, ReadOnlySpan<byte> request, ReadOnlySpan<byte> challenge)
    {
        string id = reader.Name(), group = reader.Name();
        int signedLength = request.Length - RemainingAfter(ref reader, out ReadOnlySpan<byte> signature);
        if (!reader.AtEndOk) return Fail(EngineStatus.Malformed);
        EngineStatus status = CheckRequestSignature(id, "join", challenge, request[..signedLength], signature);
        if (status != EngineStatus.Ok) return Fail(status);
        (int currentEpoch, IReadOnlyList<string> current) = _store.Group(group);
        if (IndexOf(current, id) < 0
            && (current.Count >= Quotas.MaxGroupMembers || _store.GroupsOf(id) >= Quotas.MaxGroupsPerUser || (currentEpoch == 0 && _store.GroupCount >= Quotas.MaxGroups)))
            return Fail(EngineStatus.QuotaExceeded);
        (int epoch, IReadOnlyList<string> members) = _store.AddMember(group, id);
        return (EngineStatus.Ok, TwoServerMessageType.Group, GroupPayload(epoch, members));
    }

    private (EngineStatus, TwoServerMessageType, byte[]?) GetGroup(ref WireReader reader)
    {
        string group = reader.Name();
        if (!reader.AtEndOk) return Fail(EngineStatus.Malformed);
        (int epoch, IReadOnlyList<string> members) = _store.Group(group);
        return epoch == 0 ? Fail(EngineStatus.NotFound) : (EngineStatus.Ok, TwoServerMessageType.Group, GroupPayload(epoch, members));
    }

    private static byte[] GroupPayload(int epoch, IReadOnlyList<string> members)
    {
        var payload = new ArrayBufferWriter<byte>();
        WriteGroupPayload(epoch, members, payload);
        return payload.WrittenSpan.ToArray();
    }

    /// <summary>GetGroup answered into <paramref name="response"/>: nothing is written unless the group exists.</summary>
    private EngineStatus WriteGroup(ref WireReader reader, IBufferWriter<byte> response)
    {
        string group = reader.Name();
        if (!reader.AtEndOk) return EngineStatus.Malformed;
        (int epoch, IReadOnlyList<string> members) = _store.Group(group);
        if (epoch == 0) return EngineStatus.NotFound;
        WriteGroupPayload(epoch, members, response);
        return EngineStatus.Ok;
    }

    /// <summary>version ‖ epoch (4) ‖ count (4) ‖ names (length (1) ‖ UTF-8 each), written field by field into <paramref name="destination"/>.</summary>
    private static void WriteGroupPayload(int epoch, IReadOnlyList<string> members, IBufferWriter<byte> destination)
    {
        Span<byte> head = destination.GetSpan(9);
        head[0] = TwoServerWire.Version;
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(head[1..], epoch);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(head[5..], members.Count);
        destination.Advance(9);
        foreach (string member in members)
        {
            int length = System.Text.Encoding.UTF8.GetByteCount(member);
            Span<byte> name = destination.GetSpan(1 + length);
            name[0] = (byte)length;
            System.Text.Encoding.UTF8.GetBytes(member, name[1..]);
            destination.Advance(1 + length);
        }
    }

    /// <summary>Reads the trailing signature blob; returns how many bytes it took (length prefix included).</summary>
    private static int RemainingAfter(ref WireReader reader, out ReadOnlySpan<byte> signature)
    {
        signature = reader.Blob(MaxSignatureBytes);
        return 4 + signature.Length;
    }

    private EngineStatus CheckKey(ReadOnlySpan<byte> key)
    {
        Span<ulong> element = stackalloc ulong[SignatureGroup.ElementLimbs];
        return SignatureGroup.Decode(key, element);
    }

    /// <summary>The user must be active and have signed kind ‖ challenge ‖ the request before its signature.</summary>
    private EngineStatus CheckRequestSignature(string id, string kind, ReadOnlySpan<byte> challenge, ReadOnlySpan<byte> signedPart, ReadOnlySpan<byte> signature)
    {
        UserRecord? user = _store.FindUser(id);
        if (user is null || !user.Active) return EngineStatus.NotFound;
        return SchnorrSignature.Verify(SignatureGroup, user.SigningKey, SignedMessages.Request(kind, challenge, signedPart), signature);
    }
}
