using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using Engine.Primitives.Wire;
using Engine.Primitives.Batching;
using Engine.Primitives.Schnorr;
using Engine.TwoServer.Integrity;
using Engine.TwoServer.Partitions;
using Engine.TwoServer.Storage;
using Engine.TwoServer.Wire;

namespace Engine.TwoServer.Roles;

public sealed partial class TwoServerNode
{
    private const byte HasMembers = 1, HasThird = 2;

    // A closed round's uploads for one group, decoded once: every member's fetch reuses them.
    private readonly ConcurrentDictionary<(long Round, string Group, int Epoch), IReadOnlyList<ServerUpload>> _closedRounds = new();
    private long _forgottenBefore;

    private (EngineStatus, TwoServerMessageType, byte[]?) OpenSession(ref WireReader reader, ReadOnlySpan<byte> request, ReadOnlySpan<byte> challenge)
    {
        byte[] sessionId = reader.Fixed(TwoServerWire.SessionIdSize).ToArray();
        string group = reader.Name();
        int epoch = reader.Int32();
        string sender = reader.Name();
        byte flags = reader.Byte();
        if (!reader.Ok) return Fail(EngineStatus.Malformed);
        (int currentEpoch, IReadOnlyList<string> members) = _store.Group(group);
        if (currentEpoch == 0) return Fail(EngineStatus.NotFound);
        int n = members.Count, vectorBytes = (n + 7) / 8;
        if (flags > (HasMembers | HasThird) || ((flags & HasThird) != 0 && ServerIndex != 1)) return Fail(EngineStatus.Malformed);   // only S1 delivers a third share
        byte[] partition = reader.Fixed(vectorBytes).ToArray();
        byte[]? membersMask = (flags & HasMembers) != 0 ? reader.Fixed(vectorBytes).ToArray() : null;
        byte[]? third = (flags & HasThird) != 0 ? reader.Fixed(vectorBytes).ToArray() : null;
        int signedLength = request.Length - RemainingAfter(ref reader, out ReadOnlySpan<byte> signature);
        if (!reader.AtEndOk) return Fail(EngineStatus.Malformed);
        foreach (byte[]? vector in new[] { partition, membersMask, third })
        {
            if (vector is null) continue;
            EngineStatus decoded = PartitionVector.Decode(vector, n, out _);
            if (decoded != EngineStatus.Ok) return Fail(decoded);
        }
        if (epoch != currentEpoch) return Fail(EngineStatus.Expired);                     // the group changed: partitions are stale
        if (!members.Contains(sender, StringComparer.Ordinal)) return Fail(EngineStatus.NotFound);
        EngineStatus status = CheckRequestSignature(sender, "session", challenge, request[..signedLength], signature);
        if (status != EngineStatus.Ok) return Fail(status);
        if (_store.SessionsOf(group, epoch, sender) >= Quotas.MaxSessionsPerUserAndGroup) return Fail(EngineStatus.QuotaExceeded);
        if (!_store.TryAddSession(new SessionRecord(sessionId, group, epoch, n, sender, partition, membersMask, third))) return Fail(EngineStatus.Replay);
        return (EngineStatus.Ok, TwoServerMessageType.Ok, new TwoServerWire.Writer().ToArray());
    }

    /// <summary>An upload whose structure, session, round and size were checked; its signature is next.</summary>
    private sealed record PendingUpload(StoredUpload Upload, SessionRecord Session, byte[] SenderKey, byte[] SignedMessage);

    private (EngineStatus, TwoServerMessageType, byte[]?) Upload(ref WireReader reader)
    {
        EngineStatus status = UploadNow(ref reader);
        return status == EngineStatus.Ok ? (status, TwoServerMessageType.Ok, new TwoServerWire.Writer().ToArray()) : Fail(status);
    }

    /// <summary>An upload checked and stored on the calling thread; its answer (Ok, no body) is the caller's to write.</summary>
    private EngineStatus UploadNow(ref WireReader reader)
    {
        EngineStatus status = ParseUpload(ref reader, out PendingUpload? pending);
        if (status != EngineStatus.Ok) return status;
        if (SchnorrSignature.Verify(SignatureGroup, pending!.SenderKey, pending.SignedMessage, pending.Upload.SenderSignature) != EngineStatus.Ok)
            return EngineStatus.VerificationFailed;
        return StoreUpload(pending.Upload, pending.Session);
    }

    /// <summary>Everything about an upload but its signature, cheapest first (STYLE.md B6).</summary>
    private EngineStatus ParseUpload(ref WireReader reader, out PendingUpload? pending)
    {
        pending = null;
        long round = reader.Int64();
        ReadOnlySpan<byte> sessionId = reader.Fixed(TwoServerWire.SessionIdSize);
        ulong messageId = reader.UInt64();
        ReadOnlySpan<byte> shares = reader.Blob(4 * Parameters.RecordSize);
        ReadOnlySpan<byte> signature = reader.Blob(MaxSignatureBytes);
        if (!reader.AtEndOk) return EngineStatus.Malformed;
        SessionRecord? session = _store.FindSession(sessionId);
        if (session is null) return EngineStatus.NotFound;
        if ((round != _store.CurrentRound && round != TwoServerWire.DialRound) || session.Epoch != _store.GroupEpoch(session.Group)) return EngineStatus.Expired;
        if (shares.Length != (session.Third is null ? 2 : 4) * Parameters.RecordSize) return EngineStatus.BadLength;
        UserRecord? sender = _store.FindUser(session.SenderId);
        if (sender is null || !sender.Active) return EngineStatus.NotFound;
        if (_store.HasUpload(round, messageId, session.Group)) return EngineStatus.Replay;     // before the signature check it would cost
        if (round != TwoServerWire.DialRound && UploadsOf(session.SenderId, round) >= Quotas.MaxUploadsPerUserPerRound)
            return EngineStatus.QuotaExceeded;
        pending = new PendingUpload(new StoredUpload(round, messageId, session.SessionId, shares.ToArray(), signature.ToArray()), session, sender.SigningKey,
                                    SignedMessages.Upload(round, messageId, ServerIndex, session.Partition, shares));
        return EngineStatus.Ok;
    }

    // The per-round upload count: the store's when it is shared by several processes (a cluster's frontends), else this node's.
    private int UploadsOf(string sender, long round)
        => _store is ISharedUploadQuota shared ? shared.UploadsOf(sender, round) : _uploadsThisRound.GetValueOrDefault((round, sender));

    private EngineStatus StoreUpload(StoredUpload upload, SessionRecord session)
    {
        if (upload.Round == TwoServerWire.DialRound)
        {
            // The paper buffers "only one connection request" per user. One dial is an upload per part and fragment: with
            // κ = n parts, the largest element (3072-bit group, 384 bytes) and the longest sender id (DialContent) that
            // is n·⌈(384 + 255)/fragment⌉ uploads, so a sender keeps one such dial (and a little room), the oldest
            // uploads dropped first.
            int perFragment = Math.Max(1, Content.Fragments.DataPerFragment(Parameters));
            if (!_store.PutDial(session.Group, session.SenderId, upload, capacity: session.GroupSize * ((384 + Content.DialContent.MaxIdBytes + perFragment - 1) / perFragment) + 8))
                return EngineStatus.Replay;
            return EngineStatus.Ok;
        }
        if (_store.TryAddUpload(upload))
        {
            if (_store is ISharedUploadQuota shared) shared.CountUpload(session.SenderId, upload.Round);
            else _uploadsThisRound.AddOrUpdate((upload.Round, session.SenderId), 1, (_, n) => n + 1);
            return EngineStatus.Ok;
        }
        return upload.Round != _store.CurrentRound ? EngineStatus.Expired : EngineStatus.Replay;   // the round closed meanwhile, or a repeated id
    }

    /// <summary>
    /// The pipelined form of <see cref="Process(TwoServerMessageType, ReadOnlySpan{byte}, ReadOnlySpan{byte}, out TwoServerMessageType, out byte[])"/> (DESIGN.md "pipelined host API"): with <see cref="Verifier"/> set, an
    /// upload's signature joins the batch of concurrent uploads' signatures (one multi-exponentiation for many);
    /// every other request is answered at once.
    /// </summary>
    public async ValueTask<(EngineStatus Status, TwoServerMessageType Type, byte[] Response)> ProcessAsync(TwoServerMessageType type, ReadOnlyMemory<byte> request,
                                                                                                      ReadOnlyMemory<byte> challenge)
    {
        if (type != TwoServerMessageType.Upload || Verifier is null)
        {
            EngineStatus status = Process(type, request.Span, challenge.Span, out TwoServerMessageType responseType, out byte[] response);
            return (status, responseType, response);
        }
        EngineStatus result = await UploadBatchedAsync(request).ConfigureAwait(false);
        if (result == EngineStatus.Ok) return (EngineStatus.Ok, TwoServerMessageType.Ok, new TwoServerWire.Writer().ToArray());
        return (result, TwoServerMessageType.Error, new TwoServerWire.Writer().Byte((byte)result).ToArray());
    }

    /// <summary>
    /// The pipelined call writing its answer into <paramref name="response"/> (what the role contract calls): an
    /// upload's signature joins the batch; the Ok or Error answer is written in place, like every other answer of
    /// <see cref="Process(TwoServerMessageType, ReadOnlySpan{byte}, ReadOnlySpan{byte}, IBufferWriter{byte}, out TwoServerMessageType)"/>.
    /// </summary>
    public async ValueTask<(EngineStatus Status, TwoServerMessageType Type)> ProcessAsync(TwoServerMessageType type, ReadOnlyMemory<byte> request, ReadOnlyMemory<byte> challenge,
                                                                                       IBufferWriter<byte> response)
    {
        if (type != TwoServerMessageType.Upload || Verifier is null)
        {
            EngineStatus status = Process(type, request.Span, challenge.Span, response, out TwoServerMessageType responseType);
            return (status, responseType);
        }
        EngineStatus result = await UploadBatchedAsync(request).ConfigureAwait(false);
        return (result, WriteStatusAnswer(result, response));
    }

    private async ValueTask<EngineStatus> UploadBatchedAsync(ReadOnlyMemory<byte> request)
    {
        (EngineStatus result, PendingUpload? pending) = ParseUpload(request);
        if (result != EngineStatus.Ok) return result;
        EngineStatus verified = await Verifier!.VerifyAsync(pending!.SenderKey, pending.SignedMessage, pending.Upload.SenderSignature).ConfigureAwait(false);
        return verified == EngineStatus.Ok ? StoreUpload(pending.Upload, pending.Session) : EngineStatus.VerificationFailed;
    }

    /// <summary>Writes the answer of a request whose answer is its status alone (Ok: the version byte; else Error: version ‖ status) and returns its type.</summary>
    private static TwoServerMessageType WriteStatusAnswer(EngineStatus status, IBufferWriter<byte> response)
    {
        Span<byte> answer = response.GetSpan(2);
        answer[0] = TwoServerWire.Version;
        if (status == EngineStatus.Ok)
        {
            response.Advance(1);
            return TwoServerMessageType.Ok;
        }
        answer[1] = (byte)status;
        response.Advance(2);
        return TwoServerMessageType.Error;
    }

    private (EngineStatus, PendingUpload?) ParseUpload(ReadOnlyMemory<byte> request)
    {
        var reader = TwoServerWire.Reader(request.Span);
        if (reader.VersionMismatch) return (EngineStatus.UnsupportedVersion, null);
        if (request.Length == 0) return (EngineStatus.Malformed, null);
        EngineStatus status = ParseUpload(ref reader, out PendingUpload? pending);
        return (status, pending);
    }

    /// <summary>Batches the signature checks of concurrent uploads on <see cref="ProcessAsync(TwoServerMessageType, ReadOnlyMemory{byte}, ReadOnlyMemory{byte}, IBufferWriter{byte})"/> (null: each is checked at once).</summary>
    public SignatureBatcher? Verifier { get; init; }

    // The byte[] API of the fetches: the answer written into a writer of its own, then copied out (the IBufferWriter
    // path of Process writes it in place).
    private (EngineStatus, TwoServerMessageType, byte[]?) Fetch(ref WireReader reader, ReadOnlySpan<byte> request, ReadOnlySpan<byte> challenge)
    {
        var answer = new ArrayBufferWriter<byte>();
        EngineStatus status = FetchInto(ref reader, request, challenge, answer);
        return status == EngineStatus.Ok ? (status, TwoServerMessageType.Inbox, answer.WrittenSpan.ToArray()) : Fail(status);
    }

    private (EngineStatus, TwoServerMessageType, byte[]?) FetchDials(ref WireReader reader, ReadOnlySpan<byte> request, ReadOnlySpan<byte> challenge)
    {
        var answer = new ArrayBufferWriter<byte>();
        EngineStatus status = FetchDialsInto(ref reader, request, challenge, answer);
        return status == EngineStatus.Ok ? (status, TwoServerMessageType.Inbox, answer.WrittenSpan.ToArray()) : Fail(status);
    }

    /// <summary>A round's inbox for its member, signed by this server, written into <paramref name="response"/> (nothing on refusal).</summary>
    private EngineStatus FetchInto(ref WireReader reader, ReadOnlySpan<byte> request, ReadOnlySpan<byte> challenge, IBufferWriter<byte> response)
    {
        long round = reader.Int64();
        string group = reader.Name(), id = reader.Name();
        int signedLength = request.Length - RemainingAfter(ref reader, out ReadOnlySpan<byte> signature);
        if (!reader.AtEndOk) return EngineStatus.Malformed;
        long current = _store.CurrentRound;
        if (round < 1 || round >= current || round < current - RoundsKept) return EngineStatus.NotFound;     // open, future or forgotten
        // A node whose rounds another closes (a cluster frontend: the cluster's clock does) forgets old decoded rounds here.
        if (Interlocked.Exchange(ref _forgottenBefore, current) != current) Forget(current);
        EngineStatus status = CheckRequestSignature(id, "fetch", challenge, request[..signedLength], signature);
        if (status != EngineStatus.Ok) return status;
        (int epoch, IReadOnlyList<string> members) = _store.Group(group);
        int user = IndexOf(members, id);
        if (user < 0) return EngineStatus.NotFound;
        IReadOnlyList<ServerUpload> uploads = _closedRounds.GetOrAdd((round, group, epoch), key => Decode(key.Round, key.Group, key.Epoch, members.Count));
        WriteDelivery(round, user, uploads, response);
        return EngineStatus.Ok;
    }

    /// <summary>The dials waiting for their recipient, signed, written into <paramref name="response"/>; then marked fetched.</summary>
    private EngineStatus FetchDialsInto(ref WireReader reader, ReadOnlySpan<byte> request, ReadOnlySpan<byte> challenge, IBufferWriter<byte> response)
    {
        string group = reader.Name(), id = reader.Name();
        int signedLength = request.Length - RemainingAfter(ref reader, out ReadOnlySpan<byte> signature);
        if (!reader.AtEndOk) return EngineStatus.Malformed;
        EngineStatus status = CheckRequestSignature(id, "fetch-dials", challenge, request[..signedLength], signature);
        if (status != EngineStatus.Ok) return status;
        (int epoch, IReadOnlyList<string> members) = _store.Group(group);
        int user = IndexOf(members, id);
        if (user < 0) return EngineStatus.NotFound;
        IReadOnlyList<StoredUpload> pending = _store.PendingDials(group, id);
        IReadOnlyList<ServerUpload> uploads = Decode(pending, group, epoch, members.Count);
        WriteDelivery(TwoServerWire.DialRound, user, uploads, response);
        _store.MarkDialsFetched(group, id, uploads.Select(u => u.MessageId));
        return EngineStatus.Ok;
    }

    /// <summary>
    /// The Inbox answer (version, round, user, the inbox as a blob, this server's signature over
    /// <see cref="SignedMessages.Delivery"/> as a blob) written in place: the fan-out fills the answer's own inbox bytes,
    /// and only the signed message is copied, into pooled memory. An inbox is n records (about n × 771 bytes for the
    /// paper's groups), so the answer is no longer built, copied out and copied in again.
    /// </summary>
    private void WriteDelivery(long round, int user, IReadOnlyList<ServerUpload> uploads, IBufferWriter<byte> response)
    {
        int inboxSize = FanOut.InboxSize(uploads, user, Parameters.RecordSize), signatureSize = SchnorrSignature.SizeInBytes(SignatureGroup);
        int inboxAt = 1 + 8 + 4 + 4, signatureAt = inboxAt + inboxSize + 4, total = signatureAt + signatureSize;
        Span<byte> answer = response.GetSpan(total)[..total];
        answer[0] = TwoServerWire.Version;
        BinaryPrimitives.WriteInt64BigEndian(answer[1..], round);
        BinaryPrimitives.WriteInt32BigEndian(answer[9..], user);
        BinaryPrimitives.WriteInt32BigEndian(answer[13..], inboxSize);
        Span<byte> inbox = answer.Slice(inboxAt, inboxSize);
        FanOut.WriteInbox(uploads, user, Parameters.RecordSize, inbox);
        BinaryPrimitives.WriteInt32BigEndian(answer[(inboxAt + inboxSize)..], signatureSize);
        int signedSize = SignedMessages.DeliverySize(inboxSize);
        byte[] signed = ArrayPool<byte>.Shared.Rent(signedSize);
        try
        {
            SignedMessages.WriteDelivery(round, ServerIndex, user, inbox, signed.AsSpan(0, signedSize));
            SchnorrSignature.Sign(_key, signed.AsSpan(0, signedSize), answer.Slice(signatureAt, signatureSize));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(signed);
        }
        response.Advance(total);
    }

    private static int IndexOf(IReadOnlyList<string> sorted, string id)
    {
        int lo = 0, hi = sorted.Count - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1, c = string.CompareOrdinal(sorted[mid], id);
            if (c == 0) return mid;
            if (c < 0) lo = mid + 1; else hi = mid - 1;
        }
        return -1;
    }

    /// <summary>A closed round's uploads for one group and epoch, with their vectors decoded.</summary>
    private IReadOnlyList<ServerUpload> Decode(long round, string group, int epoch, int n) => Decode(_store.Uploads(round, group), group, epoch, n);

    private List<ServerUpload> Decode(IReadOnlyList<StoredUpload> storedUploads, string group, int epoch, int n)
    {
        var uploads = new List<ServerUpload>();
        int size = Parameters.RecordSize;
        foreach (StoredUpload stored in storedUploads)
        {
            SessionRecord? session = _store.FindSession(stored.SessionId);
            if (session is null || session.Group != group || session.Epoch != epoch) continue;
            PartitionVector.Decode(session.Partition, n, out PartitionVector? partition);
            PartitionVector? members = null, third = null;
            if (session.Members is not null) PartitionVector.Decode(session.Members, n, out members);
            if (session.Third is not null) PartitionVector.Decode(session.Third, n, out third);
            uploads.Add(new ServerUpload(stored.MessageId, partition!, stored.Shares.AsMemory(0, 2 * size), third,
                                         third is null ? default : stored.Shares.AsMemory(2 * size, 2 * size), members));
        }
        return uploads;
    }
}
