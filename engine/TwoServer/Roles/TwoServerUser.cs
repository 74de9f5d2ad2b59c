using Engine.Primitives.Wire;
using System.Buffers.Binary;
using System.Security.Cryptography;
using Engine.Primitives.Schnorr;
using Engine.TwoServer.Integrity;
using Engine.TwoServer.Partitions;
using Engine.TwoServer.Records;
using Engine.TwoServer.Wire;

namespace Engine.TwoServer.Roles;

/// <summary>A group as both servers announced it: the epoch and the member order that partitions use.</summary>
public sealed record GroupView(string Name, int Epoch, IReadOnlyList<string> Members)
{
    /// <summary>The member's index, or −1.</summary>
    public int IndexOf(string id)
    {
        for (int i = 0; i < Members.Count; i++) if (string.Equals(Members[i], id, StringComparison.Ordinal)) return i;
        return -1;
    }
}

/// <summary>An open session: its id, the group it was opened in, and the partition pair (the session key).</summary>
public sealed record TwoServerSession(byte[] Id, GroupView Group, GroupPartition Partition);

/// <summary>A fetched round: the reconstructed messages and the two signed inboxes (the member's evidence, paper §5.3.1).</summary>
public sealed record FetchedRound(long Round, int MemberIndex, IReadOnlyList<ReceivedMessage> Messages, byte[] InboxFromS1, byte[] SignatureFromS1,
                                  byte[] InboxFromS2, byte[] SignatureFromS2)
{
    /// <summary>
    /// The complete contents the accepted records carry (fragments reassembled, <see cref="Content.Fragments"/>), and
    /// how many records failed their integrity check (Tampered or Malformed: a server altered them).
    /// </summary>
    public (List<(Content.ContentKind Kind, byte[] Content)> Contents, int Tampered) Reassemble()
    {
        var accepted = Messages.Where(m => m.Verdict == RecordVerdict.Accepted)
                               .Select(m => Content.Fragments.Read(m.Payload, out Content.Fragment f) == EngineStatus.Ok ? f : (Content.Fragment?)null)
                               .Where(f => f is not null).Select(f => f!.Value);
        return (Content.Fragments.Reassemble(accepted), Messages.Count(m => m.Verdict is RecordVerdict.Tampered or RecordVerdict.Malformed));
    }
}

/// <summary>
/// A user of Protocol 2 talking to S1 and S2 (SPEC.md §2): registers its signing key with both (the servers
/// cross-sign it), joins groups, opens sessions (Algorithm 1 or 4 partitions), uploads signed shares each round
/// and fetches and reconstructs its inboxes, checking the servers' signatures. Every server answer is checked;
/// a refusal comes back as its <see cref="EngineStatus"/>.
/// </summary>
public sealed class TwoServerUser
{
    private readonly SchnorrSigningKey _key;
    private readonly ITwoServerConnection[] _servers;
    private readonly byte[][] _trusted;

    /// <summary>
    /// A user <paramref name="id"/> with its signing key and connections to S1 and S2, whose announced keys must equal
    /// <paramref name="trustedS1Key"/> and <paramref name="trustedS2Key"/>.
    /// </summary>
    /// <exception cref="EngineException">A connection is to the wrong server or announced another key (<see cref="EngineStatus.VerificationFailed"/>).</exception>
    public TwoServerUser(string id, TwoServerParameters parameters, SchnorrSigningKey key, ITwoServerConnection s1, ITwoServerConnection s2,
                         ReadOnlySpan<byte> trustedS1Key, ReadOnlySpan<byte> trustedS2Key)
    {
        Id = id;
        Parameters = parameters;
        _key = key;
        _servers = [s1, s2];
        _trusted = [trustedS1Key.ToArray(), trustedS2Key.ToArray()];
        for (int s = 0; s < 2; s++)
            if (_servers[s].ServerIndex != s + 1 || !_servers[s].ServerKey.Span.SequenceEqual(_trusted[s]))
                throw new EngineException(EngineStatus.VerificationFailed, $"Connection {s + 1} is not the trusted S{s + 1}.");
    }

    /// <summary>This user's identity.</summary>
    public string Id { get; }

    /// <summary>The record parameters (the servers' must match).</summary>
    public TwoServerParameters Parameters { get; }

    /// <summary>Registers the key with both servers and has each confirm the other's receipt (paper §5.3.1).</summary>
    public async Task<EngineStatus> RegisterAsync(CancellationToken cancellationToken = default)
    {
        var receipts = new byte[2][];
        for (int s = 0; s < 2; s++)
        {
            (EngineStatus status, byte[] payload) = await CallAsync(s, TwoServerMessageType.Register, TwoServerMessageType.Registered,
                                                                   new TwoServerWire.Writer().Name(Id).Blob(_key.PublicKey).ToArray(), cancellationToken).ConfigureAwait(false);
            if (status != EngineStatus.Ok) return status;
            var reader = TwoServerWire.Reader(payload);
            receipts[s] = reader.Blob(512).ToArray();
            if (!reader.AtEndOk) return EngineStatus.Malformed;
        }
        for (int s = 0; s < 2; s++)
        {
            byte[] request = Signed(s, "confirm", new TwoServerWire.Writer().Name(Id).Blob(_key.PublicKey).Blob(receipts[1 - s]));
            (EngineStatus status, _) = await CallAsync(s, TwoServerMessageType.Confirm, TwoServerMessageType.Confirmed, request, cancellationToken).ConfigureAwait(false);
            if (status != EngineStatus.Ok) return status;
        }
        return EngineStatus.Ok;
    }

    /// <summary>
    /// Joins <paramref name="group"/> at both servers. Other joins may land in between, so the two answers need not
    /// agree yet: call <see cref="GetGroupAsync"/> (which requires both servers to agree) before opening sessions.
    /// </summary>
    public async Task<EngineStatus> JoinAsync(string group, CancellationToken cancellationToken = default)
    {
        for (int s = 0; s < 2; s++)
        {
            byte[] request = Signed(s, "join", new TwoServerWire.Writer().Name(Id).Name(group));
            (EngineStatus status, byte[] payload) = await CallAsync(s, TwoServerMessageType.Join, TwoServerMessageType.Group, request, cancellationToken).ConfigureAwait(false);
            if (status != EngineStatus.Ok) return status;
            GroupView? view = ParseGroup(group, payload);
            if (view is null) return EngineStatus.Malformed;
            if (view.IndexOf(Id) < 0) return EngineStatus.VerificationFailed;       // the server says we joined but does not list us
        }
        return EngineStatus.Ok;
    }

    /// <summary>The group as both servers announce it (they must agree).</summary>
    public async Task<(EngineStatus Status, GroupView? Group)> GetGroupAsync(string group, CancellationToken cancellationToken = default)
    {
        var views = new GroupView?[2];
        for (int s = 0; s < 2; s++)
        {
            (EngineStatus status, byte[] payload) = await CallAsync(s, TwoServerMessageType.GetGroup, TwoServerMessageType.Group,
                                                                   new TwoServerWire.Writer().Name(group).ToArray(), cancellationToken).ConfigureAwait(false);
            if (status != EngineStatus.Ok) return (status, null);
            if ((views[s] = ParseGroup(group, payload)) is null) return (EngineStatus.Malformed, null);
        }
        return Agree(views[0]!, views[1]!);
    }

    private static (EngineStatus, GroupView?) Agree(GroupView a, GroupView b)
        => a.Epoch == b.Epoch && a.Members.SequenceEqual(b.Members, StringComparer.Ordinal) ? (EngineStatus.Ok, a) : (EngineStatus.VerificationFailed, null);

    private static GroupView? ParseGroup(string name, byte[] payload)
    {
        var reader = TwoServerWire.Reader(payload);
        int epoch = reader.Int32(), count = reader.Int32();
        if (!reader.Ok || count < 0 || count > 1_000_000) return null;
        var members = new List<string>(count);
        for (int i = 0; i < count && reader.Ok; i++) members.Add(reader.Name());
        return reader.AtEndOk ? new GroupView(name, epoch, members) : null;
    }

    /// <summary>Opens a session under <paramref name="partition"/> (which must be for this group's size) at both servers.</summary>
    public async Task<(EngineStatus Status, TwoServerSession? Session)> OpenSessionAsync(GroupView group, GroupPartition partition, CancellationToken cancellationToken = default)
    {
        if (partition.ForS1.Count != group.Members.Count) throw new ArgumentException("The partition is for another group size.", nameof(partition));
        byte[] id = RandomNumberGenerator.GetBytes(TwoServerWire.SessionIdSize);
        PartitionVector? third = null;
        if (partition.IsSubgroup)
        {
            third = new PartitionVector(group.Members.Count);
            foreach (int u in partition.Swapped!) third[u] = 1;
        }
        for (int s = 0; s < 2; s++)
        {
            byte flags = (byte)((partition.Members is null ? 0 : 1) | (s == 0 && third is not null ? 2 : 0));
            var writer = new TwoServerWire.Writer().Fixed(id).Name(group.Name).Int32(group.Epoch).Name(Id).Byte(flags)
                                                   .Fixed((s == 0 ? partition.ForS1 : partition.ForS2).Encode());
            if (partition.Members is not null) writer.Fixed(partition.Members.Encode());
            if (s == 0 && third is not null) writer.Fixed(third.Encode());
            (EngineStatus status, _) = await CallAsync(s, TwoServerMessageType.OpenSession, TwoServerMessageType.Ok, Signed(s, "session", writer), cancellationToken).ConfigureAwait(false);
            if (status != EngineStatus.Ok) return (status, null);
        }
        return (EngineStatus.Ok, new TwoServerSession(id, group, partition));
    }

    /// <summary>
    /// Uploads one message (or cover traffic) in <paramref name="round"/> under <paramref name="session"/>: Algorithm 2 and
    /// Protocol 3's shares, each server's signed by this user over <see cref="SignedMessages.Upload"/>. Returns the message id.
    /// </summary>
    public async Task<(EngineStatus Status, ulong MessageId)> SendAsync(long round, TwoServerSession session, ReadOnlyMemory<byte> payload, bool cover = false,
                                                                       CancellationToken cancellationToken = default)
    {
        GroupPartition partition = session.Partition;
        int size = Parameters.RecordSize;
        byte[] shares = new byte[(partition.IsSubgroup ? ShareLayout.SubgroupShares : ShareLayout.PairShares) * size];
        MessageSharer.CreateShares(Parameters, partition, payload.Span, cover, shares);
        ulong messageId = BinaryPrimitives.ReadUInt64BigEndian(RandomNumberGenerator.GetBytes(8));
        for (int s = 0; s < 2; s++)
        {
            // S1 gets its two shares and, in subgroup mode, the third pair (r_3, m_3); S2 its two.
            byte[] mine = s == 0 ? (partition.IsSubgroup ? [.. shares.AsSpan(0, 2 * size), .. shares.AsSpan(ShareLayout.ThirdForSwapped * size, 2 * size)]
                                                         : shares.AsSpan(0, 2 * size).ToArray())
                                 : shares.AsSpan(2 * size, 2 * size).ToArray();
            byte[] encodedPartition = (s == 0 ? partition.ForS1 : partition.ForS2).Encode();
            byte[] signature = new byte[SchnorrSignature.SizeInBytes(_key.Group)];
            SchnorrSignature.Sign(_key, SignedMessages.Upload(round, messageId, s + 1, encodedPartition, mine), signature);
            byte[] request = new TwoServerWire.Writer().Int64(round).Fixed(session.Id).UInt64(messageId).Blob(mine).Blob(signature).ToArray();
            (EngineStatus status, _) = await CallAsync(s, TwoServerMessageType.Upload, TwoServerMessageType.Ok, request, cancellationToken).ConfigureAwait(false);
            // Together, this user's copies of the shares are the record: wipe them as soon as they are sent.
            CryptographicOperations.ZeroMemory(mine);
            CryptographicOperations.ZeroMemory(request);
            if (status != EngineStatus.Ok) { CryptographicOperations.ZeroMemory(shares); return (status, 0); }
        }
        CryptographicOperations.ZeroMemory(shares);
        return (EngineStatus.Ok, messageId);
    }

    /// <summary>
    /// Uploads <paramref name="blocks"/> (one content's fragments, <see cref="Content.Fragments.Split"/>) in the round
    /// open now; when that round closes under it (Expired), all of them again in the next, up to three times.
    /// Returns the first refusal or Ok, and the round they went into.
    /// </summary>
    public async Task<(EngineStatus Status, long Round)> SendBlocksAsync(TwoServerSession session, IReadOnlyList<byte[]> blocks, CancellationToken cancellationToken = default)
    {
        EngineStatus status = EngineStatus.Ok;
        long round = 0;
        for (int attempt = 0; attempt < 3; attempt++)
        {
            (status, round) = await GetRoundAsync(cancellationToken).ConfigureAwait(false);
            if (status != EngineStatus.Ok) return (status, round);
            foreach (byte[] block in blocks)
            {
                (status, _) = await SendAsync(round, session, block, cancellationToken: cancellationToken).ConfigureAwait(false);
                if (status != EngineStatus.Ok) break;
            }
            if (status != EngineStatus.Expired) break;
        }
        return (status, round);
    }

    /// <summary>The round open for uploads (both servers must agree).</summary>
    public async Task<(EngineStatus Status, long Round)> GetRoundAsync(CancellationToken cancellationToken = default)
    {
        var rounds = new long[2];
        for (int s = 0; s < 2; s++)
        {
            (EngineStatus status, byte[] payload) = await CallAsync(s, TwoServerMessageType.GetRound, TwoServerMessageType.Round, new TwoServerWire.Writer().ToArray(), cancellationToken).ConfigureAwait(false);
            if (status != EngineStatus.Ok) return (status, 0);
            var reader = TwoServerWire.Reader(payload);
            rounds[s] = reader.Int64();
            if (!reader.AtEndOk) return (EngineStatus.Malformed, 0);
        }
        return rounds[0] == rounds[1] ? (EngineStatus.Ok, rounds[0]) : (EngineStatus.VerificationFailed, 0);
    }

    /// <summary>
    /// Leaves a dial (paper §5.3) in the servers' mailbox under <paramref name="session"/>: it waits there until each
    /// member fetches it with <see cref="FetchDialsAsync"/>, so the callee need not be online. A new dial from this user
    /// in the same group replaces the pending one.
    /// </summary>
    public Task<(EngineStatus Status, ulong MessageId)> SendDialAsync(TwoServerSession session, ReadOnlyMemory<byte> payload, bool cover = false,
                                                                      CancellationToken cancellationToken = default)
        => SendAsync(TwoServerWire.DialRound, session, payload, cover, cancellationToken);

    /// <summary>This member's pending dials from both servers, checked and reconstructed like a round (round <see cref="TwoServerWire.DialRound"/>).</summary>
    public Task<(EngineStatus Status, FetchedRound? Round)> FetchDialsAsync(GroupView group, CancellationToken cancellationToken = default)
        => FetchAsync(TwoServerWire.DialRound, group, cancellationToken);

    /// <summary>Fetches this member's inboxes of a closed round from both servers, checks their signatures and reconstructs every message.</summary>
    public async Task<(EngineStatus Status, FetchedRound? Round)> FetchAsync(long round, GroupView group, CancellationToken cancellationToken = default)
    {
        var inboxes = new byte[2][];
        var signatures = new byte[2][];
        int index = group.IndexOf(Id);
        for (int s = 0; s < 2; s++)
        {
            bool dials = round == TwoServerWire.DialRound;
            byte[] request = dials ? Signed(s, "fetch-dials", new TwoServerWire.Writer().Name(group.Name).Name(Id))
                                   : Signed(s, "fetch", new TwoServerWire.Writer().Int64(round).Name(group.Name).Name(Id));
            (EngineStatus status, byte[] payload) = await CallAsync(s, dials ? TwoServerMessageType.FetchDials : TwoServerMessageType.Fetch, TwoServerMessageType.Inbox,
                                                                   request, cancellationToken).ConfigureAwait(false);
            if (status != EngineStatus.Ok) return (status, null);
            var reader = TwoServerWire.Reader(payload);
            long echoed = reader.Int64();
            int member = reader.Int32();
            inboxes[s] = reader.Blob(int.MaxValue).ToArray();
            signatures[s] = reader.Blob(512).ToArray();
            if (!reader.AtEndOk || echoed != round || member != index) return (EngineStatus.Malformed, null);
            if (SchnorrSignature.Verify(_key.Group, _trusted[s], SignedMessages.Delivery(round, s + 1, member, inboxes[s]), signatures[s]) != EngineStatus.Ok)
                return (EngineStatus.VerificationFailed, null);                  // the paper's rule: abort on an unsigned delivery
        }
        EngineStatus read = InboxReader.ReadRound(Parameters, inboxes[0], inboxes[1], out List<ReceivedMessage> messages);
        if (read != EngineStatus.Ok) return (read, null);
        return (EngineStatus.Ok, new FetchedRound(round, index, messages, inboxes[0], signatures[0], inboxes[1], signatures[1]));
    }

    private byte[] Signed(int server, string kind, WireWriter writer)
    {
        byte[] signature = new byte[SchnorrSignature.SizeInBytes(_key.Group)];
        SchnorrSignature.Sign(_key, SignedMessages.Request(kind, _servers[server].Challenge.Span, writer.ToArray()), signature);
        return writer.Blob(signature).ToArray();
    }

    private async Task<(EngineStatus, byte[])> CallAsync(int server, TwoServerMessageType type, TwoServerMessageType expected, byte[] request, CancellationToken cancellationToken)
    {
        (TwoServerMessageType responseType, byte[] payload) = await _servers[server].RequestAsync(type, request, cancellationToken).ConfigureAwait(false);
        if (responseType == TwoServerMessageType.Error) return (payload.Length == 2 ? (EngineStatus)payload[1] : EngineStatus.Malformed, []);
        return responseType == expected ? (EngineStatus.Ok, payload) : (EngineStatus.UnknownMessageType, []);
    }
}
