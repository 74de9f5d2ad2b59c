using Engine.Hosting.Roles;
using Engine.Primitives.Wire;
using Engine.Primitives.Groups;
using Engine.Primitives.Schnorr;
using Engine.TwoServer;
using Engine.TwoServer.Integrity;
using Engine.TwoServer.Partitions;
using Engine.TwoServer.Records;
using Engine.TwoServer.Roles;
using Engine.TwoServer.Storage;
using Engine.TwoServer.Wire;
using NUnit.Framework;

namespace Engine.Tests.TwoServer;

/// <summary>S1 and S2 as role objects with users talking to them in process: the whole protocol, and every refusal.</summary>
[TestFixture]
public sealed class TwoServerNodeTests
{
    private static readonly PrimeOrderGroup Group = PrimeOrderGroups.Bls12381G1;

    /// <summary>Two nodes and n registered members of group "g".</summary>
    internal sealed class Deployment : IDisposable
    {
        public readonly TwoServerParameters P;
        public readonly SchnorrSigningKey K1 = SchnorrSigningKey.Generate(Group), K2 = SchnorrSigningKey.Generate(Group);
        public readonly TwoServerNode S1, S2;
        public readonly List<(TwoServerUser User, SchnorrSigningKey Key)> Users = new();

        public Deployment(Engine.Hosting.EngineHost? host = null, TwoServerQuotas? quotas = null, TimeProvider? clock = null, int blockSize = 64)
        {
            P = TwoServerParameters.ForBlockSize(blockSize);
            quotas ??= TwoServerQuotas.Default;
            clock ??= TimeProvider.System;
            S1 = host is null ? new TwoServerNode(1, K1, K2.PublicKey, P) { Quotas = quotas, Clock = clock } : host.CreateTwoServerNode(1, K1, K2.PublicKey, P);
            S2 = host is null ? new TwoServerNode(2, K2, K1.PublicKey, P) { Quotas = quotas, Clock = clock } : host.CreateTwoServerNode(2, K2, K1.PublicKey, P);
        }

        /// <summary>A request body signed as a user signs it: kind ‖ the connection's challenge ‖ the body, the signature appended.</summary>
        public static byte[] SignedRequest(SchnorrSigningKey key, string kind, ReadOnlySpan<byte> challenge, WireWriter body)
        {
            byte[] signature = new byte[SchnorrSignature.SizeInBytes(key.Group)];
            SchnorrSignature.Sign(key, SignedMessages.Request(kind, challenge, body.ToArray()), signature);
            return body.Blob(signature).ToArray();
        }

        public TwoServerUser NewUser(string id, SchnorrSigningKey? key = null)
        {
            key ??= SchnorrSigningKey.Generate(Group);
            var user = new TwoServerUser(id, P, key, new InProcessConnection(S1), new InProcessConnection(S2), K1.PublicKey, K2.PublicKey);
            Users.Add((user, key));
            return user;
        }

        public async Task<GroupView> MembersAsync(int n)
        {
            for (int i = 0; i < n; i++)
            {
                TwoServerUser u = NewUser($"user-{i:D3}");
                Assert.That(await u.RegisterAsync(), Is.EqualTo(EngineStatus.Ok));
                Assert.That(await u.JoinAsync("g"), Is.EqualTo(EngineStatus.Ok));
            }
            (EngineStatus status, GroupView? view) = await Users[0].User.GetGroupAsync("g");
            Assert.That(status, Is.EqualTo(EngineStatus.Ok));
            Assert.That(view!.Members, Has.Count.EqualTo(n));
            return view;
        }

        public void CloseRound()
        {
            Assert.That(S1.CloseRound(), Is.EqualTo(S2.CloseRound()));
        }

        public void Dispose()
        {
            K1.Dispose(); K2.Dispose();
            foreach ((_, SchnorrSigningKey k) in Users) k.Dispose();
        }
    }

    /// <summary>
    /// The Inbox answer written in place (the IBufferWriter path) is byte for byte the one the byte[] API builds, and
    /// costs far less than the inbox it carries: no inbox array, writer copy or copy-out (before: over four inboxes'
    /// worth of allocation per fetch).
    /// </summary>
    [Test, Category("Allocation")]
    public async Task Fetch_WrittenInPlace_EqualsTheBuiltAnswer_AndAllocatesLessThanOneInbox()
    {
        using var d = new Deployment(blockSize: 256);
        GroupView group = await d.MembersAsync(8);
        foreach ((TwoServerUser u, _) in d.Users)
        {
            (EngineStatus status, TwoServerSession? s) = await u.OpenSessionAsync(group, GroupPartition.ForRecipient(8, 3));
            Assert.That((await u.SendAsync(1, s!, "hello"u8.ToArray())).Status, Is.EqualTo(EngineStatus.Ok));
        }
        d.CloseRound();
        (TwoServerUser member, SchnorrSigningKey key) = d.Users[3];
        byte[] challenge = TwoServerNode.NewChallenge();
        byte[] request = Deployment.SignedRequest(key, "fetch", challenge, new TwoServerWire.Writer().Int64(1).Name("g").Name(member.Id));

        Assert.That(d.S1.Process(TwoServerMessageType.Fetch, request, challenge, out TwoServerMessageType builtType, out byte[] built), Is.EqualTo(EngineStatus.Ok));
        var inPlace = new System.Buffers.ArrayBufferWriter<byte>(built.Length);
        Assert.That(d.S1.Process(TwoServerMessageType.Fetch, request, challenge, inPlace, out TwoServerMessageType inPlaceType), Is.EqualTo(EngineStatus.Ok));
        Assert.That((inPlaceType, builtType), Is.EqualTo((TwoServerMessageType.Inbox, TwoServerMessageType.Inbox)));
        Assert.That(inPlace.WrittenSpan.SequenceEqual(built), Is.True, "the same answer on both paths");

        int inboxSize = built.Length - 1 - 8 - 4 - 4 - 4 - SchnorrSignature.SizeInBytes(Group);
        for (int i = 0; i < 5; i++) { inPlace.ResetWrittenCount(); d.S1.Process(TwoServerMessageType.Fetch, request, challenge, inPlace, out _); }
        long before = GC.GetAllocatedBytesForCurrentThread();
        const int fetches = 20;
        for (int i = 0; i < fetches; i++)
        {
            inPlace.ResetWrittenCount();
            d.S1.Process(TwoServerMessageType.Fetch, request, challenge, inPlace, out _);
        }
        double perFetch = (GC.GetAllocatedBytesForCurrentThread() - before) / (double)fetches;
        TestContext.Out.WriteLine($"inbox {inboxSize} bytes; {perFetch:F0} bytes allocated per fetch written in place");
        Assert.That(perFetch, Is.LessThan(inboxSize), "a fetch written in place allocates less than the inbox it carries");
    }

    [Test]
    public async Task PairAndSubgroupMessages_ReachExactlyTheirRecipients_ThroughBothServers()
    {
        using var d = new Deployment();
        GroupView group = await d.MembersAsync(12);
        TwoServerUser bob = d.Users[3].User;
        (EngineStatus status, long round) = await bob.GetRoundAsync();
        Assert.That((status, round), Is.EqualTo((EngineStatus.Ok, 1L)));

        (status, TwoServerSession? toAlice) = await bob.OpenSessionAsync(group, GroupPartition.ForRecipient(12, 7));
        Assert.That(status, Is.EqualTo(EngineStatus.Ok));
        (status, TwoServerSession? toTeam) = await bob.OpenSessionAsync(group, GroupPartition.ForSubgroup(12, new[] { 1, 2, 9 }));
        Assert.That(status, Is.EqualTo(EngineStatus.Ok));
        Assert.That((await bob.SendAsync(1, toAlice!, "hi alice"u8.ToArray())).Status, Is.EqualTo(EngineStatus.Ok));
        Assert.That((await bob.SendAsync(1, toTeam!, "hi team"u8.ToArray())).Status, Is.EqualTo(EngineStatus.Ok));
        // Everyone else sends cover traffic to a random member, as round synchronisation asks.
        foreach ((TwoServerUser u, _) in d.Users.Where(x => x.User != bob))
        {
            (status, TwoServerSession? s) = await u.OpenSessionAsync(group, GroupPartition.ForRecipient(12, Random.Shared.Next(12)));
            Assert.That((await u.SendAsync(1, s!, default, cover: true)).Status, Is.EqualTo(EngineStatus.Ok));
        }
        Assert.That((await bob.FetchAsync(1, group)).Status, Is.EqualTo(EngineStatus.NotFound), "round 1 is still open");
        d.CloseRound();

        for (int i = 0; i < 12; i++)
        {
            (status, FetchedRound? fetched) = await d.Users[i].User.FetchAsync(1, group);
            Assert.That(status, Is.EqualTo(EngineStatus.Ok), $"member {i}");
            Assert.That(fetched!.Messages, Has.Count.EqualTo(13), "one entry per upload");
            Assert.That(fetched.Messages.Count(m => m.Verdict is RecordVerdict.Tampered or RecordVerdict.Malformed), Is.Zero);
            var accepted = fetched.Messages.Where(m => m.Verdict == RecordVerdict.Accepted).Select(m => System.Text.Encoding.UTF8.GetString(m.Payload)).Order().ToList();
            var expected = new List<string>();
            if (i == 7) expected.Add("hi alice");
            if (i is 1 or 2 or 9) expected.Add("hi team");
            Assert.That(accepted, Is.EqualTo(expected), $"member {i}");
        }
    }

    [Test]
    public async Task ConcurrentUploads_ShareSignatureBatches_AndAForgedOneIsStillRefused()
    {
        using var host = new Engine.Hosting.EngineHost(new Engine.Hosting.EngineHostOptions { BatchSignatures = true });
        using var d = new Deployment(host);
        GroupView group = await d.MembersAsync(24);
        var sessions = new TwoServerSession[24];
        for (int i = 0; i < 24; i++) sessions[i] = (await d.Users[i].User.OpenSessionAsync(group, GroupPartition.ForRecipient(24, (i + 1) % 24))).Session!;
        // One forger: user 5's session, uploads signed with another key.
        using SchnorrSigningKey forger = SchnorrSigningKey.Generate(Group);
        var impostor = new TwoServerUser(d.Users[5].User.Id, d.P, forger, new InProcessConnection(d.S1), new InProcessConnection(d.S2), d.K1.PublicKey, d.K2.PublicKey);
        var sends = Enumerable.Range(0, 24).Select(i => Task.Run(() => d.Users[i].User.SendAsync(1, sessions[i], System.Text.Encoding.UTF8.GetBytes($"m{i}"))))
                              .Append(Task.Run(() => impostor.SendAsync(1, sessions[5], "forged"u8.ToArray()))).ToArray();
        var results = await Task.WhenAll(sends);
        Assert.That(results.Take(24).Select(r => r.Status), Is.All.EqualTo(EngineStatus.Ok));
        Assert.That(results[24].Status, Is.EqualTo(EngineStatus.VerificationFailed));
        (long batches, long items) = host.SignatureBatchCounts;
        Assert.That(items, Is.EqualTo(2 * 24 + 1), "every upload's signature went through a batcher (the forger's stopped at S1)");
        Assert.That(batches, Is.LessThan(items), "concurrent uploads shared batches");
        Assert.That(d.S1.Store.Uploads(1), Has.Count.EqualTo(24));
        d.CloseRound();
        for (int i = 0; i < 24; i++)
        {
            (EngineStatus status, FetchedRound? fetched) = await d.Users[i].User.FetchAsync(1, group);
            Assert.That(status, Is.EqualTo(EngineStatus.Ok));
            Assert.That(fetched!.Messages.Where(m => m.Verdict == RecordVerdict.Accepted).Select(m => System.Text.Encoding.UTF8.GetString(m.Payload)),
                        Is.EqualTo(new[] { $"m{(i + 23) % 24}" }), $"member {i}");
        }
    }

    [Test]
    public async Task Dial_WaitsInTheMailbox_UntilTheCalleeFetchesIt_AndBothDeriveOneKey()
    {
        using var d = new Deployment();
        const int n = 10, bob = 1, alice = 6;
        GroupView group = await d.MembersAsync(n);
        TwoServerUser caller = d.Users[bob].User, callee = d.Users[alice].User;
        PrimeOrderGroup dialGroup = PrimeOrderGroups.Modp2048Q256;                // g^x is 256 bytes: five fragments per part at B = 64
        using Engine.TwoServer.Content.Dial dial = Engine.TwoServer.Content.Dial.Start(dialGroup);
        var parts = OneToManyPlan.ForDial(n, alice, kappa: n);
        var sessions = new List<(OneToManyPart Part, TwoServerSession Session)>();
        foreach (OneToManyPart part in parts) sessions.Add((part, (await caller.OpenSessionAsync(group, part.Partition)).Session!));
        List<byte[]> request = Engine.TwoServer.Content.Fragments.Split(d.P, Engine.TwoServer.Content.ContentKind.DialRequest, dial.PublicElement);
        foreach (byte[] fragment in request)
            foreach ((OneToManyPart part, TwoServerSession session) in sessions)
                Assert.That((await caller.SendDialAsync(session, part.IsCover ? default : fragment, cover: part.IsCover)).Status, Is.EqualTo(EngineStatus.Ok));

        // Rounds go by while Alice is away; the dial waits.
        for (int r = 0; r < 3; r++) d.CloseRound();
        for (int u = 0; u < n; u++)
        {
            (EngineStatus status, FetchedRound? mailbox) = await d.Users[u].User.FetchDialsAsync(group);
            Assert.That(status, Is.EqualTo(EngineStatus.Ok), $"member {u}");
            Assert.That(mailbox!.Messages, Has.Count.EqualTo(request.Count), "κ = n: every member is its own part, one entry per fragment");
            Assert.That(mailbox.Messages.Count(m => m.Verdict == RecordVerdict.Accepted), Is.EqualTo(u == alice ? request.Count : 0), $"member {u}");
            Assert.That(mailbox.Messages.Count(m => m.Verdict is RecordVerdict.Tampered or RecordVerdict.Malformed), Is.Zero);
            if (u != alice) continue;
            var fragments = mailbox.Messages.Select(m => { Engine.TwoServer.Content.Fragments.Read(m.Payload, out var f); return f; });
            (var kind, byte[] gx) = Engine.TwoServer.Content.Fragments.Reassemble(fragments).Single();
            Assert.That(kind, Is.EqualTo(Engine.TwoServer.Content.ContentKind.DialRequest));

            // Alice answers g^y in an ordinary round; Bob reads it there.
            using Engine.TwoServer.Content.Dial answer = Engine.TwoServer.Content.Dial.Start(dialGroup);
            (EngineStatus s, TwoServerSession? back) = await callee.OpenSessionAsync(group, GroupPartition.ForRecipient(n, bob));
            (s, long round) = await callee.GetRoundAsync();
            foreach (byte[] fragment in Engine.TwoServer.Content.Fragments.Split(d.P, Engine.TwoServer.Content.ContentKind.DialAnswer, answer.PublicElement))
                Assert.That((await callee.SendAsync(round, back!, fragment)).Status, Is.EqualTo(EngineStatus.Ok));
            d.CloseRound();
            (s, FetchedRound? atBob) = await caller.FetchAsync(round, group);
            var gy = Engine.TwoServer.Content.Fragments.Reassemble(atBob!.Messages.Where(m => m.Verdict == RecordVerdict.Accepted)
                         .Select(m => { Engine.TwoServer.Content.Fragments.Read(m.Payload, out var f); return f; })).Single().Content;
            byte[] kAlice = new byte[32], kBob = new byte[32];
            Assert.That(answer.DeriveKey(gx, asCaller: false, kAlice), Is.EqualTo(EngineStatus.Ok));
            Assert.That(dial.DeriveKey(gy, asCaller: true, kBob), Is.EqualTo(EngineStatus.Ok));
            Assert.That(kBob, Is.EqualTo(kAlice));
        }
        // Each member fetches a dial once.
        (EngineStatus again, FetchedRound? empty) = await callee.FetchDialsAsync(group);
        Assert.That((again, empty!.Messages.Count), Is.EqualTo((EngineStatus.Ok, 0)));
    }

    [Test, Category("Malformed")]
    public async Task AUserShowingTwoKeys_IsRefusedByBothServers()
    {
        using var d = new Deployment();
        using SchnorrSigningKey a = SchnorrSigningKey.Generate(Group), b = SchnorrSigningKey.Generate(Group);
        var c1 = new InProcessConnection(d.S1);
        var c2 = new InProcessConnection(d.S2);
        byte[] Register(SchnorrSigningKey k) => new TwoServerWire.Writer().Name("mallory").Blob(k.PublicKey).ToArray();
        d.S1.Process(TwoServerMessageType.Register, Register(a), c1.Challenge.Span, out _, out byte[] r1);
        d.S2.Process(TwoServerMessageType.Register, Register(b), c2.Challenge.Span, out _, out byte[] r2);
        byte[] Receipt(byte[] response) { var reader = TwoServerWire.Reader(response); return reader.Blob(512).ToArray(); }
        byte[] confirm1 = Deployment.SignedRequest(a, "confirm", c1.Challenge.Span, new TwoServerWire.Writer().Name("mallory").Blob(b.PublicKey).Blob(Receipt(r2)));
        Assert.That(d.S1.Process(TwoServerMessageType.Confirm, confirm1, c1.Challenge.Span, out _, out _), Is.EqualTo(EngineStatus.VerificationFailed));
        Assert.That(d.S1.Store.FindUser("mallory"), Is.Null, "S1 aborted the key");
        // Claiming S2 saw key a does not help: S2's receipt is for b.
        byte[] lie = Deployment.SignedRequest(b, "confirm", c2.Challenge.Span, new TwoServerWire.Writer().Name("mallory").Blob(a.PublicKey).Blob(Receipt(r2)));
        d.S2.Process(TwoServerMessageType.Register, Register(b), c2.Challenge.Span, out _, out _);
        Assert.That(d.S2.Process(TwoServerMessageType.Confirm, lie, c2.Challenge.Span, out _, out _), Is.EqualTo(EngineStatus.VerificationFailed));
        Assert.That(d.S2.Store.FindUser("mallory"), Is.Null);
    }

    [Test, Category("Malformed")]
    public async Task BadRequests_GetATypedRefusal_AndChangeNothing()
    {
        using var d = new Deployment();
        GroupView group = await d.MembersAsync(4);
        TwoServerUser bob = d.Users[0].User;
        (_, TwoServerSession? session) = await bob.OpenSessionAsync(group, GroupPartition.ForRecipient(4, 2));
        var c1 = new InProcessConnection(d.S1);
        // The status, checked against the frame: an Error frame carries it, any other frame means Ok.
        EngineStatus Raw(TwoServerMessageType type, byte[] payload)
        {
            EngineStatus s = d.S1.Process(type, payload, c1.Challenge.Span, out TwoServerMessageType t, out byte[] r);
            Assert.That(t == TwoServerMessageType.Error ? (EngineStatus)r[1] : EngineStatus.Ok, Is.EqualTo(s), "the frame says what Process returned");
            return s;
        }

        Assert.That(Raw(TwoServerMessageType.GetRound, [2]), Is.EqualTo(EngineStatus.UnsupportedVersion));
        Assert.That(Raw(TwoServerMessageType.GetRound, []), Is.EqualTo(EngineStatus.Malformed));
        Assert.That(Raw((TwoServerMessageType)99, [1]), Is.EqualTo(EngineStatus.UnknownMessageType));
        Assert.That(Raw(TwoServerMessageType.Register, [1, 3, (byte)'a']), Is.EqualTo(EngineStatus.Malformed));
        Assert.That(Raw(TwoServerMessageType.Register, new TwoServerWire.Writer().Name("eve").Blob(new byte[48]).ToArray()), Is.Not.EqualTo(EngineStatus.Ok), "not a G1 point");
        Assert.That(Raw(TwoServerMessageType.GetGroup, new TwoServerWire.Writer().Name("nope").ToArray()), Is.EqualTo(EngineStatus.NotFound));
        Assert.That(d.S1.Store.FindUser("eve"), Is.Null);

        // Uploads: a wrong round, a bad signature, a wrong size, an unknown session; then a replay of a good one.
        int size = d.P.RecordSize;
        byte[] Upload(long round, byte[] sessionId, ulong id, byte[] shares, byte[] signature)
            => new TwoServerWire.Writer().Int64(round).Fixed(sessionId).UInt64(id).Blob(shares).Blob(signature).ToArray();
        byte[] shares = new byte[2 * size];
        byte[] Sign(long round, ulong id, byte[] s)
        {
            byte[] sig = new byte[SchnorrSignature.SizeInBytes(Group)];
            SchnorrSignature.Sign(d.Users[0].Key, SignedMessages.Upload(round, id, 1, session!.Partition.ForS1.Encode(), s), sig);
            return sig;
        }
        Assert.That(Raw(TwoServerMessageType.Upload, Upload(2, session!.Id, 5, shares, Sign(2, 5, shares))), Is.EqualTo(EngineStatus.Expired));
        Assert.That(Raw(TwoServerMessageType.Upload, Upload(1, session.Id, 5, shares, Sign(1, 6, shares))), Is.EqualTo(EngineStatus.VerificationFailed));
        Assert.That(Raw(TwoServerMessageType.Upload, Upload(1, session.Id, 5, new byte[size], Sign(1, 5, new byte[size]))), Is.EqualTo(EngineStatus.BadLength));
        Assert.That(Raw(TwoServerMessageType.Upload, Upload(1, new byte[16], 5, shares, Sign(1, 5, shares))), Is.EqualTo(EngineStatus.NotFound));
        Assert.That(d.S1.Store.Uploads(1), Is.Empty, "no refused upload was stored");
        Assert.That(Raw(TwoServerMessageType.Upload, Upload(1, session.Id, 5, shares, Sign(1, 5, shares))), Is.EqualTo(EngineStatus.Ok));
        Assert.That(Raw(TwoServerMessageType.Upload, Upload(1, session.Id, 5, shares, Sign(1, 5, shares))), Is.EqualTo(EngineStatus.Replay));
        Assert.That(Raw(TwoServerMessageType.Upload, Upload(1, session.Id, 5, shares, new byte[SchnorrSignature.SizeInBytes(Group)])), Is.EqualTo(EngineStatus.Replay),
                    "a repeated id is refused before its signature is even checked");
        Assert.That(d.S1.Store.Uploads(1), Has.Count.EqualTo(1));
        // The dial mailbox refuses a replayed dial upload too.
        Assert.That(Raw(TwoServerMessageType.Upload, Upload(-1, session.Id, 7, shares, Sign(-1, 7, shares))), Is.EqualTo(EngineStatus.Ok));
        Assert.That(Raw(TwoServerMessageType.Upload, Upload(-1, session.Id, 7, shares, Sign(-1, 7, shares))), Is.EqualTo(EngineStatus.Replay));
        Assert.That(d.S1.Store.PendingDials("g", "user-001"), Has.Count.EqualTo(1));

        // Requests signed for another connection's challenge are refused (no replay across connections).
        var other = new InProcessConnection(d.S1);
        WireWriter join = new TwoServerWire.Writer().Name(bob.Id).Name("g2");
        byte[] sig = new byte[SchnorrSignature.SizeInBytes(Group)];
        SchnorrSignature.Sign(d.Users[0].Key, SignedMessages.Request("join", other.Challenge.Span, join.ToArray()), sig);
        byte[] joinRequest = join.Blob(sig).ToArray();
        Assert.That(Raw(TwoServerMessageType.Join, joinRequest), Is.EqualTo(EngineStatus.VerificationFailed));
        Assert.That(d.S1.Store.Group("g2").Epoch, Is.Zero);
        // Stale epochs are refused once the group changed.
        TwoServerUser late = d.NewUser("user-new");
        Assert.That(await late.RegisterAsync(), Is.EqualTo(EngineStatus.Ok));
        Assert.That(await late.JoinAsync("g"), Is.EqualTo(EngineStatus.Ok));
        Assert.That((await bob.OpenSessionAsync(group, GroupPartition.ForRecipient(4, 1))).Status, Is.EqualTo(EngineStatus.Expired), "the group has a new epoch");
    }

    [Test]
    public async Task Dispute_OverRealServerState_BlamesATamperingServer()
    {
        using var d = new Deployment();
        GroupView group = await d.MembersAsync(6);
        TwoServerUser bob = d.Users[0].User, alice = d.Users[4].User;
        (_, TwoServerSession? session) = await bob.OpenSessionAsync(group, GroupPartition.ForRecipient(6, 4));
        (_, ulong messageId) = await bob.SendAsync(1, session!, "for alice"u8.ToArray());
        d.CloseRound();
        (EngineStatus status, FetchedRound? fetched) = await alice.FetchAsync(1, group);
        Assert.That(status, Is.EqualTo(EngineStatus.Ok));

        ShareEvidence Evidence(TwoServerNode node, byte[] inbox, byte[] signature)
        {
            StoredUpload stored = node.Store.Uploads(1).Single();
            SessionRecord s = node.Store.FindSession(stored.SessionId)!;
            return new ShareEvidence(inbox, signature, s.Partition, stored.Shares, stored.SenderSignature);
        }
        Culprit Judge(ShareEvidence e1, ShareEvidence e2) => Dispute.Judge(d.P, Group, 1, messageId, 4, 6, d.Users[0].Key.PublicKey, d.K1.PublicKey, d.K2.PublicKey, e1, e2);
        ShareEvidence honest1 = Evidence(d.S1, fetched!.InboxFromS1, fetched.SignatureFromS1), honest2 = Evidence(d.S2, fetched.InboxFromS2, fetched.SignatureFromS2);
        Assert.That(Judge(honest1, honest2), Is.EqualTo(Culprit.None));

        // S2 changes a bit of Alice's share and signs the result: Alice sees tampering, the judge blames S2.
        byte[] tampered = (byte[])fetched.InboxFromS2.Clone();
        tampered[^5] ^= 0x20;
        byte[] s2Signature = new byte[SchnorrSignature.SizeInBytes(Group)];
        SchnorrSignature.Sign(d.K2, SignedMessages.Delivery(1, 2, 4, tampered), s2Signature);
        Assert.That(InboxReader.ReadRound(d.P, fetched.InboxFromS1, tampered, out var seen), Is.EqualTo(EngineStatus.Ok));
        Assert.That(seen.Single().Verdict, Is.EqualTo(RecordVerdict.Tampered));
        Assert.That(Judge(honest1, Evidence(d.S2, tampered, s2Signature)), Is.EqualTo(Culprit.S2));
    }
}

/// <summary>The in-memory store's dial mailbox: bounded per sender, per-member fetch marks.</summary>
[TestFixture]
public sealed class DialMailboxStoreTests
{
    [Test]
    public void PutDial_KeepsTheNewestUploadsPerSender_AndEachMemberFetchesOnce()
    {
        var store = new InMemoryTwoServerStore();
        StoredUpload Upload(ulong id) => new(-1, id, new byte[16], [], []);
        for (ulong id = 1; id <= 5; id++) store.PutDial("g", "bob", Upload(id), capacity: 3);
        Assert.That(store.PutDial("g", "carol", Upload(9), capacity: 3), Is.True);
        Assert.That(store.PutDial("g", "carol", Upload(9), capacity: 3), Is.False, "a message id once");
        store.PutDial("other", "bob", Upload(10), capacity: 3);
        Assert.That(store.PendingDials("g", "alice").Select(u => u.MessageId).Order(), Is.EqualTo(new ulong[] { 3, 4, 5, 9 }), "bob's oldest two dropped; other groups apart");
        store.MarkDialsFetched("g", "alice", [3, 9]);
        Assert.That(store.PendingDials("g", "alice").Select(u => u.MessageId).Order(), Is.EqualTo(new ulong[] { 4, 5 }));
        Assert.That(store.PendingDials("g", "dave").Count, Is.EqualTo(4), "marks are per member");
    }
}
