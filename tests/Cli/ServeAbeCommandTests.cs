using Engine.Cli;
using Engine.Cli.Commands.Abe;
using Engine.Hosting.Revocation;
using Engine.Primitives.Schnorr;
using Engine.Revocation;
using Engine.Revocation.Policies;
using Engine.Revocation.Roles;
using Engine.Revocation.Signatures;
using NUnit.Framework;

namespace Engine.Tests.Cli;

/// <summary>The served authority and CSPs (<c>engine serve abe-authority</c>, <c>engine serve csp</c>) driven by clients over TCP, and a restart.</summary>
[TestFixture, Category("EndToEnd"), NonParallelizable]
public sealed class ServeAbeCommandTests
{
    private string _dir = "";

    [SetUp]
    public void CreateFolder() => _dir = Directory.CreateTempSubdirectory("abe-serve-").FullName;

    [TearDown]
    public void DeleteFolder() => Directory.Delete(_dir, recursive: true);

    private string P(string name) => Path.Combine(_dir, name);

    private static (Task<int> Run, StringWriter Output) Serve(params string[] args)
    {
        var output = new StringWriter();
        var writer = TextWriter.Synchronized(output);
        return (Task.Run(() => Program.BuildRoot(new StringReader(""), writer).Parse(["serve", .. args]).Invoke()), output);
    }

    private static async Task WaitFor(string path, Task<int> server, StringWriter output)
    {
        for (int i = 0; i < 300 && !File.Exists(path); i++)
        {
            if (server.IsCompleted) Assert.Fail($"the server stopped: {output}");
            await Task.Delay(50);
        }
        Assert.That(File.Exists(path), Is.True, $"no {path}: {output}");
    }

    [Test]
    public async Task Servers_RunTheProtocol_AndTheAuthoritySurvivesARestart()
    {
        var authority = Serve("abe-authority", "--name", "HOSP", "--ring", "ring-1", "--data", P("hosp.data"), "--admin-key", P("admin.key"),
                              "--trust-file", P("hosp.trust"), "--port", "0", "--run-for", "20");
        await WaitFor(P("hosp.trust"), authority.Run, authority.Output);
        var source = Serve("csp", "--role", "source", "--name", "csp-a", "--key", P("a.key"), "--authority-trust", P("hosp.trust"), "--trust-file", P("a.trust"), "--port", "0", "--run-for", "19");
        await WaitFor(P("a.trust"), source.Run, source.Output);
        var accepting = Serve("csp", "--role", "accepting", "--name", "csp-b", "--key", P("b.key"), "--authority-trust", P("hosp.trust"), "--source-trust", P("a.trust"),
                              "--admin-key", P("admin.key"), "--store", P("store"), "--trust-file", P("b.trust"), "--port", "0", "--run-for", "19");
        await WaitFor(P("b.trust"), accepting.Run, accepting.Output);

        using SchnorrSigningKey admin = ServeAbeCommand.LoadOrCreateSigning(P("admin.key"), "signing");
        var op = new RevocationAdmin(admin);
        var hospTrust = AbeTrustFile.Read(P("hosp.trust"), "authority");
        var bTrust = AbeTrustFile.Read(P("b.trust"), "accepting");
        await using var toAuthority = new RevocationTcpConnection(hospTrust.EndPoint);
        await using var toSource = new RevocationTcpConnection(AbeTrustFile.Read(P("a.trust"), "source").EndPoint);
        await using var toAccepting = new RevocationTcpConnection(bTrust.EndPoint);
        await op.GrantAsync(toAuthority, true, "csp-b", bTrust.Bytes("signing-key"), bTrust.Bytes("encryption-key"), []);

        using RevocationUser alice = RevocationUser.Create("alice"), bob = RevocationUser.Create("bob");
        foreach (RevocationUser u in new[] { alice, bob })
        {
            await op.GrantAsync(toAuthority, false, u.Gid, u.SigningKey.PublicKey.ToArray(), u.EncryptionKey.PublicKey.ToArray(), ["doctor@HOSP"]);
            Assert.That(await u.FetchKeysAsync(toAuthority), Is.EqualTo(1));
        }
        byte[] record = System.Security.Cryptography.RandomNumberGenerator.GetBytes(50_000);
        await op.StoreAsync(toAccepting, "rec", "doctor@HOSP", record);
        var keys = ServeAbeCommand.ReadPublicKeys("HOSP", (await toAuthority.RequestAsync(Engine.Revocation.Wire.RevocationMessageType.GetPublicKeys, [RevocationParameters.Version])).Payload);
        RingPublicKey ringKey = keys.Item3!;
        await Task.Delay(1500);                                               // the source CSP follows the ring every second
        Policy policy = Policy.Parse("doctor@HOSP");
        Assert.That(await alice.FetchAndDecryptAsync(toAccepting, await alice.RequestTokenAsync(toSource, ringKey, policy, "csp-b", "rec")), Is.EqualTo(record));

        await op.RevokeAsync(toAuthority, "bob", "doctor@HOSP");
        Assert.That(await op.SyncAsync(toAccepting), Is.EqualTo((1, 1)));
        Assert.That(await op.SyncAsync(toAccepting), Is.EqualTo((0, 0)), "the store remembers how far it got");
        await alice.FetchUpdatesAsync(toAuthority, "HOSP");
        Assert.That(await alice.FetchAndDecryptAsync(toAccepting, await alice.RequestTokenAsync(toSource, ringKey, policy, "csp-b", "rec")), Is.EqualTo(record));
        byte[] bobToken = await bob.RequestTokenAsync(toSource, ringKey, policy, "csp-b", "rec");
        Assert.That(async () => await bob.FetchAndDecryptAsync(toAccepting, bobToken), Throws.TypeOf<EngineException>());

        Assert.That(await authority.Run, Is.Zero, authority.Output.ToString());
        Assert.That(await source.Run, Is.Zero, source.Output.ToString());
        Assert.That(await accepting.Run, Is.Zero, accepting.Output.ToString());

        // Restarted from its state file, the authority has the same keys and still knows alice.
        File.Delete(P("hosp.trust"));
        var again = Serve("abe-authority", "--name", "HOSP", "--ring", "ring-1", "--data", P("hosp.data"), "--admin-key", P("admin.key"),
                          "--trust-file", P("hosp.trust"), "--port", "0", "--run-for", "4");
        await WaitFor(P("hosp.trust"), again.Run, again.Output);
        await using var toRestarted = new RevocationTcpConnection(AbeTrustFile.Read(P("hosp.trust"), "authority").EndPoint);
        var restartedKeys = ServeAbeCommand.ReadPublicKeys("HOSP", (await toRestarted.RequestAsync(Engine.Revocation.Wire.RevocationMessageType.GetPublicKeys, [RevocationParameters.Version])).Payload);
        Assert.That(restartedKeys.Item2!.Base.EggAlpha, Is.EqualTo(keys.Item2!.Base.EggAlpha), "the same α");
        Assert.That(restartedKeys.Item3!.Encode(), Is.EqualTo(ringKey.Encode()), "the same ring key");
        Assert.That(restartedKeys.Item2!.For("doctor@HOSP").Version, Is.EqualTo(1u), "the revocation's new version survived");
        Assert.That(await alice.FetchKeysAsync(toRestarted), Is.EqualTo(1), "alice's registration survived");
        Assert.That(await again.Run, Is.Zero);
    }
}
