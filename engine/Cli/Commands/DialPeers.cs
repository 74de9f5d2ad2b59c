using System.Security.Cryptography;
using System.Text;
using Engine.Primitives.Groups;
using Engine.TwoServer.Content;
using Engine.TwoServer.Roles;

namespace Engine.Cli.Commands;

/// <summary>
/// A Protocol 2 user's dial state on disk, in its peers folder: <c>PEER.dial</c> holds the caller's exponent x from
/// <c>dial</c> until the answer arrives, <c>PEER.key</c> the shared key both ends derive (SPEC.md §2.2). Both are owner-
/// only secret files (<see cref="SecretFile"/>). The fingerprint printed beside a key lets the two users compare it.
/// </summary>
internal static class DialPeers
{
    /// <summary>The dial group: the 2048-bit Schnorr group (SPEC.md §2.2 "g^x (Schnorr group)").</summary>
    public static PrimeOrderGroup Group => PrimeOrderGroups.Modp2048Q256;

    /// <summary>Saves the caller's exponent for <paramref name="callee"/> (a new dial replaces an older one); returns the path.</summary>
    public static string SaveDial(string folder, string callee, Dial dial)
    {
        byte[] secret = GC.AllocateArray<byte>(PrimeOrderGroup.ScalarSizeInBytes, pinned: true);
        dial.ExportSecret(secret);
        string path = PathOf(folder, callee, ".dial");
        SecretFile.WriteAndWipe(path, "x", secret);
        return path;
    }

    /// <summary>Saves the key shared with <paramref name="peer"/>, then wipes <paramref name="key"/>; returns the path.</summary>
    public static string SaveKey(string folder, string peer, byte[] key)
    {
        string path = PathOf(folder, peer, ".key");
        SecretFile.WriteAndWipe(path, "key", key);
        return path;
    }

    /// <summary>
    /// Completes a dial from an answer found in a round (g^y ‖ the callee's id): derives and saves the key with the
    /// kept exponent and deletes the exponent. Says on <paramref name="output"/> what happened, and why when nothing did.
    /// </summary>
    public static void CompleteDial(TextWriter output, string folder, GroupView group, byte[] content)
    {
        if (DialContent.Read(Group.ElementSizeInBytes, content, out byte[] gy, out string callee) != EngineStatus.Ok || group.IndexOf(callee) < 0)
        {
            output.WriteLine("  a dial answer that names no member of the group: ignored");
            return;
        }
        string dialPath = PathOf(folder, callee, ".dial");
        if (!File.Exists(dialPath)) { output.WriteLine($"  a dial answer from {callee}, who was not dialled from here: ignored"); return; }
        Dial? dial;
        using (SecretFile file = SecretFile.Read(dialPath))
        {
            EngineStatus restored = Dial.Restore(Group, file["x"], out dial);
            if (restored != EngineStatus.Ok) { output.WriteLine($"  {dialPath} holds no valid exponent ({restored}): the answer from {callee} cannot be used"); return; }
        }
        using (dial)
        {
            byte[] key = GC.AllocateArray<byte>(Dial.KeySize, pinned: true);
            EngineStatus status = dial!.DeriveKey(gy, asCaller: true, key);
            if (status != EngineStatus.Ok) { output.WriteLine($"  the answer from {callee} carries no valid element ({status}): ignored"); return; }
            string fingerprint = Fingerprint(key);
            string saved = SaveKey(folder, callee, key);
            File.Delete(dialPath);
            output.WriteLine($"  dial answered by {callee}: shared key {fingerprint} saved to {saved}");
        }
    }

    /// <summary>The first 8 bytes of SHA-256 of the key, in hex: the same at both ends, and no help in finding the key.</summary>
    public static string Fingerprint(ReadOnlySpan<byte> key) => Convert.ToHexStringLower(SHA256.HashData(key)[..8]);

    /// <summary>
    /// The file for <paramref name="peer"/>: its id when that is a plain name (letters, digits, '.', '-', '_', not
    /// starting with '.'), else the hex of its UTF-8, so no id can reach outside the folder.
    /// </summary>
    private static string PathOf(string folder, string peer, string extension)
    {
        Directory.CreateDirectory(folder);
        bool plain = peer.Length is > 0 and <= 64 && peer[0] != '.' && peer.All(ch => char.IsAsciiLetterOrDigit(ch) || ch is '.' or '-' or '_');
        return Path.Combine(folder, (plain ? peer : "x-" + Convert.ToHexStringLower(Encoding.UTF8.GetBytes(peer))) + extension);
    }
}
