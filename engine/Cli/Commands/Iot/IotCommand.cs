using System.CommandLine;
using System.Security.Cryptography;
using System.Text;
using Engine.Hosting.IotAuth;
using Engine.IotAuth;
using Engine.IotAuth.Auth;
using Engine.IotAuth.Roles;
using Engine.IotAuth.Tags;
using Engine.IotAuth.Trust;
using Engine.IotAuth.Wire;
using Engine.Pairing.Fields;
using Engine.Pairing.Groups;
using Engine.Primitives.Encryption;
using Engine.Primitives.Schnorr;

namespace Engine.Cli.Commands.Iot;

/// <summary>
/// <c>engine iot …</c>: a Protocol 3 device against the servers (<c>enrol</c>, <c>auth</c>, <c>vote</c>), the operator's
/// <c>rotate</c> and <c>revoke</c>, and line tools that check other implementations against SPEC.md §3.5 byte for
/// byte (<c>issue</c>, <c>prove</c>, <c>verify</c>).
/// </summary>
internal static class IotCommand
{
    public static Command Create(TextReader input, TextWriter output)
    {
        var iot = new Command("iot", "Protocol 3: a device client, the operator's commands, and SPEC.md §3.5 line tools.");
        Option<string> Credential() => new("--credential") { Description = "The device's credential file (its keys and tag; owner-only).", Required = true };
        Option<string> OcTrust() => new("--oc-trust") { Description = "The operation centre's trust file.", Required = true };
        Option<string> CsTrust() => new("--cs-trust") { Description = "The cloud server's trust file.", Required = true };

        var enrol = new Command("enrol", "Report attributes to the CS, register at the OC, obtain and check a tag; write the credential file.");
        var id = new Option<string>("--id") { Description = "The device identifier.", Required = true };
        var enrolCredential = Credential(); var enrolOc = OcTrust(); var enrolCs = CsTrust();
        var enrolment = new Option<string>("--enrolment-key") { Description = "The OC's enrolment key file (given out of band).", Required = true };
        var attributes = new Option<string[]>("--attribute") { Description = "NAME=VALUE, once per attribute of the CS's trust model.", AllowMultipleArgumentsPerToken = true, Required = true };
        foreach (Option o in new Option[] { id, enrolCredential, enrolOc, enrolCs, enrolment, attributes }) enrol.Options.Add(o);
        enrol.SetAction(r => Enrol(r.GetValue(id)!, r.GetValue(enrolCredential)!, r.GetValue(enrolOc)!, r.GetValue(enrolCs)!, r.GetValue(enrolment)!, r.GetValue(attributes)!, output).GetAwaiter().GetResult());
        iot.Subcommands.Add(enrol);

        var auth = new Command("auth", "Authenticate anonymously at the OC and agree a session key (challenge, proof, both confirmations).");
        var authCredential = Credential(); var authOc = OcTrust();
        var count = new Option<int>("--count") { Description = "Authentications to run (each with a fresh challenge).", DefaultValueFactory = _ => 1 };
        foreach (Option o in new Option[] { authCredential, authOc, count }) auth.Options.Add(o);
        auth.SetAction(r => Authenticate(r.GetValue(authCredential)!, r.GetValue(authOc)!, r.GetValue(count), output).GetAwaiter().GetResult());
        iot.Subcommands.Add(auth);

        var vote = new Command("vote", "Vote on another device at the CS (weighted by this device's own TL).");
        var voteCredential = Credential(); var voteCs = CsTrust();
        var subject = new Option<string>("--subject") { Description = "The device voted on.", Required = true };
        var reject = new Option<bool>("--reject") { Description = "Vote that it misbehaves (default: that it behaves)." };
        foreach (Option o in new Option[] { voteCredential, voteCs, subject, reject }) vote.Options.Add(o);
        vote.SetAction(r => Vote(r.GetValue(voteCredential)!, r.GetValue(voteCs)!, r.GetValue(subject)!, !r.GetValue(reject), output).GetAwaiter().GetResult());
        iot.Subcommands.Add(vote);

        var rotate = new Command("rotate", "Operator: move the OC to the next epoch (new γ); tags of the old epoch stop working.");
        var rotateAdmin = new Option<string>("--admin-key") { Description = "The OC's admin key file.", Required = true };
        var rotateOc = OcTrust();
        rotate.Options.Add(rotateAdmin); rotate.Options.Add(rotateOc);
        rotate.SetAction(r => Admin(r.GetValue(rotateAdmin)!, r.GetValue(rotateOc)!, null, output).GetAwaiter().GetResult());
        iot.Subcommands.Add(rotate);

        var revoke = new Command("revoke", "Operator: revoke a device; it gets no tag from now on, so it fails from the next epoch.");
        var revokeAdmin = new Option<string>("--admin-key") { Description = "The OC's admin key file.", Required = true };
        var revokeOc = OcTrust();
        var device = new Option<string>("--id") { Description = "The device to revoke.", Required = true };
        revoke.Options.Add(revokeAdmin); revoke.Options.Add(revokeOc); revoke.Options.Add(device);
        revoke.SetAction(r => Admin(r.GetValue(revokeAdmin)!, r.GetValue(revokeOc)!, r.GetValue(device), output).GetAwaiter().GetResult());
        iot.Subcommands.Add(revoke);

        AddLineTool(iot, "issue", "Read 'GAMMA M' (32-byte scalars); write the tag A = g1^(1/(γ+m)), compressed.", 2, 2, Issue, input, output);
        AddLineTool(iot, "prove", "Read 'A M W CHALLENGE' (CHALLENGE = the CH fields of SPEC.md §3.5); check the tag, write the 256-byte proof.", 4, 4, Prove, input, output);
        AddLineTool(iot, "verify", "Read 'W CHALLENGE PROOF' (public verifier, pairing) or 'GAMMA CHALLENGE PROOF' (the OC's); write ok or the status.", 3, 3, Verify, input, output);
        return iot;
    }

    private static void AddLineTool(Command parent, string name, string description, int min, int max, Func<string[], string> handler, TextReader input, TextWriter output)
    {
        var command = new Command(name, description);
        command.SetAction(_ => LineProcessor.Run(input, output, min, max, handler));
        parent.Subcommands.Add(command);
    }

    internal static string Issue(string[] ops)
    {
        using TagKey key = TagKey.Import(0, Bytes(ops[0], "GAMMA", 32), out TagKey? k) == EngineStatus.Ok ? k! : throw new LineException("GAMMA is not a scalar in [1, r − 1]");
        Fr m = Scalar(ops[1], "M");
        if (key.TryIssue(m, out G1Affine tag) != EngineStatus.Ok) throw new LineException("m = 0 or γ + m = 0: draw another nonce");
        return Hex(tag);
    }

    internal static string Prove(string[] ops)
    {
        if (G1Affine.Decode(Bytes(ops[0], "A", 48), out G1Affine tag) is var s1 && s1 != EngineStatus.Ok) throw new LineException($"A: {s1}");
        Fr m = Scalar(ops[1], "M");
        if (G2Affine.Decode(Bytes(ops[2], "W", 96), out G2Affine w) is var s2 && s2 != EngineStatus.Ok) throw new LineException($"W: {s2}");
        byte[] challenge = Bytes(ops[3], "CHALLENGE", -1);
        if (ChallengeFields.TryParse(challenge, out ChallengeFields ch) != EngineStatus.Ok) throw new LineException("CHALLENGE is not N_OC ‖ T ‖ Y_OC ‖ len ‖ OC-id");
        EngineStatus created = DeviceCredential.Create(tag, m, 0, new byte[32], w, ch.OperatorId, out DeviceCredential? credential);
        if (created != EngineStatus.Ok) throw new LineException(created == EngineStatus.VerificationFailed ? "the tag does not verify under W: e(A, W·g2^m) ≠ e(g1, g2)" : $"tag: {created}");
        using (credential)
        {
            byte[] proof = new byte[IotAuthParameters.ProofSize];
            EngineStatus status = DeviceProver.Prove(credential!, challenge, proof, out SessionKeys? keys);
            keys?.Dispose();
            return status == EngineStatus.Ok ? Convert.ToHexStringLower(proof) : throw new LineException($"CHALLENGE: {status}");
        }
    }

    internal static string Verify(string[] ops)
    {
        byte[] key = Bytes(ops[0], "W or GAMMA", -1);
        byte[] challenge = Bytes(ops[1], "CHALLENGE", -1), proof = Bytes(ops[2], "PROOF", -1);
        if (key.Length == IotAuthParameters.G2Size)
        {
            if (G2Affine.Decode(key, out G2Affine w) is var s && s != EngineStatus.Ok) throw new LineException($"W: {s}");
            return Status(ProofVerifier.WithPublicKey(w, 1).Verify(challenge, proof));
        }
        if (key.Length != IotAuthParameters.ScalarSize) throw new LineException("the first operand is W (96 bytes) or GAMMA (32 bytes)");
        if (TagKey.Import(0, key, out TagKey? gamma) != EngineStatus.Ok) throw new LineException("GAMMA is not a scalar in [1, r − 1]");
        using (gamma) return Status(ProofVerifier.WithTagKey(gamma!, 1, checkOperatorKey: true).Verify(challenge, proof));
    }

    private static string Status(EngineStatus s) => s == EngineStatus.Ok ? "ok" : s.ToString();

    private static async Task<int> Enrol(string id, string credentialPath, string ocTrustPath, string csTrustPath, string enrolmentPath, string[] attributeArgs, TextWriter output)
    {
        try
        {
            TrustFile oc = TrustFile.Read(ocTrustPath, "oc"), cs = TrustFile.Read(csTrustPath, "cs");
            var values = new List<AttributeValue>();
            foreach (string a in attributeArgs.SelectMany(a => a.Split(',', StringSplitOptions.RemoveEmptyEntries)))
            {
                int eq = a.IndexOf('=');
                if (eq <= 0 || !decimal.TryParse(a[(eq + 1)..], System.Globalization.NumberStyles.Number, System.Globalization.CultureInfo.InvariantCulture, out decimal v))
                    return IotFiles.Fail(output, $"--attribute '{a}' is not NAME=NUMBER");
                values.Add(new AttributeValue(a[..eq], v));
            }
            using SecretFile enrolment = SecretFile.Read(enrolmentPath);
            using DeviceKeys keys = File.Exists(credentialPath) ? DeviceKeys.Read(credentialPath, id) : DeviceKeys.Generate(id);
            using var device = new Device(id, keys.Signing, keys.Encryption, new OperationCenterEntry(oc.Id, oc.SigningKey, oc.EncryptionKey!), cs.SigningKey);
            await using IotTcpConnection toCs = await IotTcpConnection.ConnectAsync(cs.EndPoint, expectHello: false);
            await using IotTcpConnection toOc = await IotTcpConnection.ConnectAsync(oc.EndPoint, expectHello: true);
            var watch = System.Diagnostics.Stopwatch.StartNew();
            int tl = await device.EvaluateAsync(toCs, values);
            output.WriteLine($"cloud server: TL {tl} / 10000 ({watch.Elapsed.TotalMilliseconds:F1} ms)");
            await device.RegisterAsync(toOc, enrolment.Memory("enrolment"));
            watch.Restart();
            DeviceCredential credential = await device.RequestTagAsync(toOc, tl);
            output.WriteLine($"operation centre '{oc.Id}': tag for epoch {credential.Epoch} issued and checked (e(A, W·g2^m) = e(g1, g2)) in {watch.Elapsed.TotalMilliseconds:F1} ms");
            keys.Save(credentialPath, credential);
            output.WriteLine($"credential written to {credentialPath} (owner-only)");
            return 0;
        }
        catch (EngineException e) { return IotFiles.Fail(output, e.Message); }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException or System.Net.Sockets.SocketException or TimeoutException or ArgumentException)
        {
            return IotFiles.Fail(output, e.Message);
        }
    }

    private static async Task<int> Authenticate(string credentialPath, string ocTrustPath, int count, TextWriter output)
    {
        if (count < 1) return IotFiles.Fail(output, "--count must be at least 1");
        try
        {
            TrustFile oc = TrustFile.Read(ocTrustPath, "oc");
            using DeviceKeys keys = DeviceKeys.Read(credentialPath, null);
            using var device = new Device(keys.Id, keys.Signing, keys.Encryption, new OperationCenterEntry(oc.Id, oc.SigningKey, oc.EncryptionKey!), []) { Credential = keys.TakeCredential() };
            await using IotTcpConnection toOc = await IotTcpConnection.ConnectAsync(oc.EndPoint, expectHello: true);
            (uint epoch, _) = device.ReadHello(toOc.Hello.Span);
            if (epoch != device.Credential!.Epoch) output.WriteLine($"warning: the tag is for epoch {device.Credential.Epoch}, the OC is at epoch {epoch}: run 'engine iot enrol' again");
            for (int i = 0; i < count; i++)
            {
                AuthenticationResult result = await device.AuthenticateAsync(toOc);
                using (result.Keys)
                {
                    string fingerprint = Convert.ToHexStringLower(SHA256.HashData(result.Keys.EncryptionKey)[..8]);
                    output.WriteLine($"authenticated: session {Convert.ToHexStringLower(result.SessionId)}, key fingerprint {fingerprint}, proof {result.ProofTime.TotalMilliseconds:F2} ms, round trip {result.RoundTrip.TotalMilliseconds:F2} ms");
                }
            }
            return 0;
        }
        catch (EngineException e) { return IotFiles.Fail(output, e.Message); }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException or System.Net.Sockets.SocketException or TimeoutException)
        {
            return IotFiles.Fail(output, e.Message);
        }
    }

    private static async Task<int> Vote(string credentialPath, string csTrustPath, string subject, bool approves, TextWriter output)
    {
        try
        {
            TrustFile cs = TrustFile.Read(csTrustPath, "cs");
            using DeviceKeys keys = DeviceKeys.Read(credentialPath, null);
            using var device = new Device(keys.Id, keys.Signing, keys.Encryption, new OperationCenterEntry("-", [], []), cs.SigningKey);
            await using IotTcpConnection toCs = await IotTcpConnection.ConnectAsync(cs.EndPoint, expectHello: false);
            await device.VoteAsync(toCs, subject, approves);
            output.WriteLine($"vote recorded: {keys.Id} {(approves ? "approves of" : "reports")} {subject}");
            return 0;
        }
        catch (EngineException e) { return IotFiles.Fail(output, e.Message); }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException or System.Net.Sockets.SocketException or TimeoutException)
        {
            return IotFiles.Fail(output, e.Message);
        }
    }

    private static async Task<int> Admin(string adminPath, string ocTrustPath, string? revokeId, TextWriter output)
    {
        try
        {
            TrustFile oc = TrustFile.Read(ocTrustPath, "oc");
            using SecretFile admin = SecretFile.Read(adminPath);
            Engine.Primitives.Wire.WireWriter w = IotWire.Writer();
            if (revokeId is not null) w.Name(revokeId);
            w.UInt64((ulong)DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            byte[] mac = new byte[IotWire.MacSize];
            HMACSHA256.HashData(admin["admin"], w.WrittenSpan, mac);
            await using IotTcpConnection toOc = await IotTcpConnection.ConnectAsync(oc.EndPoint, expectHello: true);
            (IotMessageType type, byte[] payload) = await toOc.RequestAsync(revokeId is null ? IotMessageType.RotateEpoch : IotMessageType.Revoke, w.Fixed(mac).ToArray());
            if (type == IotMessageType.Error)
            {
                (EngineStatus status, string? reason) = IotWire.ReadError(payload);
                return IotFiles.Fail(output, $"refused: {status}{(reason is null ? "" : ": " + reason)}");
            }
            output.WriteLine(revokeId is null ? $"epoch {System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(payload.AsSpan(1))}" : $"revoked {revokeId}");
            return 0;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException or System.Net.Sockets.SocketException or TimeoutException)
        {
            return IotFiles.Fail(output, e.Message);
        }
    }

    private static byte[] Bytes(string hex, string what, int size)
    {
        byte[] b;
        try { b = Convert.FromHexString(hex.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? hex[2..] : hex); }
        catch (FormatException) { throw new LineException($"{what} is not hexadecimal: '{LineProcessor.Truncate(hex)}'"); }
        if (size >= 0 && b.Length != size) throw new LineException($"{what} must be {size} bytes, not {b.Length}");
        return b;
    }

    private static Fr Scalar(string hex, string what)
    {
        EngineStatus s = Fr.Decode(Bytes(hex, what, 32), out Fr value);
        return s == EngineStatus.Ok ? value : throw new LineException($"{what} is not below r");
    }

    private static string Hex(in G1Affine p)
    {
        Span<byte> b = stackalloc byte[48];
        p.EncodeCompressed(b);
        return Convert.ToHexStringLower(b);
    }
}

/// <summary>A device's credential file: its identifier, signing and encryption keys, and its tag (once issued).</summary>
internal sealed class DeviceKeys : IDisposable
{
    private DeviceCredential? _credential;

    private DeviceKeys(string id, SchnorrSigningKey signing, HashedElGamalKey encryption, DeviceCredential? credential)
        => (Id, Signing, Encryption, _credential) = (id, signing, encryption, credential);

    public string Id { get; }
    public SchnorrSigningKey Signing { get; }
    public HashedElGamalKey Encryption { get; }

    public DeviceCredential TakeCredential() => Interlocked.Exchange(ref _credential, null) ?? throw new InvalidDataException("the credential file holds no tag yet: run 'engine iot enrol'");

    public static DeviceKeys Generate(string id) => new(id, SchnorrSigningKey.Generate(IotAuthParameters.Group), HashedElGamalKey.Generate(IotAuthParameters.Group), null);

    /// <exception cref="InvalidDataException">The file is not a credential file, or is another device's.</exception>
    public static DeviceKeys Read(string path, string? expectedId)
    {
        using SecretFile file = SecretFile.Read(path);
        string id = Encoding.UTF8.GetString(file["id"]);
        if (expectedId is not null && id != expectedId) throw new InvalidDataException($"{path} is the credential of '{id}', not of '{expectedId}'");
        if (SchnorrSigningKey.Import(IotAuthParameters.Group, file["signing"], out SchnorrSigningKey? signing) != EngineStatus.Ok) throw new InvalidDataException($"{path}: bad signing key");
        if (HashedElGamalKey.Import(IotAuthParameters.Group, file["encryption"], out HashedElGamalKey? encryption) != EngineStatus.Ok) throw new InvalidDataException($"{path}: bad encryption key");
        DeviceCredential? credential = null;
        if (file.Contains("tag") && DeviceCredential.Import(file["tag"], out credential) != EngineStatus.Ok) throw new InvalidDataException($"{path}: the tag does not verify");
        return new DeviceKeys(id, signing!, encryption!, credential);
    }

    public void Save(string path, DeviceCredential credential)
    {
        byte[] tag = GC.AllocateArray<byte>(credential.ExportSize, pinned: true);
        credential.Export(tag);
        byte[] s = IotFiles.Export(Signing.ExportSecret), e = IotFiles.Export(Encryption.ExportSecret);
        try { SecretFile.Write(path, [("id", Encoding.UTF8.GetBytes(Id)), ("signing", s), ("encryption", e), ("tag", tag)]); }
        finally
        {
            CryptographicOperations.ZeroMemory(tag);
            CryptographicOperations.ZeroMemory(s);
            CryptographicOperations.ZeroMemory(e);
        }
    }

    public void Dispose()
    {
        Signing.Dispose();
        Encryption.Dispose();
        _credential?.Dispose();
    }
}
