using System.Collections.Concurrent;
using Engine.Revocation.Abe;
using Engine.Revocation.Policies;
using Engine.Revocation.Roles;
using Engine.Revocation.Signatures;
using Engine.Revocation.Storage;
using Engine.Tests.IotAuth;
using Engine.Tests.Support;
using NUnit.Framework;

namespace Engine.Tests.Revocation;

/// <summary>
/// The accepting CSP's update job shared by several workers on one database (issue #17): every stored ciphertext is
/// updated by exactly one worker, and one whose worker died mid-job is taken over once its lease ran out.
/// </summary>
[TestFixture, NonParallelizable]
public sealed class SharedUpdateJobTests
{
    /// <summary>A store that records which worker's completions committed an updated ciphertext.</summary>
    private sealed class Recording(ISharedCiphertextStore inner) : ISharedCiphertextStore
    {
        public readonly ConcurrentBag<string> Updated = [];

        public IReadOnlyList<string> Resources() => inner.Resources();
        public byte[]? Get(string resource) => inner.Get(resource);
        public void Put(string resource, byte[] ciphertext) => inner.Put(resource, ciphertext);
        public byte[]? GetMeta(string name) => inner.GetMeta(name);
        public void SetMeta(string name, byte[] value) => inner.SetMeta(name, value);
        public IReadOnlyList<string> Claim(string job, string worker, int count, TimeSpan lease, DateTimeOffset now) => inner.Claim(job, worker, count, lease, now);

        public bool Complete(string job, string worker, string resource, byte[]? updated)
        {
            bool committed = inner.Complete(job, worker, resource, updated);
            if (committed && updated is not null) Updated.Add(resource);
            return committed;
        }
    }

    private const int Ciphertexts = 12;

    /// <summary>A network on <paramref name="database"/> with 12 stored records under doctor@HOSP and bob's doctor@HOSP revoked: the update keys.</summary>
    private static async Task<(RevocationRolesTests.Network Net, RevocationUser Alice, byte[] Record, IReadOnlyList<CiphertextUpdateKey> Keys)> RevokedAsync(SqlCiphertextStore store)
    {
        var net = new RevocationRolesTests.Network(store);
        await net.GrantCspAsync();
        RevocationUser alice = await net.EnrolAsync("alice", ["doctor@HOSP"], []);
        using RevocationUser bob = await net.EnrolAsync("bob", ["doctor@HOSP"], []);
        byte[] record = System.Security.Cryptography.RandomNumberGenerator.GetBytes(2000);
        for (int i = 0; i < Ciphertexts; i++) await net.Admin.StoreAsync(net.ToAccepting, $"r{i:D2}", "doctor@HOSP", record);
        Assert.That(await net.Admin.RevokeAsync(net.ToHospital, "bob", "doctor@HOSP"), Is.EqualTo(1));
        (_, IReadOnlyList<CiphertextUpdateKey> keys) = await new RevocationAdmin(net.CspKey).FetchCiphertextUpdatesAsync(net.ToHospital, "csp-b", net.CspEncryption, 0);
        Assert.That(keys, Is.Not.Empty);
        return (net, alice, record, keys);
    }

    [TestCaseSource(typeof(TestDatabase), nameof(TestDatabase.Kinds))]
    public async Task TwoWorkers_UpdateEveryCiphertextExactlyOnce(string kind)
    {
        using TestDatabase database = TestDatabase.Create(kind);
        using SqlCiphertextStore first = SqlCiphertextStore.Open(database.Location), second = SqlCiphertextStore.Open(database.Location);
        (RevocationRolesTests.Network net, RevocationUser alice, byte[] record, IReadOnlyList<CiphertextUpdateKey> keys) = await RevokedAsync(first);
        await using (net)
        using (alice)
        {
            // Two workers, as two CSP processes on one database would be, each with two threads claiming one at a time.
            byte[] beforeUpdate = first.Get("r03")!;
            var a = new Recording(first);
            var b = new Recording(second);
            UpdateJobReport[] reports = await Task.WhenAll(
                Task.Run(() => CiphertextUpdateJob.RunShared(a, keys, "worker-a", threads: 2, batch: 1)),
                Task.Run(() => CiphertextUpdateJob.RunShared(b, keys, "worker-b", threads: 2, batch: 1)));
            TestContext.Out.WriteLine($"{kind}: worker a updated {reports[0].Ciphertexts}, worker b {reports[1].Ciphertexts}");
            Assert.That(reports[0].Ciphertexts + reports[1].Ciphertexts, Is.EqualTo(Ciphertexts), "every ciphertext updated once in all");
            Assert.That(a.Updated.Intersect(b.Updated), Is.Empty, "no ciphertext updated by both");
            Assert.That(a.Updated.Concat(b.Updated).Order(), Is.EqualTo(first.Resources()), "and none left out");
            Assert.That(CiphertextUpdateJob.RunShared(a, keys, "worker-a").Ciphertexts, Is.Zero, "the job is done: a rerun claims nothing");
            // A ciphertext stored again (here: its version from before the job) is not done under the job any more.
            first.Put("r03", beforeUpdate);
            Assert.That(CiphertextUpdateJob.RunShared(b, keys, "worker-b").Ciphertexts, Is.EqualTo(1), "the re-stored ciphertext is updated again");

            // The updated rows decrypt for alice once she applied her key update; bob's token gets him nothing.
            Assert.That(await alice.FetchUpdatesAsync(net.ToHospital, "HOSP"), Is.EqualTo(1));
            RingPublicKey ringKey = net.Hospital.Signatures!.PublicKey;
            byte[] token = await alice.RequestTokenAsync(net.ToSource, ringKey, Policy.Parse("doctor@HOSP"), "csp-b", "r07");
            Assert.That(await alice.FetchAndDecryptAsync(net.ToAccepting, token), Is.EqualTo(record));
        }
    }

    [TestCaseSource(typeof(TestDatabase), nameof(TestDatabase.Kinds))]
    public async Task AWorkerThatDied_IsTakenOverAfterItsLease_AndItsLateCompletionRefused(string kind)
    {
        using TestDatabase database = TestDatabase.Create(kind);
        using SqlCiphertextStore store = SqlCiphertextStore.Open(database.Location);
        (RevocationRolesTests.Network net, RevocationUser alice, _, IReadOnlyList<CiphertextUpdateKey> keys) = await RevokedAsync(store);
        await using (net)
        using (alice)
        {
            var clock = new ManualClock(DateTimeOffset.UtcNow);
            string job = CiphertextUpdateJob.JobId([.. keys.OrderBy(k => k.Attribute, StringComparer.Ordinal).ThenBy(k => k.FromVersion)]);
            IReadOnlyList<string> held = store.Claim(job, "dead", 3, TimeSpan.FromMinutes(1), clock.GetUtcNow());
            Assert.That(held, Has.Count.EqualTo(3));

            // While the lease holds, another worker takes only the rest.
            var live = new Recording(store);
            Assert.That(CiphertextUpdateJob.RunShared(live, keys, "live", threads: 1, lease: TimeSpan.FromMinutes(1), time: clock).Ciphertexts, Is.EqualTo(Ciphertexts - 3));
            Assert.That(live.Updated, Is.EquivalentTo(store.Resources().Except(held)));
            // The dead worker's lease runs out: the next run takes its three; its late completion then writes nothing.
            clock.Advance(TimeSpan.FromMinutes(2));
            Assert.That(CiphertextUpdateJob.RunShared(live, keys, "live", threads: 1, lease: TimeSpan.FromMinutes(1), time: clock).Ciphertexts, Is.EqualTo(3));
            Assert.That(store.Complete(job, "dead", held[0], [1, 2, 3]), Is.False, "a lost claim commits nothing");
            Assert.That(store.Get(held[0]), Is.Not.EqualTo(new byte[] { 1, 2, 3 }));
            Assert.That(live.Updated, Has.Count.EqualTo(Ciphertexts));
        }
    }
}
