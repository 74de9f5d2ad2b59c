using Engine.Cli.Commands.Iot;
using Engine.Revocation.Abe;
using Engine.Revocation.Signatures;

namespace Engine.Cli.Commands.Abe;

/// <summary>
/// The key files of <c>engine abe</c>: authority keys and user keys are owner-only secret files ("name hex" lines,
/// see <see cref="SecretFile"/>); public keys, rings, ciphertexts and signatures are plain binary files.
/// </summary>
internal static class AbeFiles
{
    public const string EncryptionAuthorityLine = "encryption-authority";
    public const string SignatureAuthorityLine = "signature-authority";
    public const string GidLine = "gid";
    public const string RingKeyLine = "ring-key";
    public const string DecryptionKeyPrefix = "decryption-key:";
    public const string CiphertextUpdateLine = "ciphertext-update";

    /// <summary>A user's keys: the GID, decryption keys by attribute, and the ring signing key if any.</summary>
    public sealed record UserKeys(string Gid, UserDecryptionKeys Decryption, RingSigningKey? Ring);

    public static UserKeys ReadUser(string path)
    {
        using SecretFile file = SecretFile.Read(path);
        string gid = System.Text.Encoding.UTF8.GetString(file[GidLine]);
        var decryption = new UserDecryptionKeys(gid);
        RingSigningKey? ring = null;
        foreach (string name in file.Names)
        {
            if (name.StartsWith(DecryptionKeyPrefix, StringComparison.Ordinal))
            {
                Check(DecryptionKey.Decode(file[name], out DecryptionKey? key), path, name);
                decryption.Add(key!);
            }
            else if (name == RingKeyLine) Check(RingSigningKey.Decode(file[name], out ring), path, name);
        }
        return new UserKeys(gid, decryption, ring);
    }

    public static void WriteUser(string path, UserKeys keys)
    {
        var lines = new List<(string, byte[])> { (GidLine, System.Text.Encoding.UTF8.GetBytes(keys.Gid)) };
        int i = 0;
        foreach (DecryptionKey key in keys.Decryption.Keys.Values.OrderBy(k => k.Attribute, StringComparer.Ordinal))
            lines.Add(($"{DecryptionKeyPrefix}{i++}", key.Encode()));
        if (keys.Ring is not null) lines.Add((RingKeyLine, keys.Ring.Encode()));
        try { SecretFile.Write(path, lines); }
        finally { foreach ((_, byte[] value) in lines) System.Security.Cryptography.CryptographicOperations.ZeroMemory(value); }
    }

    /// <summary>The user's keys in <paramref name="path"/>, or an empty set for <paramref name="gid"/> when the file does not exist.</summary>
    public static UserKeys ReadOrCreateUser(string path, string gid)
    {
        if (!File.Exists(path)) return new UserKeys(gid, new UserDecryptionKeys(gid), null);
        UserKeys keys = ReadUser(path);
        if (keys.Gid != gid) throw new InvalidDataException($"{path} holds the keys of GID {keys.Gid}, not {gid}");
        return keys;
    }

    public static AuthorityPublicKey ReadAuthorityPublicKey(string path)
    {
        Check(AuthorityPublicKey.Decode(File.ReadAllBytes(path), out AuthorityPublicKey? key), path, "public key");
        return key!;
    }

    public static RingPublicKey ReadRingPublicKey(string path)
    {
        Check(RingPublicKey.Decode(File.ReadAllBytes(path), out RingPublicKey? key), path, "ring public key");
        return key!;
    }

    public static Ring ReadRing(string path)
    {
        Check(Ring.Decode(File.ReadAllBytes(path), out Ring? ring), path, "ring");
        return ring!;
    }

    public static void Check(EngineStatus status, string path, string what)
    {
        if (status != EngineStatus.Ok) throw new InvalidDataException($"{path}: the {what} is invalid ({status})");
    }

    /// <summary>A readable stream for a path, or standard input for "-".</summary>
    public static Stream OpenInput(string path) => path == "-" ? Console.OpenStandardInput() : File.OpenRead(path);

    /// <summary>A writable stream for a path, or standard output for "-".</summary>
    public static Stream OpenOutput(string path) => path == "-" ? Console.OpenStandardOutput() : File.Create(path);

    /// <summary>File-name form of an attribute (for update files).</summary>
    public static string SafeName(string text) => string.Concat(text.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_'));
}
