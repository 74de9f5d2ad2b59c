using System.Numerics;
using Engine.Cli;
using Engine.Cli.Commands.Iot;
using Engine.IotAuth.Auth;
using Engine.IotAuth.Tags;
using Engine.Pairing.Fields;
using Engine.Pairing.Groups;
using Engine.Tests.IotAuth;
using NUnit.Framework;

namespace Engine.Tests.Cli;

/// <summary>The SPEC.md §3.5 line tools (<c>engine iot issue|prove|verify</c>) and the served CS and OC driven by <c>engine iot …</c>.</summary>
[TestFixture]
public sealed class IotCommandTests
{
    private static (int Code, string[] Lines) Run(string input, params string[] args)
    {
        var output = new StringWriter();
        int code = Program.BuildRoot(new StringReader(input), output).Parse(args).Invoke();
        return (code, output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }

    private static readonly BigInteger R = BigInteger.Parse("073eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001", System.Globalization.NumberStyles.HexNumber);

    private static string Hex32(BigInteger v) => Convert.ToHexStringLower(v.ToByteArray(isUnsigned: true, isBigEndian: true)).PadLeft(64, '0');

    [Test]
    public void Issue_WritesG1ToTheInverseOfGammaPlusM_ComputedIndependently()
    {
        var rng = new Random(11);
        for (int i = 0; i < 4; i++)
        {
            byte[] g = new byte[32], m = new byte[32];
            rng.NextBytes(g); rng.NextBytes(m);
            BigInteger gamma = new BigInteger(g, isUnsigned: true, isBigEndian: true) % R, mm = new BigInteger(m, isUnsigned: true, isBigEndian: true) % R;
            (int code, string[] lines) = Run($"{Hex32(gamma)} {Hex32(mm)}\n", "iot", "issue");
            Assert.That(code, Is.Zero);
            // 1/(γ + m) mod r by Fermat with BigInteger, then [k]g1 through the plain double-and-add multiplication.
            BigInteger inverse = BigInteger.ModPow((gamma + mm) % R, R - 2, R);
            Fr.Decode(Convert.FromHexString(Hex32(inverse)), out Fr k);
            byte[] expected = new byte[48];
            G1Projective.Generator.MultiplyPlain(k).ToAffine().EncodeCompressed(expected);
            Assert.That(lines, Is.EqualTo(new[] { Convert.ToHexStringLower(expected) }));
        }
        (int c, string[] l) = Run($"{Hex32(5)} {Hex32(R - 5)}\n{Hex32(0)} {Hex32(1)}\nzz 00\n", "iot", "issue");
        Assert.That(c, Is.EqualTo(1));
        Assert.That(l, Is.EqualTo(new[] { "error: line 1: m = 0 or γ + m = 0: draw another nonce", "error: line 2: GAMMA is not a scalar in [1, r − 1]", "error: line 3: GAMMA is not hexadecimal: 'zz'" }));
    }

    [Test]
    public void ProveThenVerify_ByBothVerifiers_AndBadTagsAreRefused()
    {
        string gamma = Hex32(123456789), m = Hex32(987654321);
        string tag = Run($"{gamma} {m}\n", "iot", "issue").Lines[0];
        TagKey.Import(0, Convert.FromHexString(gamma), out TagKey? key);
        using (key)
        {
            string w = Convert.ToHexStringLower(key!.PublicKeyBytes);
            string ch = Convert.ToHexStringLower(IotAuthTestKit.Challenge((ulong)DateTimeOffset.UtcNow.ToUnixTimeSeconds()).Challenge);
            (int code, string[] lines) = Run($"{tag} {m} {w} {ch}\n", "iot", "prove");
            Assert.That(code, Is.Zero, string.Join('\n', lines));
            string proof = lines[0];
            Assert.That(proof, Has.Length.EqualTo(512));
            Assert.That(Run($"{w} {ch} {proof}\n{gamma} {ch} {proof}\n", "iot", "verify").Lines, Is.EqualTo(new[] { "ok", "ok" }));
            string bad = proof[..300] + (proof[300] == '0' ? '1' : '0') + proof[301..];
            Assert.That(Run($"{w} {ch} {bad}\n{gamma} {ch} {bad}\n", "iot", "verify").Lines, Is.EqualTo(new[] { "VerificationFailed", "VerificationFailed" }));
            (code, lines) = Run($"{tag} {Hex32(5)} {w} {ch}\n", "iot", "prove");
            Assert.That(code, Is.EqualTo(1));
            Assert.That(lines[0], Does.Contain("the tag does not verify under W"));
            Assert.That(Run($"{w} {ch} {proof[..510]}\n", "iot", "verify").Lines, Is.EqualTo(new[] { "BadLength" }));
        }
    }
}

/// <summary><c>engine serve iot-cs</c> and <c>serve iot-oc</c> on loopback, with devices enrolling and authenticating through <c>engine iot</c>.</summary>
[TestFixture, Category("EndToEnd"), NonParallelizable]
public sealed class ServeIotCommandTests
{
    private static async Task WaitForAsync(Func<bool> condition, string what)
    {
        for (int i = 0; i < 400 && !condition(); i++) await Task.Delay(50);
        Assert.That(condition(), Is.True, $"timed out waiting for {what}");
    }

    private static (int Code, string Output) Iot(params string[] args)
    {
        var output = new StringWriter();
        int code = Program.BuildRoot(new StringReader(""), output).Parse(["iot", .. args]).Invoke();
        return (code, output.ToString());
    }

    [Test]
    public async Task EnrolAuthenticateRotateRevoke_AgainstServedServers_AndARestartedOcKeepsItsTags()
    {
        string dir = Directory.CreateTempSubdirectory("engine-iot-").FullName;
        string F(string name) => Path.Combine(dir, name);
        using var stopCs = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var csOut = new StringWriter();
        Task<int> cs = Task.Run(() => ServeIotCommand.RunCloudAsync(new CloudServeOptions(F("cs.key"), F("cs.trust"), [F("oc.trust")], null, "127.0.0.1", 0, 0, 0), csOut, stopCs.Token));
        await WaitForAsync(() => File.Exists(F("cs.trust")), "the CS");

        async Task<(Task<int> Task, CancellationTokenSource Stop, StringWriter Output)> StartOc()
        {
            File.Delete(F("oc.trust"));
            var stop = new CancellationTokenSource(TimeSpan.FromMinutes(3));
            var output = new StringWriter();
            Task<int> t = Task.Run(() => ServeIotCommand.RunOperationCenterAsync(new OperationCenterServeOptions("oc-1", F("oc.key"), F("enrol.key"), F("admin.key"), F("cs.trust"), F("oc.trust"),
                                                                                                               6000, 0, "127.0.0.1", 0, true, 0, 0), output, stop.Token));
            await WaitForAsync(() => File.Exists(F("oc.trust")), "the OC");
            return (t, stop, output);
        }

        var oc = await StartOc();
        try
        {
            string[] good = ["--attribute", "battery-percent=90", "uptime-hours=360", "packet-loss-percent=2", "firmware-age-days=73"];
            (int code, string text) = Iot(["enrol", "--id", "sensor-1", "--credential", F("s1.cred"), "--enrolment-key", F("enrol.key"), "--oc-trust", F("oc.trust"), "--cs-trust", F("cs.trust"), .. good]);
            Assert.That(code, Is.Zero, text);
            Assert.That(text, Does.Contain("TL 7250 / 10000").And.Contain("tag for epoch 1"));
            if (!OperatingSystem.IsWindows()) Assert.That(File.GetUnixFileMode(F("s1.cred")), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));

            (code, text) = Iot("auth", "--credential", F("s1.cred"), "--oc-trust", F("oc.trust"), "--count", "2");
            Assert.That(code, Is.Zero, text);
            Assert.That(text.Split("authenticated: session").Length - 1, Is.EqualTo(2));

            (code, text) = Iot(["enrol", "--id", "sensor-1", "--credential", F("s1.cred"), "--enrolment-key", F("admin.key"), "--oc-trust", F("oc.trust"), "--cs-trust", F("cs.trust"), .. good]);
            Assert.That(code, Is.EqualTo(1));
            Assert.That(text, Does.Contain("no 'enrolment' line"), "the admin key is not an enrolment key file");

            // Restart the OC from its key file: γ and the epoch survive, so the tag still authenticates.
            oc.Stop.Cancel();
            Assert.That(await oc.Task, Is.Zero);
            oc = await StartOc();
            (code, text) = Iot("auth", "--credential", F("s1.cred"), "--oc-trust", F("oc.trust"));
            Assert.That(code, Is.Zero, text);

            (code, text) = Iot("rotate", "--admin-key", F("admin.key"), "--oc-trust", F("oc.trust"));
            Assert.That(text.Trim(), Is.EqualTo("epoch 2"));
            (code, text) = Iot("auth", "--credential", F("s1.cred"), "--oc-trust", F("oc.trust"));
            Assert.That(code, Is.EqualTo(1));
            Assert.That(text, Does.Contain("VerificationFailed"));
            (code, text) = Iot("rotate", "--admin-key", F("enrol.key"), "--oc-trust", F("oc.trust"));
            Assert.That(code, Is.EqualTo(1), "the enrolment key cannot rotate");

            // The OC forgot registrations at its restart: enrol registers again (same keys) and gets an epoch-2 tag.
            (code, text) = Iot(["enrol", "--id", "sensor-1", "--credential", F("s1.cred"), "--enrolment-key", F("enrol.key"), "--oc-trust", F("oc.trust"), "--cs-trust", F("cs.trust"), .. good]);
            Assert.That(text, Does.Contain("tag for epoch 2"));
            Assert.That(Iot("revoke", "--id", "sensor-1", "--admin-key", F("admin.key"), "--oc-trust", F("oc.trust")).Output.Trim(), Is.EqualTo("revoked sensor-1"));
            (code, text) = Iot(["enrol", "--id", "sensor-1", "--credential", F("s1.cred"), "--enrolment-key", F("enrol.key"), "--oc-trust", F("oc.trust"), "--cs-trust", F("cs.trust"), .. good]);
            Assert.That(code, Is.EqualTo(1));
            Assert.That(text, Does.Contain("revoked"));
        }
        finally
        {
            oc.Stop.Cancel();
            stopCs.Cancel();
            await Task.WhenAll(oc.Task, cs);
        }
    }
}

/// <summary><c>engine simulate iot-auth</c> on a few devices: every point measured, nothing fails, the report renders.</summary>
[TestFixture, Category("EndToEnd"), NonParallelizable]
public sealed class SimulateIotCommandTests
{
    [Test]
    public void SmallRun_ReportsEveryFigure_WithNoFailure()
    {
        string dir = Directory.CreateTempSubdirectory("engine-sim-iot-").FullName;
        var output = new StringWriter();
        int code = Program.BuildRoot(new StringReader(""), output).Parse(["simulate", "iot-auth", "--devices", "3,6", "--concurrency", "3", "--repeat", "1",
                                                                          "--json", Path.Combine(dir, "r.json"), "--report", Path.Combine(dir, "r.html")]).Invoke();
        Assert.That(code, Is.Zero, output.ToString());
        using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "r.json")));
        var points = json.RootElement.GetProperty("Points").EnumerateArray().ToList();
        Assert.That(points.Select(p => p.GetProperty("Devices").GetInt32()), Is.EqualTo(new[] { 3, 6 }));
        foreach (var p in points)
        {
            int n = p.GetProperty("Devices").GetInt32();
            Assert.That(p.GetProperty("Failures").GetInt32(), Is.Zero);
            foreach (string figure in new[] { "OcTagGenerationMs", "OcProofAuthenticationMs", "OcProofAuthenticationBatchedMs", "DeviceTagCheckMs", "DeviceProofGenerationMs", "AuthenticationsPerSecondBatched", "AuthenticationsPerSecondUnbatched" })
                Assert.That(p.GetProperty(figure).GetDouble(), Is.GreaterThan(0), figure);
            // One authentication = GetChallenge (6) + Authenticate (5 + 1 + 32 + 256) + Confirm (5 + 1 + 16 + 32) frame bytes from the device.
            Assert.That(p.GetProperty("DeviceToOcBytes").GetInt64(), Is.EqualTo(n * (6 + 294 + 54)));
        }
        string html = File.ReadAllText(Path.Combine(dir, "r.html"));
        Assert.That(System.Text.RegularExpressions.Regex.Matches(html, "<svg").Count, Is.EqualTo(6));
        Assert.That(html, Does.Contain("tag generation").And.Contain("proof authentication").And.Contain("communication cost"));
    }
}
