using Engine.Cli;
using Engine.Hosting;
using Engine.Hosting.TwoServer;
using Engine.Primitives.Groups;
using Engine.Primitives.Schnorr;
using Engine.TwoServer;
using NUnit.Framework;

namespace Engine.Tests.Cli;

/// <summary>
/// <c>engine two-server register|join|send|fetch</c> against S1 and S2 on loopback: two users by hand, as the README
/// runs them; a message longer than one block arrives whole, only at its recipient, and bad input is refused with
/// the reason.
/// </summary>
[TestFixture, Category("EndToEnd"), NonParallelizable]
public sealed class TwoServerUserCommandTests
{
    private static readonly PrimeOrderGroup Group = PrimeOrderGroups.Bls12381G1;
    private SchnorrSigningKey _k1 = null!, _k2 = null!;
    private EngineHost _host = null!;
    private TwoServerServer _s1 = null!, _s2 = null!;
    private string _dir = "";

    /// <summary>S1 and S2 on loopback, and their public key files in a fresh folder, as the README's servers write them.</summary>
    [SetUp]
    public async Task StartServers()
    {
        (_k1, _k2) = (SchnorrSigningKey.Generate(Group), SchnorrSigningKey.Generate(Group));
        _host = new EngineHost();
        _s1 = new TwoServerServer(_host.CreateTwoServerNode(1, _k1, _k2.PublicKey, TwoServerParameters.Default));
        _s2 = new TwoServerServer(_host.CreateTwoServerNode(2, _k2, _k1.PublicKey, TwoServerParameters.Default));
        await _s1.StartAsync();
        await _s2.StartAsync();
        _dir = Directory.CreateTempSubdirectory("engine-two-server-user-").FullName;
        File.WriteAllText(Path.Combine(_dir, "s1.pub"), Convert.ToHexStringLower(_k1.PublicKey));
        File.WriteAllText(Path.Combine(_dir, "s2.pub"), Convert.ToHexStringLower(_k2.PublicKey));
    }

    [TearDown]
    public async Task StopServers()
    {
        await _s1.DisposeAsync();
        await _s2.DisposeAsync();
        _host.Dispose();
        _k1.Dispose();
        _k2.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Test]
    public void TwoUsers_RegisterJoinSendFetch_TheMessageArrivesOnlyAtItsRecipient()
    {
        TwoServerParameters parameters = TwoServerParameters.Default;
        string dir = _dir;
        TwoServerServer s1 = _s1, s2 = _s2;
        string[] Common(string user) => ["--id", user, "--key", Path.Combine(dir, user + ".key"), "--s1", s1.EndPoint!.ToString(), "--s2", s2.EndPoint!.ToString(),
                                         "--s1-key", Path.Combine(dir, "s1.pub"), "--s2-key", Path.Combine(dir, "s2.pub")];
        (int, string) Cli(string command, string user, params string[] more) => Run(["two-server", command, .. Common(user), .. more]);

        foreach (string user in new[] { "alice", "bob", "carol" })
        {
            (int code, string output) = Cli("register", user);
            Assert.That(code, Is.Zero, output);
            Assert.That(output, Does.Contain($"registered {user} at S1 and S2"));
            (code, output) = Cli("join", user, "--group", "friends");
            Assert.That(code, Is.Zero, output);
        }
        (int c, string o) = Cli("join", "carol", "--group", "friends");
        Assert.That(o, Does.Contain("alice, bob, carol"), "join prints the members both servers agree on");

        string text = string.Concat(Enumerable.Repeat("a message longer than one block ", 20));
        (c, o) = Cli("send", "alice", "--group", "friends", "--to", "bob", "--message", text);
        Assert.That(c, Is.Zero, o);
        long round = long.Parse(o.Split(" in round ")[1].Split(';')[0]);
        Assert.That(o, Does.Contain($"sent {Math.Ceiling(text.Length / (double)Engine.TwoServer.Content.Fragments.DataPerFragment(parameters))} block(s) to bob"));
        Assert.That(s1.Node.CloseRound(), Is.EqualTo(s2.Node.CloseRound()));

        (c, o) = Cli("fetch", "bob", "--group", "friends", "--round", round.ToString(), "--wait", "5");
        Assert.That(c, Is.Zero, o);
        Assert.That(o, Does.Contain($"round {round}: 1 message(s) for bob"));
        Assert.That(o, Does.Contain(text.Trim()));
        (c, o) = Cli("fetch", "carol", "--group", "friends", "--round", round.ToString(), "--wait", "5");
        Assert.That(c, Is.Zero, o);
        Assert.That(o, Does.Contain($"round {round}: 0 message(s) for carol"));

        // The round open now has not closed: fetch waits, then says so.
        (c, o) = Cli("fetch", "bob", "--group", "friends", "--wait", "0.5");
        Assert.That(c, Is.EqualTo(1));
        Assert.That(o, Does.Contain("did not close within 0.5 s"));
    }

    [Test]
    public void Dial_AnsweredLater_BothEndsSaveOneKey_AndOnlyTheCalleeSeesTheDial()
    {
        string dir = _dir;
        TwoServerServer s1 = _s1, s2 = _s2;
        string[] Common(string user) => ["--id", user, "--key", Path.Combine(dir, user + ".key"), "--s1", s1.EndPoint!.ToString(), "--s2", s2.EndPoint!.ToString(),
                                         "--s1-key", Path.Combine(dir, "s1.pub"), "--s2-key", Path.Combine(dir, "s2.pub")];
        (int, string) Cli(string command, string user, params string[] more) => Run(["two-server", command, .. Common(user), .. more]);
        foreach (string user in new[] { "alice", "bob", "carol", "dave" })
        {
            Assert.That(Cli("register", user).Item1, Is.Zero);
            Assert.That(Cli("join", user, "--group", "friends").Item1, Is.Zero);
        }

        (int c, string o) = Cli("dial", "alice", "--group", "friends", "--to", "bob");
        Assert.That(c, Is.Zero, o);
        Assert.That(o, Does.StartWith("dialled bob in friends (4 part(s)"), "κ defaults to n");
        string pending = Path.Combine(dir, "alice.key.peers", "bob.dial");
        Assert.That(File.Exists(pending), "the exponent is kept until the answer");
        if (!OperatingSystem.IsWindows()) Assert.That(File.GetUnixFileMode(pending), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));

        // Rounds pass before Bob looks; the dial waits in the mailbox.
        for (int r = 0; r < 2; r++) Assert.That(s1.Node.CloseRound(), Is.EqualTo(s2.Node.CloseRound()));
        // g^x (256 bytes) and "alice" in fragments; with κ = n every member's part holds one entry per fragment.
        int fragments = (int)Math.Ceiling((256 + "alice".Length) / (double)Engine.TwoServer.Content.Fragments.DataPerFragment(TwoServerParameters.Default));
        (c, o) = Cli("answer", "carol", "--group", "friends");
        Assert.That((c, o.Split('\n')[0]), Is.EqualTo((0, $"0 dial(s) for carol in friends (mailbox of {fragments} entries, both servers' signatures checked)")),
                    "carol holds only cover shares");
        (c, o) = Cli("answer", "bob", "--group", "friends");
        Assert.That(c, Is.Zero, o);
        Assert.That(o, Does.StartWith("1 dial(s) for bob"));
        string bobLine = o.Split('\n')[1];
        Assert.That(bobLine, Does.StartWith("  answered alice in round "));
        long round = long.Parse(bobLine.Split(" in round ")[1].Split(';')[0]);
        string bobFingerprint = bobLine.Split("shared key ")[1].Split(' ')[0];
        (c, o) = Cli("answer", "bob", "--group", "friends");
        Assert.That(o, Does.StartWith("0 dial(s) for bob"), "a dial is fetched once");

        Assert.That(s1.Node.CloseRound(), Is.EqualTo(s2.Node.CloseRound()));
        (c, o) = Cli("fetch", "alice", "--group", "friends", "--round", round.ToString(), "--wait", "5");
        Assert.That(c, Is.Zero, o);
        Assert.That(o, Does.Contain($"  dial answered by bob: shared key {bobFingerprint} saved to "));
        Assert.That(File.Exists(pending), Is.False, "the exponent is deleted once used");
        string aliceKey = File.ReadAllText(Path.Combine(dir, "alice.key.peers", "bob.key")), bobKey = File.ReadAllText(Path.Combine(dir, "bob.key.peers", "alice.key"));
        Assert.That(aliceKey, Does.StartWith("key ").And.EqualTo(bobKey));
        Assert.That(bobKey.Trim().Length, Is.EqualTo("key ".Length + 64));
        (c, o) = Cli("fetch", "carol", "--group", "friends", "--round", round.ToString(), "--wait", "5");
        Assert.That(o, Does.Not.Contain("dial answered"));

        (c, o) = Cli("dial", "alice", "--group", "friends", "--to", "alice");
        Assert.That((c, o), Is.EqualTo((1, "error: a user cannot dial itself\n")));
        (c, o) = Cli("dial", "alice", "--group", "friends", "--to", "bob", "--kappa", "5");
        Assert.That((c, o), Is.EqualTo((1, "error: --kappa is between 1 and the group size 4, not 5\n")));
    }

    [Test, Category("Malformed")]
    public void BadInput_IsRefusedWithTheReason()
    {
        using SchnorrSigningKey stranger = SchnorrSigningKey.Generate(Group);
        string dir = _dir;
        TwoServerServer s1 = _s1, s2 = _s2;
        File.WriteAllText(Path.Combine(dir, "wrong.pub"), Convert.ToHexStringLower(stranger.PublicKey));
        string key = Path.Combine(dir, "dave.key");
        string[] Args(string command, string s1Key, params string[] more) =>
            ["two-server", command, "--id", "dave", "--key", key, "--s1", s1.EndPoint!.ToString(), "--s2", s2.EndPoint!.ToString(), "--s1-key", s1Key, "--s2-key", Path.Combine(dir, "s2.pub"), .. more];

        (int c, string o) = Run(Args("join", Path.Combine(dir, "s1.pub"), "--group", "g"));
        Assert.That((c, o), Is.EqualTo((1, $"error: no key file '{key}' (engine two-server register creates it)\n")));
        (c, o) = Run(Args("register", Path.Combine(dir, "wrong.pub")));
        Assert.That(c, Is.EqualTo(1));
        Assert.That(o, Does.Contain("is not the trusted S1"), "a server announcing another key is refused before anything is sent");
        (c, o) = Run(Args("register", Path.Combine(dir, "s1.pub")));
        Assert.That(c, Is.Zero, o);
        (c, o) = Run(Args("send", Path.Combine(dir, "s1.pub"), "--group", "nowhere", "--to", "x", "--message", "m"));
        Assert.That(c, Is.EqualTo(1));
        Assert.That(o, Does.StartWith("error: group: "));
        (c, o) = Run(["two-server", "register", "--id", "dave", "--key", key, "--s1", "nonsense", "--s1-key", "a", "--s2-key", "b"]);
        Assert.That(o, Does.Contain("--s1 and --s2 are address:port"));
    }

    private static (int Code, string Output) Run(string[] args)
    {
        var output = new StringWriter();
        int code = Program.BuildRoot(new StringReader(""), output).Parse(args).Invoke();
        return (code, output.ToString());
    }
}
