using System.Net;
using Engine.Cli;
using Engine.Hosting.Revocation;
using Engine.Revocation.Policies;
using Engine.Revocation.Roles;
using Engine.Revocation.Wire;
using NUnit.Framework;

namespace Engine.Tests.Revocation;

/// <summary>The roles behind Kestrel: the same protocol over TCP, garbage frames refused, and the simulation's CLI.</summary>
[TestFixture, Category("EndToEnd")]
public sealed class RevocationServerTests
{
    [Test]
    public async Task Protocol_RunsOverTcp()
    {
        await using var net = new RevocationRolesTests.Network();
        await using var authority = new RevocationServer(net.Hospital);
        await using var source = new RevocationServer(net.Source);
        await using var accepting = new RevocationServer(net.Accepting);
        foreach (RevocationServer s in new[] { authority, source, accepting }) await s.StartAsync(IPAddress.Loopback, 0);
        await using var toAuthority = new RevocationTcpConnection(authority.EndPoint!);
        await using var toSource = new RevocationTcpConnection(source.EndPoint!);
        await using var toAccepting = new RevocationTcpConnection(accepting.EndPoint!);

        var user = RevocationUser.Create("tcp-user");
        await net.Admin.GrantAsync(toAuthority, false, user.Gid, user.SigningKey.PublicKey.ToArray(), user.EncryptionKey.PublicKey.ToArray(), ["doctor@HOSP"]);
        Assert.That(await user.FetchKeysAsync(toAuthority), Is.EqualTo(1));
        net.Source.UpdateRing(net.Hospital.Signatures!.PublicKey, net.Hospital.Signatures.Ring);
        byte[] record = System.Security.Cryptography.RandomNumberGenerator.GetBytes(600_000);
        await net.Admin.StoreAsync(toAccepting, "big", "doctor@HOSP", record);
        byte[] token = await user.RequestTokenAsync(toSource, net.Hospital.Signatures.PublicKey, Policy.Parse("doctor@HOSP"), "csp-b", "big");
        Assert.That(await user.FetchAndDecryptAsync(toAccepting, token), Is.EqualTo(record));

        // Garbage and unknown frames get typed refusals; the connection stays usable.
        var (type, payload) = await toAccepting.RequestAsync((RevocationMessageType)0x7f, [1, 2, 3]);
        Assert.That(type, Is.EqualTo(RevocationMessageType.Error));
        Assert.That(RevocationWire.ReadError(payload).Status, Is.EqualTo(EngineStatus.UnknownMessageType));
        (type, payload) = await toAccepting.RequestAsync(RevocationMessageType.Fetch, [1, 0, 0, 0, 5, 9]);
        Assert.That(RevocationWire.ReadError(payload).Status, Is.EqualTo(EngineStatus.Malformed));
        Assert.That(await user.FetchAndDecryptAsync(toAccepting, await user.RequestTokenAsync(toSource, net.Hospital.Signatures.PublicKey, Policy.Parse("doctor@HOSP"), "csp-b", "big")), Is.EqualTo(record));
        Assert.That(accepting.Counts.Refusals, Is.EqualTo(2));
        user.Dispose();
    }

    [Test]
    public void SimulateRevocation_RunsAndReports()
    {
        string json = Path.GetTempFileName(), html = Path.GetTempFileName();
        try
        {
            var output = new StringWriter();
            int code = Program.BuildRoot(new StringReader(""), output).Parse(["simulate", "revocation", "--authorities", "2", "--attributes", "2,4", "--users", "3",
                                                                            "--payload", "2KiB", "--repeat", "1", "--json", json, "--report", html]).Invoke();
            Assert.That(code, Is.Zero, output.ToString());
            using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(json));
            var points = doc.RootElement.GetProperty("AttributePoints");
            Assert.That(points.GetArrayLength(), Is.EqualTo(2));
            // Sizes grow with the policy: one row (772 bytes) per attribute in the header, one S_i (48 bytes) per ring attribute.
            long header2 = points[0].GetProperty("CiphertextHeaderBytes").GetInt64(), header4 = points[1].GetProperty("CiphertextHeaderBytes").GetInt64();
            Assert.That(header4 - header2, Is.EqualTo(2 * 772 + ("attr2@A1 AND attr3@A2".Length + 5)));
            Assert.That(points[1].GetProperty("SignatureBytes").GetInt64() - points[0].GetProperty("SignatureBytes").GetInt64(), Is.EqualTo(2 * 48));
            Assert.That(doc.RootElement.GetProperty("UserPoints")[0].GetProperty("Failures").GetInt32(), Is.Zero);
            Assert.That(File.ReadAllText(html), Does.Contain("<svg").And.Contain("Figure 2"));
        }
        finally
        {
            File.Delete(json);
            File.Delete(html);
        }
    }
}
