using System.Security.Cryptography;
using Engine.Cli;
using NUnit.Framework;

namespace Engine.Tests.Cli;

/// <summary><c>engine abe …</c>: the whole of Protocol 4 by hand with key files, as the README walks through it.</summary>
[TestFixture]
public sealed class AbeCommandTests
{
    private string _dir = "";

    [SetUp]
    public void CreateFolder() => _dir = Directory.CreateTempSubdirectory("abe-cli-").FullName;

    [TearDown]
    public void DeleteFolder() => Directory.Delete(_dir, recursive: true);

    private string P(string name) => Path.Combine(_dir, name);

    private (int Code, string Output) Run(params string[] args)
    {
        var output = new StringWriter();
        int code = Program.BuildRoot(new StringReader(""), output).Parse(["abe", .. args]).Invoke();
        return (code, output.ToString());
    }

    private void Ok(params string[] args)
    {
        (int code, string output) = Run(args);
        Assert.That(code, Is.Zero, output);
    }

    [Test]
    public void AllSevenAlgorithms_RoundTripThroughFiles()
    {
        Ok("setup", "--name", "HOSP", "--key", P("hosp.key"), "--public", P("hosp.pub"));
        Ok("setup", "--name", "INS", "--key", P("ins.key"), "--public", P("ins.pub"));
        Ok("setup", "--signature", "--name", "SIG", "--key", P("sig.key"), "--public", P("sig.pub"), "--ring-out", P("ring"), "--max-columns", "8", "--defaults", "2");
        Assert.That(Run("setup", "--name", "HOSP", "--key", P("hosp.key"), "--public", P("x")).Code, Is.EqualTo(1), "an existing authority key is not overwritten");
        if (!OperatingSystem.IsWindows()) Assert.That(File.GetUnixFileMode(P("hosp.key")), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));

        foreach (string gid in new[] { "alice", "bob" })
        {
            Ok("keygen", "--authority-key", P("hosp.key"), "--gid", gid, "--attribute", "doctor@HOSP", "--keys", P(gid));
            Ok("keygen", "--authority-key", P("sig.key"), "--gid", gid, "--attribute", gid == "alice" ? "doctor@HOSP" : "nurse@HOSP", "--keys", P(gid), "--ring-out", P("ring"));
        }
        Ok("keygen", "--authority-key", P("ins.key"), "--gid", "alice", "--attribute", "auditor@INS", "--keys", P("alice"));

        byte[] payload = RandomNumberGenerator.GetBytes(200_000);
        File.WriteAllBytes(P("plain"), payload);
        Ok("encrypt", "--policy", "doctor@HOSP AND auditor@INS", "--public", P("hosp.pub"), "--public", P("ins.pub"), "--in", P("plain"), "--out", P("ct"), "--chunk-size", "16384");
        Ok("decrypt", "--keys", P("alice"), "--in", P("ct"), "--out", P("alice.out"));
        Assert.That(File.ReadAllBytes(P("alice.out")), Is.EqualTo(payload));
        (int code, string output) = Run("decrypt", "--keys", P("bob"), "--in", P("ct"), "--out", P("bob.out"));
        Assert.That(code, Is.EqualTo(1));
        Assert.That(output, Does.Contain("do not satisfy"));
        Assert.That(File.Exists(P("bob.out")) || File.Exists(P("bob.out.partial")), Is.False, "a failed decryption leaves no output");

        File.WriteAllText(P("msg"), "GET ct from csp-b");
        Ok("sign", "--keys", P("bob"), "--signature-public", P("sig.pub"), "--ring", P("ring"), "--policy", "1 of ring", "--in", P("msg"), "--out", P("bob.sig"));
        Ok("verify", "--signature-public", P("sig.pub"), "--ring", P("ring"), "--policy", "1 of ring", "--in", P("msg"), "--signature", P("bob.sig"));
        File.WriteAllText(P("msg2"), "GET another");
        Assert.That(Run("verify", "--signature-public", P("sig.pub"), "--ring", P("ring"), "--policy", "1 of ring", "--in", P("msg2"), "--signature", P("bob.sig")).Code, Is.EqualTo(1));

        // Revoke bob's doctor attribute: the CSP updates the ciphertext, alice applies her key update.
        Ok("revoke", "--authority-key", P("hosp.key"), "--gid", "bob", "--attribute", "doctor@HOSP", "--public", P("hosp.pub"), "--out-dir", P("rev"));
        Ok("update", "--update-key", P("rev/doctor_HOSP.v0.ctupdate"), "--in", P("ct"), "--out", P("ct"));
        Assert.That(Run("decrypt", "--keys", P("alice"), "--in", P("ct"), "--out", P("x")).Code, Is.EqualTo(1), "alice's key is at the old version");
        Ok("apply", "--keys", P("alice"), "--update", P("rev/alice.doctor_HOSP.keyupdate"));
        Ok("decrypt", "--keys", P("alice"), "--in", P("ct"), "--out", P("alice.out2"));
        Assert.That(File.ReadAllBytes(P("alice.out2")), Is.EqualTo(payload));
        Assert.That(Directory.GetFiles(P("rev"), "bob.*"), Is.Empty, "the revoked user gets no update");

        // Revoke bob from the ring: his signatures no longer verify, alice signs with her new key.
        Ok("revoke", "--authority-key", P("sig.key"), "--gid", "bob", "--ring-out", P("ring"), "--out-dir", P("rev"));
        Assert.That(Run("verify", "--signature-public", P("sig.pub"), "--ring", P("ring"), "--policy", "doctor@HOSP", "--in", P("msg"), "--signature", P("bob.sig")).Code, Is.EqualTo(1));
        Assert.That(Run("sign", "--keys", P("bob"), "--signature-public", P("sig.pub"), "--ring", P("ring"), "--policy", "doctor@HOSP", "--in", P("msg"), "--out", P("b2")).Code, Is.EqualTo(1));
        Ok("apply", "--keys", P("alice"), "--update", P("rev/alice.ringkey"));
        Ok("sign", "--keys", P("alice"), "--signature-public", P("sig.pub"), "--ring", P("ring"), "--policy", "doctor@HOSP", "--in", P("msg"), "--out", P("a.sig"));
        Ok("verify", "--signature-public", P("sig.pub"), "--ring", P("ring"), "--policy", "doctor@HOSP", "--in", P("msg"), "--signature", P("a.sig"));
    }

    [Test]
    public void BadInput_GetsOneErrorLine()
    {
        Ok("setup", "--name", "HOSP", "--key", P("hosp.key"), "--public", P("hosp.pub"));
        (int code, string output) = Run("encrypt", "--policy", "doctor@HOSP AND (", "--public", P("hosp.pub"), "--in", P("hosp.pub"), "--out", P("ct"));
        Assert.That(code, Is.EqualTo(1));
        Assert.That(output, Does.StartWith("error: Policy error at 17"));
        (code, output) = Run("encrypt", "--policy", "doctor@OTHER", "--public", P("hosp.pub"), "--in", P("hosp.pub"), "--out", P("ct"));
        Assert.That((code, output.Trim()), Is.EqualTo((1, "error: No public key of authority OTHER.")));
        File.WriteAllBytes(P("junk"), [0, 0, 0, 9, 1, 2]);
        Ok("keygen", "--authority-key", P("hosp.key"), "--gid", "u", "--attribute", "x@HOSP", "--keys", P("u"));
        (code, output) = Run("decrypt", "--keys", P("u"), "--in", P("junk"), "--out", P("o"));
        Assert.That(code, Is.EqualTo(1));
        Assert.That(output, Does.StartWith("error: The ciphertext header is truncated"));
    }
}
