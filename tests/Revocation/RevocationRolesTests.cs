using Engine.Hosting.Roles;
using Engine.Primitives.Encryption;
using Engine.Primitives.Schnorr;
using Engine.Revocation;
using Engine.Revocation.Abe;
using Engine.Revocation.Policies;
using Engine.Revocation.Roles;
using Engine.Revocation.Signatures;
using Engine.Revocation.Storage;
using Engine.Revocation.Wire;
using NUnit.Framework;

namespace Engine.Tests.Revocation;

/// <summary>The roles end to end in process: authorities, a source and an accepting CSP, users; revocation on both sides.</summary>
[TestFixture]
public sealed class RevocationRolesTests
{
    internal sealed class Network : IAsyncDisposable
    {
        public readonly SchnorrSigningKey AdminKey = SchnorrSigningKey.Generate(RevocationParameters.Group);
        public readonly SchnorrSigningKey CspKey = SchnorrSigningKey.Generate(RevocationParameters.Group);
        public readonly HashedElGamalKey CspEncryption = HashedElGamalKey.Generate(RevocationParameters.Group);
        public readonly Authority Hospital, Insurer;
        public readonly SourceCsp Source;
        public readonly AcceptingCsp Accepting;
        public readonly RevocationAdmin Admin;
        public readonly IRevocationConnection ToHospital, ToInsurer, ToSource, ToAccepting;
        public readonly ICiphertextStore Store;

        public Network(ICiphertextStore? store = null, RingSignatureBatcher? batcher = null)
        {
            Hospital = new Authority(AttributeAuthority.Create("HOSP"), SignatureAuthority.Create("SIG", "ring-1", 16, 3), AdminKey.PublicKey);
            Insurer = new Authority(AttributeAuthority.Create("INS"), null, AdminKey.PublicKey);
            Source = new SourceCsp("csp-a", SchnorrSigningKey.Generate(RevocationParameters.Group), Hospital.Signatures!.PublicKey, Hospital.Signatures.Ring) { Batcher = batcher };
            Store = store ?? new InMemoryCiphertextStore();
            Accepting = new AcceptingCsp("csp-b", AdminKey.PublicKey, new Dictionary<string, byte[]> { ["csp-a"] = Source.TokenPublicKey.ToArray() },
                [Hospital.Encryption!.PublicKey, Insurer.Encryption!.PublicKey], Store);
            Admin = new RevocationAdmin(AdminKey);
            ToHospital = new InProcessRevocationConnection(Hospital);
            ToInsurer = new InProcessRevocationConnection(Insurer);
            ToSource = new InProcessRevocationConnection(Source);
            ToAccepting = new InProcessRevocationConnection(Accepting);
            var cspClient = new RevocationAdmin(CspKey);
            Accepting.UpdateSource = async ct =>
            {
                var keys = new List<CiphertextUpdateKey>();
                foreach (IRevocationConnection authority in new[] { ToHospital, ToInsurer }) keys.AddRange((await cspClient.FetchCiphertextUpdatesAsync(authority, "csp-b", CspEncryption, 0, ct)).Keys);
                return keys;
            };
        }

        public async Task<RevocationUser> EnrolAsync(string gid, string[] hospital, string[] insurer)
        {
            var user = RevocationUser.Create(gid);
            await Admin.GrantAsync(ToHospital, false, gid, user.SigningKey.PublicKey.ToArray(), user.EncryptionKey.PublicKey.ToArray(), hospital);
            await user.FetchKeysAsync(ToHospital);
            if (insurer.Length > 0)
            {
                await Admin.GrantAsync(ToInsurer, false, gid, user.SigningKey.PublicKey.ToArray(), user.EncryptionKey.PublicKey.ToArray(), insurer);
                await user.FetchKeysAsync(ToInsurer);
            }
            Source.UpdateRing(Hospital.Signatures!.PublicKey, Hospital.Signatures.Ring);
            return user;
        }

        public async Task GrantCspAsync()
        {
            foreach (IRevocationConnection authority in new[] { ToHospital, ToInsurer })
                await Admin.GrantAsync(authority, true, "csp-b", CspKey.PublicKey.ToArray(), CspEncryption.PublicKey.ToArray(), []);
        }

        public ValueTask DisposeAsync()
        {
            Hospital.Dispose();
            Insurer.Dispose();
            return ValueTask.CompletedTask;
        }
    }

    [Test]
    public async Task SevenAlgorithms_AcrossAuthoritiesAndCsps()
    {
        await using var net = new Network();
        await net.GrantCspAsync();
        using RevocationUser alice = await net.EnrolAsync("alice", ["doctor@HOSP"], ["auditor@INS"]);
        using RevocationUser bob = await net.EnrolAsync("bob", ["doctor@HOSP"], []);
        byte[] record = System.Security.Cryptography.RandomNumberGenerator.GetBytes(100_000);
        await net.Admin.StoreAsync(net.ToAccepting, "record-1", "doctor@HOSP AND auditor@INS", record);
        await net.Admin.StoreAsync(net.ToAccepting, "record-2", "doctor@HOSP", record);

        Policy ring = Policy.Parse("doctor@HOSP");
        RingPublicKey ringKey = net.Hospital.Signatures!.PublicKey;
        byte[] token = await alice.RequestTokenAsync(net.ToSource, ringKey, ring, "csp-b", "record-1");
        Assert.That(await alice.FetchAndDecryptAsync(net.ToAccepting, token), Is.EqualTo(record));
        byte[] bobToken = await bob.RequestTokenAsync(net.ToSource, ringKey, ring, "csp-b", "record-1");
        Assert.That(async () => await bob.FetchAndDecryptAsync(net.ToAccepting, bobToken), Throws.TypeOf<EngineException>().With.Property("Status").EqualTo(EngineStatus.PolicyNotSatisfied));
        Assert.That(await bob.FetchAndDecryptAsync(net.ToAccepting, await bob.RequestTokenAsync(net.ToSource, ringKey, ring, "csp-b", "record-2")), Is.EqualTo(record));

        // A token for another CSP, or replayed requests, are refused.
        byte[] elsewhere = await alice.RequestTokenAsync(net.ToSource, ringKey, ring, "csp-z", "record-1");
        Assert.That(async () => await alice.FetchAndDecryptAsync(net.ToAccepting, elsewhere), Throws.TypeOf<EngineException>().With.Property("Status").EqualTo(EngineStatus.VerificationFailed));

        // Revoke bob's doctor@HOSP: the CSP syncs (updates record-2's row), alice fetches her update, bob is out.
        Assert.That(await net.Admin.RevokeAsync(net.ToHospital, "bob", "doctor@HOSP"), Is.EqualTo(1));
        (int rows, int ciphertexts) = await net.Admin.SyncAsync(net.ToAccepting);
        Assert.That((rows, ciphertexts), Is.EqualTo((2, 2)));
        Assert.That(await net.Admin.SyncAsync(net.ToAccepting), Is.EqualTo((0, 0)), "a second run finds nothing to do");
        Assert.That(await alice.FetchUpdatesAsync(net.ToHospital, "HOSP"), Is.EqualTo(1));
        Assert.That(await bob.FetchUpdatesAsync(net.ToHospital, "HOSP"), Is.Zero);
        Assert.That(await alice.FetchAndDecryptAsync(net.ToAccepting, await alice.RequestTokenAsync(net.ToSource, ringKey, ring, "csp-b", "record-2")), Is.EqualTo(record));
        byte[] bobLate = await bob.RequestTokenAsync(net.ToSource, ringKey, ring, "csp-b", "record-2");
        Assert.That(async () => await bob.FetchAndDecryptAsync(net.ToAccepting, bobLate), Throws.TypeOf<EngineException>());

        // Revoke bob from the ring: the source CSP moves to the next epoch; bob cannot get tokens, alice can.
        Assert.That(await net.Admin.RevokeAsync(net.ToHospital, "bob", null), Is.EqualTo(1));
        net.Source.UpdateRing(ringKey, net.Hospital.Signatures.Ring);
        Assert.That(async () => await bob.RequestTokenAsync(net.ToSource, ringKey, ring, "csp-b", "record-2"), Throws.TypeOf<EngineException>());
        Assert.That(await alice.FetchUpdatesAsync(net.ToHospital, "HOSP"), Is.EqualTo(1), "alice's new ring key");
        Assert.That(alice.RingKey!.Epoch, Is.EqualTo(1UL));
        Assert.That(await alice.FetchAndDecryptAsync(net.ToAccepting, await alice.RequestTokenAsync(net.ToSource, ringKey, ring, "csp-b", "record-1")), Is.EqualTo(record));
    }

    [Test]
    public async Task UnsignedOrForeignRequests_AreRefusedAndChangeNothing()
    {
        await using var net = new Network();
        using RevocationUser alice = await net.EnrolAsync("alice", ["doctor@HOSP"], []);
        var mallory = new RevocationAdmin(SchnorrSigningKey.Generate(RevocationParameters.Group));
        Assert.That(async () => await mallory.GrantAsync(net.ToHospital, false, "eve", alice.SigningKey.PublicKey.ToArray(), alice.EncryptionKey.PublicKey.ToArray(), ["doctor@HOSP"]),
            Throws.TypeOf<EngineException>().With.Property("Status").EqualTo(EngineStatus.VerificationFailed));
        Assert.That(async () => await mallory.RevokeAsync(net.ToHospital, "alice", "doctor@HOSP"), Throws.TypeOf<EngineException>());
        Assert.That(net.Hospital.Encryption!.VersionOf("doctor@HOSP"), Is.Zero);
        Assert.That(net.Hospital.UserCount, Is.EqualTo(1));
        using RevocationUser eve = RevocationUser.Create("alice");                         // claims alice's GID
        Assert.That(async () => await eve.FetchKeysAsync(net.ToHospital), Throws.TypeOf<EngineException>().With.Property("Status").EqualTo(EngineStatus.VerificationFailed));
        foreach (RevocationMessageType type in Enum.GetValues<RevocationMessageType>())
        {
            foreach (IRevocationRole role in new IRevocationRole[] { net.Hospital, net.Source, net.Accepting })
            {
                (EngineStatus status, RevocationMessageType answer, _) = await role.ProcessAsync(type, new byte[] { 1, 2, 3 });
                if (type == RevocationMessageType.GetPublicKeys && role == net.Hospital || type == RevocationMessageType.GetRing && role == net.Source) continue;
                Assert.That(status, Is.Not.EqualTo(EngineStatus.Ok), $"{role.GetType().Name} {type}");
                Assert.That(answer, Is.EqualTo(RevocationMessageType.Error));
            }
        }
        Assert.That(net.Store.Resources(), Is.Empty);
    }

    [Test]
    public async Task AuthorityState_SurvivesARestart()
    {
        await using var net = new Network();
        using RevocationUser alice = await net.EnrolAsync("alice", ["doctor@HOSP"], []);
        using RevocationUser bob = await net.EnrolAsync("bob", ["doctor@HOSP"], []);
        await net.Admin.RevokeAsync(net.ToHospital, "bob", "doctor@HOSP");
        byte[] state = net.Hospital.ExportState();
        using Authority restarted = Authority.Import(state, net.AdminKey.PublicKey);
        Assert.That(restarted.ExportState(), Is.EqualTo(state));
        Assert.That(restarted.Encryption!.PublicKey.Encode(), Is.EqualTo(net.Hospital.Encryption!.PublicKey.Encode()));
        Assert.That(await alice.FetchUpdatesAsync(new InProcessRevocationConnection(restarted), "HOSP"), Is.EqualTo(1), "the queued update survived");
    }

    [Test]
    public async Task UpdateJob_IsResumableAndCommitsEachCiphertextAtomically()
    {
        string folder = Directory.CreateTempSubdirectory("abe-store-").FullName;
        try
        {
            await using var net = new Network(new FileCiphertextStore(folder));
            await net.GrantCspAsync();
            using RevocationUser alice = await net.EnrolAsync("alice", ["doctor@HOSP"], []);
            using RevocationUser bob = await net.EnrolAsync("bob", ["doctor@HOSP"], []);
            for (int i = 0; i < 6; i++) await net.Admin.StoreAsync(net.ToAccepting, $"r{i}", "doctor@HOSP", new byte[] { (byte)i });
            await net.Admin.RevokeAsync(net.ToHospital, "bob", "doctor@HOSP");
            var keys = await net.Accepting.UpdateSource!(CancellationToken.None);

            // A "crash" after three ciphertexts: the job is cancelled from its progress callback.
            using var crash = new CancellationTokenSource();
            var store = new FileCiphertextStore(folder);
            Assert.That(() => CiphertextUpdateJob.Run(store, keys, workers: 1, (done, _) => { if (done == 3) crash.Cancel(); }, crash.Token), Throws.InstanceOf<OperationCanceledException>());
            UpdateJobReport resumed = CiphertextUpdateJob.Run(new FileCiphertextStore(folder), keys, workers: 1);
            Assert.That(resumed.Ciphertexts, Is.EqualTo(3), "the rerun updates only what the first run did not commit");
            await alice.FetchUpdatesAsync(net.ToHospital, "HOSP");
            foreach (string resource in store.Resources()) Assert.That(alice.Decrypt(store.Get(resource)!), Has.Length.EqualTo(1), resource);
        }
        finally { Directory.Delete(folder, recursive: true); }
    }

    [Test]
    public async Task SourceCsp_SyncAndBatchCalls_AnswerLikeTheAsyncOne()
    {
        await using var net = new Network();
        var users = new List<RevocationUser>();
        for (int i = 0; i < 4; i++) users.Add(await net.EnrolAsync($"b{i}", ["doctor@HOSP"], []));
        Ring ring = net.Hospital.Signatures!.Ring;
        RingPublicKey key = net.Hospital.Signatures.PublicKey;
        Policy policy = Policy.Parse("doctor@HOSP");
        var requests = users.Select(u => (ReadOnlyMemory<byte>)u.AuthenticateRequest(ring, key, policy, "csp-b", "r")).ToList();
        byte[] tampered = users[0].AuthenticateRequest(ring, key, policy, "csp-b", "r");
        tampered[^5] ^= 1;                                                     // inside the last P_j: still a point? either way refused
        requests.Insert(2, tampered);
        requests.Add(requests[0]);                                             // a replay of the first
        var answers = net.Source.ProcessBatch(requests);
        Assert.That(answers.Select(a => a.Status), Is.EqualTo(new[] { EngineStatus.Ok, EngineStatus.Ok, answers[2].Status, EngineStatus.Ok, EngineStatus.Ok, EngineStatus.Replay }));
        Assert.That(answers[2].Status, Is.Not.EqualTo(EngineStatus.Ok));
        Assert.That(answers.Where(a => a.Status == EngineStatus.Ok).Select(a => a.Type), Has.All.EqualTo((RevocationMessageType)0x90));
        (EngineStatus single, RevocationMessageType type, _) = net.Source.Process(RevocationMessageType.Authenticate, users[1].AuthenticateRequest(ring, key, policy, "csp-b", "r"));
        Assert.That((single, type), Is.EqualTo((EngineStatus.Ok, (RevocationMessageType)0x90)));
        Assert.That(net.Source.Process(RevocationMessageType.Authenticate, tampered).Status, Is.Not.EqualTo(EngineStatus.Ok));
        foreach (RevocationUser u in users) u.Dispose();
    }

    [Test]
    public async Task SourceCsp_BatchesConcurrentVerifications()
    {
        using var batcher = new RingSignatureBatcher(new Engine.Primitives.Batching.ModExpBatchOptions { MaxBatch = 8, MaxDelay = TimeSpan.FromMilliseconds(20), Workers = 1 });
        await using var net = new Network(batcher: batcher);
        var users = new List<RevocationUser>();
        for (int i = 0; i < 6; i++) users.Add(await net.EnrolAsync($"u{i}", ["doctor@HOSP"], []));
        Policy ring = Policy.Parse("doctor@HOSP");
        byte[][] tokens = await Task.WhenAll(users.Select(u => Task.Run(() => u.RequestTokenAsync(net.ToSource, net.Hospital.Signatures!.PublicKey, ring, "csp-b", "r"))));
        Assert.That(tokens, Has.All.Not.Empty);
        Assert.That(batcher.Counts.Items, Is.EqualTo(6));
        Assert.That(batcher.Counts.Batches, Is.LessThan(6), "concurrent requests shared batches");
        foreach (RevocationUser u in users) u.Dispose();
    }
}
