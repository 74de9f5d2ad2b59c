using Engine.Hosting.Roles;
using Engine.Primitives.Groups;
using Engine.Primitives.Schnorr;
using Engine.TwoServer.Partitions;
using Engine.TwoServer.Roles;
using Engine.TwoServer.Wire;
using NUnit.Framework;
using Deployment = Engine.Tests.TwoServer.TwoServerNodeTests.Deployment;

namespace Engine.Tests.TwoServer;

/// <summary>Issue #15's bounded state at a two-server node: expiring, capped registrations, an authenticated Confirm, and quotas.</summary>
[TestFixture, Category("Malformed")]
public sealed class TwoServerQuotaTests
{
    private static readonly PrimeOrderGroup Group = PrimeOrderGroups.Bls12381G1;

    /// <summary>A clock the test moves.</summary>
    private sealed class ManualClock : TimeProvider
    {
        public DateTimeOffset Now = new(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);
        public override DateTimeOffset GetUtcNow() => Now;
    }

    private static byte[] Register(string id, SchnorrSigningKey key) => new TwoServerWire.Writer().Name(id).Blob(key.PublicKey).ToArray();

    [Test]
    public void ForgedConfirm_DoesNotDeleteSomeoneElsesPendingRegistration()
    {
        using var d = new Deployment();
        using SchnorrSigningKey alice = SchnorrSigningKey.Generate(Group), mallory = SchnorrSigningKey.Generate(Group);
        var c1 = new InProcessConnection(d.S1);
        Assert.That(d.S1.Process(TwoServerMessageType.Register, Register("alice", alice), c1.Challenge.Span, out _, out _), Is.EqualTo(EngineStatus.Ok));
        // Well formed, claiming S2 saw another key (which would abort Alice's registration), but signed by Mallory.
        byte[] forged = Deployment.SignedRequest(mallory, "confirm", c1.Challenge.Span,
                                                 new TwoServerWire.Writer().Name("alice").Blob(mallory.PublicKey).Blob(new byte[96]));
        Assert.That(d.S1.Process(TwoServerMessageType.Confirm, forged, c1.Challenge.Span, out _, out _), Is.EqualTo(EngineStatus.VerificationFailed));
        Assert.That(d.S1.Store.FindUser("alice"), Is.Not.Null, "Alice's pending registration is still there");
        // Unsigned (the old wire form) is malformed now.
        byte[] unsigned = new TwoServerWire.Writer().Name("alice").Blob(mallory.PublicKey).Blob(new byte[96]).ToArray();
        Assert.That(d.S1.Process(TwoServerMessageType.Confirm, unsigned, c1.Challenge.Span, out _, out _), Is.Not.EqualTo(EngineStatus.Ok));
        Assert.That(d.S1.Store.FindUser("alice"), Is.Not.Null);
    }

    [Test]
    public async Task PendingRegistrations_AreCapped_AndExpire_SoNamesCannotBeSquatted()
    {
        var clock = new ManualClock();
        var quotas = TwoServerQuotas.Default with { MaxPendingRegistrations = 5, PendingRegistrationLifetime = TimeSpan.FromMinutes(10) };
        using var d = new Deployment(quotas: quotas, clock: clock);
        var c1 = new InProcessConnection(d.S1);
        using SchnorrSigningKey squatter = SchnorrSigningKey.Generate(Group);
        for (int i = 0; i < 5; i++)
            Assert.That(d.S1.Process(TwoServerMessageType.Register, Register($"name-{i}", squatter), c1.Challenge.Span, out _, out _), Is.EqualTo(EngineStatus.Ok));
        Assert.That(d.S1.Process(TwoServerMessageType.Register, Register("name-5", squatter), c1.Challenge.Span, out _, out _), Is.EqualTo(EngineStatus.QuotaExceeded));
        Assert.That(d.S1.Store.FindUser("name-5"), Is.Null, "a refused registration stores nothing");
        Assert.That(d.S1.Store.PendingUserCount, Is.EqualTo(5));

        // Before the lifetime passes the squatted name stays taken for another key; after it, the name is free.
        TwoServerUser owner = d.NewUser("name-0");
        Assert.That(await owner.RegisterAsync(), Is.EqualTo(EngineStatus.Replay));
        clock.Now += TimeSpan.FromMinutes(11);
        Assert.That(await owner.RegisterAsync(), Is.EqualTo(EngineStatus.Ok));
        Assert.That(d.S1.Store.FindUser("name-0")!.Active, Is.True);
        // The full table was swept of the expired rest when a new registration needed room.
        Assert.That(d.S1.Process(TwoServerMessageType.Register, Register("name-6", squatter), c1.Challenge.Span, out _, out _), Is.EqualTo(EngineStatus.Ok));
        Assert.That(d.S1.Store.PendingUserCount, Is.LessThanOrEqualTo(5));
    }

    [Test]
    public async Task GroupsAndSessions_HaveQuotas()
    {
        var quotas = TwoServerQuotas.Default with { MaxGroupMembers = 3, MaxGroupsPerUser = 2, MaxSessionsPerUserAndGroup = 2 };
        using var d = new Deployment(quotas: quotas);
        GroupView group = await d.MembersAsync(3);
        TwoServerUser fourth = d.NewUser("user-999");
        Assert.That(await fourth.RegisterAsync(), Is.EqualTo(EngineStatus.Ok));
        Assert.That(await fourth.JoinAsync("g"), Is.EqualTo(EngineStatus.QuotaExceeded), "the group is full");
        Assert.That(d.S1.Store.Group("g").Members, Has.Count.EqualTo(3));
        Assert.That(await fourth.JoinAsync("h1"), Is.EqualTo(EngineStatus.Ok));
        Assert.That(await fourth.JoinAsync("h2"), Is.EqualTo(EngineStatus.Ok));
        Assert.That(await fourth.JoinAsync("h3"), Is.EqualTo(EngineStatus.QuotaExceeded), "two groups per user");
        Assert.That(await fourth.JoinAsync("h1"), Is.EqualTo(EngineStatus.Ok), "joining a group again changes nothing and is not refused");

        TwoServerUser bob = d.Users[0].User;
        for (int i = 0; i < 2; i++) Assert.That((await bob.OpenSessionAsync(group, GroupPartition.ForRecipient(3, 1))).Status, Is.EqualTo(EngineStatus.Ok));
        Assert.That((await bob.OpenSessionAsync(group, GroupPartition.ForRecipient(3, 1))).Status, Is.EqualTo(EngineStatus.QuotaExceeded));
    }

    [Test]
    public async Task UploadsPerRound_HaveAQuota_ThatTheNextRoundResets()
    {
        var quotas = TwoServerQuotas.Default with { MaxUploadsPerUserPerRound = 2 };
        using var d = new Deployment(quotas: quotas);
        GroupView group = await d.MembersAsync(3);
        TwoServerUser bob = d.Users[0].User;
        (_, TwoServerSession? session) = await bob.OpenSessionAsync(group, GroupPartition.ForRecipient(3, 1));
        (_, long round) = await bob.GetRoundAsync();
        byte[] message = "hello"u8.ToArray();
        Assert.That((await bob.SendAsync(round, session!, message)).Status, Is.EqualTo(EngineStatus.Ok));
        Assert.That((await bob.SendAsync(round, session!, message)).Status, Is.EqualTo(EngineStatus.Ok));
        Assert.That((await bob.SendAsync(round, session!, message)).Status, Is.EqualTo(EngineStatus.QuotaExceeded));
        Assert.That(d.S1.Store.Uploads(round), Has.Count.EqualTo(2));
        d.CloseRound();
        Assert.That((await bob.SendAsync(round + 1, session!, message)).Status, Is.EqualTo(EngineStatus.Ok));
    }
}
