using Engine.Revocation.Storage;
using Engine.Storage;
using Engine.Tests.Support;
using NUnit.Framework;

namespace Engine.Tests.Revocation;

/// <summary>
/// Protocol 4's durable stores: the accepting CSP's ciphertexts (one contract for memory, file, SQLite and
/// PostgreSQL) and an authority's sealed state (never in the clear, bound to its row and key).
/// </summary>
[TestFixture, NonParallelizable]
public sealed class RevocationStoreTests
{
    private static readonly string[] CiphertextKinds = ["memory", "file", "sqlite", "postgres"];
    private static readonly byte[] StateKey = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();

    [TestCaseSource(nameof(CiphertextKinds))]
    public void Ciphertexts_ReplaceWhole_SortByName_AndSurviveARestart(string kind)
    {
        using TestDatabase? database = kind is "memory" ? null : TestDatabase.Create(kind == "file" ? "sqlite" : kind);
        ICiphertextStore Open() => kind switch
        {
            "memory" => new InMemoryCiphertextStore(),
            "file" => new FileCiphertextStore(database!.Location),
            _ => SqlCiphertextStore.Open(database!.Location),
        };
        ICiphertextStore store = Open();
        byte[] big = System.Security.Cryptography.RandomNumberGenerator.GetBytes(300_000);
        store.Put("b/records", [1, 2, 3]);
        store.Put("a", big);
        store.Put("b/records", [4, 5]);
        store.SetMeta("applied/HOSP", [0, 0, 0, 9]);
        if (kind != "memory")
        {
            (store as IDisposable)?.Dispose();
            store = Open();
        }
        using var close = store as IDisposable;
        Assert.That(store.Resources(), Is.EqualTo(new[] { "a", "b/records" }));
        Assert.That(store.Get("a"), Is.EqualTo(big));
        Assert.That(store.Get("b/records"), Is.EqualTo(new byte[] { 4, 5 }), "the newer version, whole");
        Assert.That(store.Get("missing"), Is.Null);
        Assert.That(store.GetMeta("applied/HOSP"), Is.EqualTo(new byte[] { 0, 0, 0, 9 }));
        Assert.That(store.GetMeta("applied/OTHER"), Is.Null);
    }

    [TestCaseSource(typeof(TestDatabase), nameof(TestDatabase.Kinds))]
    public void AuthorityState_IsSealed_AndOpensOnlyUnderItsKeyAndName(string kind)
    {
        using TestDatabase database = TestDatabase.Create(kind);
        using var sealer = new SecretSealer(StateKey);
        byte[] state = System.Text.Encoding.UTF8.GetBytes("authority state: master secrets " + new string('x', 200));
        using (SqlAuthorityStore store = SqlAuthorityStore.Open(database.Location, sealer, "HOSP"))
        {
            Assert.That(store.Load(), Is.Null, "nothing saved yet");
            store.Save(state);
            store.Save(state);
            Assert.That(store.Revision, Is.EqualTo(2));
        }
        using (SqlAuthorityStore store = SqlAuthorityStore.Open(database.Location, sealer, "HOSP"))
            Assert.That(store.Load(), Is.EqualTo(state));
        using (SqlAuthorityStore other = SqlAuthorityStore.Open(database.Location, sealer, "CLINIC"))
            Assert.That(other.Load(), Is.Null, "another authority's row");
        using (var wrongKey = new SecretSealer(new byte[32]))
        using (SqlAuthorityStore store = SqlAuthorityStore.Open(database.Location, wrongKey, "HOSP"))
            Assert.That(() => store.Load(), Throws.TypeOf<InvalidDataException>().With.Message.Contains("state key"));
        if (kind == "sqlite")
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            foreach (string file in Directory.EnumerateFiles(database.Location))
                Assert.That(File.ReadAllBytes(file).AsSpan().IndexOf("master secrets"u8), Is.EqualTo(-1), $"{Path.GetFileName(file)} holds the state in the clear");
        }
    }
}
