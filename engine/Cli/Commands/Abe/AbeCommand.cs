using System.CommandLine;
using Spectre.Console;
using Engine.Cli.Commands.Iot;
using Engine.Revocation.Abe;
using Engine.Revocation.Policies;
using Engine.Revocation.Signatures;
using static Engine.Cli.Commands.Abe.AbeFiles;

namespace Engine.Cli.Commands.Abe;

/// <summary>
/// <c>engine abe …</c>: Protocol 4 by hand with key files (SPEC.md §4): authority setup, keygen, encrypt and decrypt
/// (files or stdin/stdout, any size in constant memory), ring sign and verify, revoke, the CSP's ciphertext update and
/// the user's key update. Every command says what it wrote; errors are one "error: …" line and exit code 1.
/// </summary>
internal static class AbeCommand
{
    public static Command Create(TextWriter output)
    {
        var abe = new Command("abe", "Protocol 4 with key files: setup, keygen, encrypt, decrypt, sign, verify, revoke, update, apply.");
        abe.Subcommands.Add(Setup(output));
        abe.Subcommands.Add(Keygen(output));
        abe.Subcommands.Add(Encrypt(output));
        abe.Subcommands.Add(Decrypt(output));
        abe.Subcommands.Add(Sign(output));
        abe.Subcommands.Add(Verify(output));
        abe.Subcommands.Add(Revoke(output));
        abe.Subcommands.Add(Update(output));
        abe.Subcommands.Add(Apply(output));
        return abe;
    }

    private static Option<string> Required(string name, string description) => new(name) { Description = description, Required = true };

    private static Command Setup(TextWriter output)
    {
        var command = new Command("setup", "Create an authority: an encryption authority (RW15), or with --signature the ring-signature authority (MPR).");
        var name = Required("--name", "The authority's name (attributes are name@NAME).");
        var key = Required("--key", "The secret key file to create (owner-only).");
        var pub = Required("--public", "The public key file to write.");
        var signature = new Option<bool>("--signature") { Description = "Create the signature authority of a ring instead." };
        var ring = new Option<string>("--ring") { Description = "With --signature: the ring's id.", DefaultValueFactory = _ => "ring-1" };
        var ringOut = new Option<string?>("--ring-out") { Description = "With --signature: where to write the (empty) ring." };
        var columns = new Option<int>("--max-columns") { Description = "With --signature: t_max, the most columns of a ring policy.", DefaultValueFactory = _ => SignatureAuthority.DefaultMaxColumns };
        var defaults = new Option<int>("--defaults") { Description = "With --signature: |Ω|, the default attributes (k of ring for k ≤ |Ω| + 1).", DefaultValueFactory = _ => SignatureAuthority.DefaultDefaultCount };
        foreach (Option o in new Option[] { name, key, pub, signature, ring, ringOut, columns, defaults }) command.Options.Add(o);
        command.SetAction(r => Run(output, () =>
        {
            string keyPath = r.GetValue(key)!, pubPath = r.GetValue(pub)!;
            if (File.Exists(keyPath)) throw new InvalidDataException($"{keyPath} exists; refusing to overwrite an authority key");
            if (r.GetValue(signature))
            {
                using var authority = SignatureAuthority.Create(r.GetValue(name)!, r.GetValue(ring)!, r.GetValue(columns), r.GetValue(defaults));
                SecretFile.WriteAndWipe(keyPath, SignatureAuthorityLine, authority.ExportSecret());
                File.WriteAllBytes(pubPath, authority.PublicKey.Encode());
                if (r.GetValue(ringOut) is string ringPath) File.WriteAllBytes(ringPath, authority.Ring.Encode());
                output.WriteLine($"signature authority {authority.Name}: ring {authority.Ring.Id}, t_max {authority.PublicKey.MaxColumns}, |Ω| {authority.PublicKey.DefaultCount}; wrote {keyPath}, {pubPath}");
            }
            else
            {
                using var authority = AttributeAuthority.Create(r.GetValue(name)!);
                SecretFile.WriteAndWipe(keyPath, EncryptionAuthorityLine, authority.ExportSecret());
                File.WriteAllBytes(pubPath, authority.PublicKey.Encode());
                output.WriteLine($"encryption authority {authority.Name}: wrote {keyPath}, {pubPath}");
            }
        }));
        return command;
    }

    private static Command Keygen(TextWriter output)
    {
        var command = new Command("keygen", "Issue a user's keys: decryption keys (encryption authority) or the ring signing key (signature authority).");
        var key = Required("--authority-key", "The authority's secret key file (its holder register is updated).");
        var gid = Required("--gid", "The user's global identifier.");
        var attributes = new Option<string[]>("--attribute") { Description = "name@AUTHORITY, repeatable.", AllowMultipleArgumentsPerToken = true, Required = true };
        var keys = Required("--keys", "The user's key file (created or extended; owner-only).");
        var ringOut = new Option<string?>("--ring-out") { Description = "Signature authority: where to write the grown ring." };
        foreach (Option o in new Option[] { key, gid, attributes, keys, ringOut }) command.Options.Add(o);
        command.SetAction(r => Run(output, () =>
        {
            string keyPath = r.GetValue(key)!, keysPath = r.GetValue(keys)!, user = r.GetValue(gid)!;
            UserKeys userKeys = ReadOrCreateUser(keysPath, user);
            using SecretFile file = SecretFile.Read(keyPath);
            if (file.Contains(EncryptionAuthorityLine))
            {
                Check(AttributeAuthority.Import(file[EncryptionAuthorityLine], out AttributeAuthority? authority), keyPath, "authority key");
                using (authority)
                {
                    foreach (string attribute in r.GetValue(attributes)!) userKeys.Decryption.Add(authority!.IssueKey(user, attribute));
                    SecretFile.WriteAndWipe(keyPath, EncryptionAuthorityLine, authority!.ExportSecret());
                }
                WriteUser(keysPath, userKeys);
                output.WriteLine($"{user}: {r.GetValue(attributes)!.Length} decryption key(s) in {keysPath}");
                return;
            }
            Check(SignatureAuthority.Import(file[SignatureAuthorityLine], out SignatureAuthority? signatures), keyPath, "signature authority key");
            using (signatures)
            {
                RingSigningKey ringKey = signatures!.Enrol(user, r.GetValue(attributes)!);
                SecretFile.WriteAndWipe(keyPath, SignatureAuthorityLine, signatures.ExportSecret());
                WriteUser(keysPath, userKeys with { Ring = ringKey });
                if (r.GetValue(ringOut) is string ringPath) File.WriteAllBytes(ringPath, signatures.Ring.Encode());
                output.WriteLine($"{user}: ring signing key for {ringKey.RingId} epoch {ringKey.Epoch} ({ringKey.AttributeKeys.Count} attribute keys incl. Ω) in {keysPath}");
            }
        }));
        return command;
    }

    private static Command Encrypt(TextWriter output)
    {
        var command = new Command("encrypt", "Encrypt a file (or stdin) under a policy: KEM header + STREAM AES-256-GCM chunks.");
        var policy = Required("--policy", "The access policy, e.g. \"doctor@HOSP AND (auditor@INS OR 2 of (a@X, b@X, c@X))\".");
        var publics = new Option<string[]>("--public") { Description = "An authority's public key file, repeatable (one per authority named).", AllowMultipleArgumentsPerToken = true, Required = true };
        var input = new Option<string>("--in") { Description = "Plaintext file, or - for stdin.", DefaultValueFactory = _ => "-" };
        var target = new Option<string>("--out") { Description = "Ciphertext file, or - for stdout.", DefaultValueFactory = _ => "-" };
        var ring = new Option<string>("--ring") { Description = "The ring id the ciphertext is served under.", DefaultValueFactory = _ => "ring-1" };
        var epoch = new Option<ulong>("--epoch") { Description = "The ring epoch.", DefaultValueFactory = _ => 0 };
        var chunk = new Option<int>("--chunk-size") { Description = "DEM chunk size in bytes.", DefaultValueFactory = _ => Engine.Primitives.Aead.StreamAead.DefaultChunkSize };
        foreach (Option o in new Option[] { policy, publics, input, target, ring, epoch, chunk }) command.Options.Add(o);
        command.SetAction(r => Run(output, () =>
        {
            Policy parsed = Policy.Parse(r.GetValue(policy)!);
            var keys = r.GetValue(publics)!.Select(ReadAuthorityPublicKey).ToDictionary(k => k.Name);
            using Stream source = OpenInput(r.GetValue(input)!), sink = OpenOutput(r.GetValue(target)!);
            AbeCiphertextHeader header = AbeEncryptor.Encrypt(parsed, keys, r.GetValue(ring)!, r.GetValue(epoch), source, sink, r.GetValue(chunk));
            if (r.GetValue(target) != "-") output.WriteLine($"ciphertext {header.IdHex}: {header.Rows.Length} rows under {parsed.Text}");
        }));
        return command;
    }

    private static Command Decrypt(TextWriter output)
    {
        var command = new Command("decrypt", "Decrypt a ciphertext with a user's keys (chunks are written as they verify).");
        var keys = Required("--keys", "The user's key file.");
        var input = new Option<string>("--in") { Description = "Ciphertext file, or - for stdin.", DefaultValueFactory = _ => "-" };
        var target = new Option<string>("--out") { Description = "Plaintext file, or - for stdout.", DefaultValueFactory = _ => "-" };
        foreach (Option o in new Option[] { keys, input, target }) command.Options.Add(o);
        command.SetAction(r => Run(output, () =>
        {
            UserKeys user = ReadUser(r.GetValue(keys)!);
            string outPath = r.GetValue(target)!;
            // A file output is written beside the target and renamed only once every chunk verified.
            string temporary = outPath == "-" ? "-" : outPath + ".partial";
            long length;
            using (Stream source = OpenInput(r.GetValue(input)!))
            {
                try
                {
                    using Stream sink = OpenOutput(temporary);
                    length = AbeDecryptor.Decrypt(source, sink, user.Decryption);
                }
                catch when (temporary != "-")
                {
                    File.Delete(temporary);
                    throw;
                }
            }
            if (temporary != "-")
            {
                File.Move(temporary, outPath, overwrite: true);
                output.WriteLine($"decrypted {length} bytes to {outPath}");
            }
        }));
        return command;
    }

    /// <summary>The options sign and verify share: the signature authority's key, the ring, the policy and the message.</summary>
    private sealed class RingOptions
    {
        public readonly Option<string> Public = Required("--signature-public", "The signature authority's public key file.");
        public readonly Option<string> Ring = Required("--ring", "The ring file (the source CSP verifies against the current epoch only).");
        public readonly Option<string> Policy = Required("--policy", "The ring policy over ring attributes, or \"K of ring\" for the paper's threshold form.");
        public readonly Option<string> Input = new("--in") { Description = "Message file, or - for stdin.", DefaultValueFactory = _ => "-" };

        public void AddTo(Command command)
        {
            foreach (Option o in new Option[] { Public, Ring, Policy, Input }) command.Options.Add(o);
        }

        public (RingPublicKey Key, Ring Ring, Policy Policy, byte[] Message) Read(ParseResult r)
        {
            RingPublicKey key = ReadRingPublicKey(r.GetValue(Public)!);
            Ring ring = ReadRing(r.GetValue(Ring)!);
            return (key, ring, ParseRingPolicy(r.GetValue(Policy)!, ring, key), ReadAll(r.GetValue(Input)!));
        }
    }

    private static Command Sign(TextWriter output)
    {
        var command = new Command("sign", "Ring-sign a message (file or stdin) for a ring policy with the user's ring key.");
        var keys = Required("--keys", "The user's key file (with a ring key).");
        var ringOptions = new RingOptions();
        var target = Required("--out", "Signature file.");
        command.Options.Add(keys);
        ringOptions.AddTo(command);
        command.Options.Add(target);
        command.SetAction(r => Run(output, () =>
        {
            UserKeys user = ReadUser(r.GetValue(keys)!);
            if (user.Ring is null) throw new InvalidDataException($"{r.GetValue(keys)} has no ring signing key");
            (RingPublicKey key, Ring current, Policy parsed, byte[] message) = ringOptions.Read(r);
            RingSignature signature = RingSigner.Sign(user.Ring, key, current, parsed, message);
            File.WriteAllBytes(r.GetValue(target)!, signature.Encode());
            output.WriteLine($"signed {message.Length} bytes for {parsed.Text} over ring {current.Id} epoch {current.Epoch}: {r.GetValue(target)}");
        }));
        return command;
    }

    private static Command Verify(TextWriter output)
    {
        var command = new Command("verify", "Verify a ring signature (exit code 0 when valid, 1 otherwise).");
        var ringOptions = new RingOptions();
        var signature = Required("--signature", "Signature file.");
        ringOptions.AddTo(command);
        command.Options.Add(signature);
        command.SetAction(r => Run(output, () =>
        {
            (RingPublicKey key, Ring current, Policy parsed, byte[] message) = ringOptions.Read(r);
            EngineStatus status = RingSignature.Decode(File.ReadAllBytes(r.GetValue(signature)!), parsed.Matrix.RowCount, parsed.Matrix.ColumnCount, out RingSignature? decoded);
            if (status == EngineStatus.Ok) status = new RingVerifier(key).Verify(current, parsed, message, decoded!);
            if (status != EngineStatus.Ok) throw new EngineException(status, $"the signature does not verify for {parsed.Text} over ring {current.Id} epoch {current.Epoch} ({status})");
            output.WriteLine($"valid: a member of ring {current.Id} epoch {current.Epoch} satisfying {parsed.Text} signed it");
        }));
        return command;
    }

    private static Command Revoke(TextWriter output)
    {
        var command = new Command("revoke", "Revoke a user: an attribute (encryption authority) or ring membership (signature authority).");
        var key = Required("--authority-key", "The authority's secret key file (rewritten).");
        var gid = Required("--gid", "The user to revoke.");
        var attribute = new Option<string?>("--attribute") { Description = "Encryption authority: the attribute to revoke." };
        var pub = new Option<string?>("--public") { Description = "Encryption authority: the public key file to rewrite (new attribute version)." };
        var ringOut = new Option<string?>("--ring-out") { Description = "Signature authority: where to write the next epoch's ring." };
        var dir = Required("--out-dir", "Where to write the updates: the CSP's ciphertext update key and one file per remaining holder or member.");
        foreach (Option o in new Option[] { key, gid, attribute, pub, ringOut, dir }) command.Options.Add(o);
        command.SetAction(r => Run(output, () =>
        {
            string keyPath = r.GetValue(key)!, outDir = r.GetValue(dir)!;
            Directory.CreateDirectory(outDir);
            using SecretFile file = SecretFile.Read(keyPath);
            var started = System.Diagnostics.Stopwatch.StartNew();
            if (file.Contains(EncryptionAuthorityLine))
            {
                string revoked = r.GetValue(attribute) ?? throw new InvalidDataException("--attribute is required for an encryption authority");
                Check(AttributeAuthority.Import(file[EncryptionAuthorityLine], out AttributeAuthority? authority), keyPath, "authority key");
                using (authority)
                {
                    AttributeRevocation revocation = authority!.Revoke(revoked, r.GetValue(gid)!);
                    SecretFile.WriteAndWipe(keyPath, EncryptionAuthorityLine, authority.ExportSecret());
                    if (r.GetValue(pub) is string pubPath) File.WriteAllBytes(pubPath, authority.PublicKey.Encode());
                    string updatePath = Path.Combine(outDir, $"{SafeName(revoked)}.v{revocation.CiphertextUpdate.FromVersion}.ctupdate");
                    SecretFile.WriteAndWipe(updatePath, CiphertextUpdateLine, revocation.CiphertextUpdate.Encode());
                    foreach (KeyUpdate update in revocation.KeyUpdates) File.WriteAllBytes(Path.Combine(outDir, $"{SafeName(update.Gid)}.{SafeName(revoked)}.keyupdate"), update.Encode());
                    output.WriteLine($"{revoked} is at version {revocation.CiphertextUpdate.ToVersion}; {revocation.KeyUpdates.Count} key update(s) and the CSP's update key {updatePath} " +
                                     $"in {started.Elapsed.TotalMilliseconds:F0} ms ({started.Elapsed.TotalMilliseconds / Math.Max(1, revocation.KeyUpdates.Count):F1} ms per remaining holder)");
                }
                return;
            }
            Check(SignatureAuthority.Import(file[SignatureAuthorityLine], out SignatureAuthority? signatures), keyPath, "signature authority key");
            using (signatures)
            {
                IReadOnlyList<RingSigningKey> rekeyed = signatures!.Revoke(r.GetValue(gid)!);
                SecretFile.WriteAndWipe(keyPath, SignatureAuthorityLine, signatures.ExportSecret());
                if (r.GetValue(ringOut) is string ringPath) File.WriteAllBytes(ringPath, signatures.Ring.Encode());
                foreach (RingSigningKey k in rekeyed) SecretFile.WriteAndWipe(Path.Combine(outDir, $"{SafeName(k.Gid)}.ringkey"), RingKeyLine, k.Encode());
                output.WriteLine($"ring {signatures.Ring.Id} is at epoch {signatures.Ring.Epoch}; {rekeyed.Count} member(s) re-keyed in {started.Elapsed.TotalMilliseconds:F0} ms " +
                                 $"({started.Elapsed.TotalMilliseconds / Math.Max(1, rekeyed.Count):F1} ms per member)");
            }
        }));
        return command;
    }

    private static Command Update(TextWriter output)
    {
        var command = new Command("update", "CSP: move stored ciphertexts' rows to the next attribute version without decrypting (one file, or a whole store as a resumable job).");
        var keys = new Option<string[]>("--update-key") { Description = "Ciphertext update key file(s) from revoke (chains are applied in version order).", AllowMultipleArgumentsPerToken = true, Required = true };
        var input = new Option<string?>("--in") { Description = "Ciphertext file." };
        var target = new Option<string?>("--out") { Description = "Updated ciphertext file (may be the same path: written to a temporary file, then renamed)." };
        var store = new Option<string?>("--store") { Description = "Instead of --in/--out: an accepting CSP's store (its directory or PostgreSQL connection string); every ciphertext is committed atomically, so a rerun after a crash resumes." };
        foreach (Option o in new Option[] { keys, input, target, store }) command.Options.Add(o);
        command.SetAction(r => Run(output, () =>
        {
            var updates = new List<CiphertextUpdateKey>();
            foreach (string path in r.GetValue(keys)!)
            {
                using SecretFile file = SecretFile.Read(path);
                Check(CiphertextUpdateKey.Decode(file[CiphertextUpdateLine], out CiphertextUpdateKey? update), path, "update key");
                updates.Add(update!);
            }
            if (r.GetValue(store) is string folder)
            {
                Engine.Revocation.Storage.ICiphertextStore ciphertexts = ServeAbeCommand.OpenCiphertextStore(folder);
                using var closeStore = ciphertexts as IDisposable;
                Engine.Revocation.Roles.UpdateJobReport? report = null;
                DemoCommand.CreateConsole(output).Progress().AutoClear(true)
                    .Columns(new Spectre.Console.TaskDescriptionColumn(), new Spectre.Console.ProgressBarColumn(), new Spectre.Console.PercentageColumn(), new Spectre.Console.ElapsedTimeColumn())
                    .Start(ctx =>
                    {
                        Spectre.Console.ProgressTask task = ctx.AddTask("updating ciphertexts", maxValue: Math.Max(1, ciphertexts.Resources().Count));
                        report = Engine.Revocation.Roles.CiphertextUpdateJob.Run(ciphertexts, updates, progress: (done, _) => task.Value = done);
                    });
                output.WriteLine($"updated {report!.Rows} row(s) in {report.Ciphertexts} ciphertext(s) in {report.Elapsed.TotalMilliseconds:F0} ms " +
                                 $"({report.Elapsed.TotalMilliseconds / Math.Max(1, report.Rows):F1} ms per row)");
                return;
            }
            string inPath = r.GetValue(input) ?? throw new InvalidDataException("give --in and --out, or --store");
            string outPath = r.GetValue(target) ?? throw new InvalidDataException("give --in and --out, or --store");
            int rows = Engine.Revocation.Roles.CiphertextUpdateJob.UpdateOne(File.ReadAllBytes(inPath), [.. updates.OrderBy(u => u.Attribute, StringComparer.Ordinal).ThenBy(u => u.FromVersion)], out byte[]? updated);
            if (rows > 0)
            {
                string temporary = outPath + ".partial";
                File.WriteAllBytes(temporary, updated!);
                File.Move(temporary, outPath, overwrite: true);                 // old or new, never a mix
            }
            output.WriteLine($"updated {rows} row(s) to the next version: {(rows > 0 ? outPath : "nothing to do")}");
        }));
        return command;
    }

    private static Command Apply(TextWriter output)
    {
        var command = new Command("apply", "User: apply a key update (.keyupdate) or install a new ring key (.ringkey) from revoke.");
        var keys = Required("--keys", "The user's key file (rewritten).");
        var update = Required("--update", "The update file.");
        foreach (Option o in new Option[] { keys, update }) command.Options.Add(o);
        command.SetAction(r => Run(output, () =>
        {
            string keysPath = r.GetValue(keys)!, updatePath = r.GetValue(update)!;
            UserKeys user = ReadUser(keysPath);
            if (updatePath.EndsWith(".ringkey", StringComparison.Ordinal))
            {
                using SecretFile file = SecretFile.Read(updatePath);
                Check(RingSigningKey.Decode(file[RingKeyLine], out RingSigningKey? ring), updatePath, "ring key");
                if (ring!.Gid != user.Gid) throw new InvalidDataException($"{updatePath} is for {ring.Gid}, not {user.Gid}");
                WriteUser(keysPath, user with { Ring = ring });
                output.WriteLine($"{user.Gid}: ring key for epoch {ring.Epoch}");
                return;
            }
            Check(KeyUpdate.Decode(File.ReadAllBytes(updatePath), out KeyUpdate? keyUpdate), updatePath, "key update");
            EngineStatus status = user.Decryption.Apply(keyUpdate!);
            if (status != EngineStatus.Ok) throw new EngineException(status, $"{updatePath} does not apply to {user.Gid}'s keys ({status})");
            WriteUser(keysPath, user);
            output.WriteLine($"{user.Gid}: {keyUpdate!.Attribute} at version {keyUpdate.ToVersion}");
        }));
        return command;
    }

    /// <summary>"K of ring" becomes the paper's threshold over all ring attributes with Ω; anything else is parsed as a policy.</summary>
    private static Policy ParseRingPolicy(string text, Ring ring, RingPublicKey key)
    {
        string[] words = text.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words.Length == 3 && int.TryParse(words[0], out int k) && words[1] == "of" && words[2] == "ring")
            return RingPolicy.KOf(k, ring.Attributes, key);
        return Policy.Parse(text);
    }

    private static byte[] ReadAll(string path)
    {
        using Stream stream = OpenInput(path);
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        if (buffer.Length > 16 << 20) throw new InvalidDataException("messages to sign are at most 16 MiB");
        return buffer.ToArray();
    }

    private static int Run(TextWriter output, Action action)
    {
        try
        {
            action();
            output.Flush();
            return 0;
        }
        catch (Exception e) when (e is EngineException or PolicyException or InvalidDataException or IOException or ArgumentException or UnauthorizedAccessException)
        {
            return IotFiles.Fail(output, e.Message);
        }
    }
}
