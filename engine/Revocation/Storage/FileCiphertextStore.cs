using System.Text;

namespace Engine.Revocation.Storage;

/// <summary>
/// A durable ciphertext store in a folder: one file per resource (its name hex-encoded), written to a temporary file,
/// flushed to disk and renamed over the old one, so a crash leaves each ciphertext whole at its old or its new version.
/// </summary>
public sealed class FileCiphertextStore : ICiphertextStore
{
    private readonly string _folder, _meta;

    /// <summary>A store in <paramref name="folder"/> (created if missing).</summary>
    public FileCiphertextStore(string folder)
    {
        _folder = Path.Combine(folder, "ciphertexts");
        _meta = Path.Combine(folder, "meta");
        Directory.CreateDirectory(_folder);
        Directory.CreateDirectory(_meta);
        foreach (string stale in Directory.EnumerateFiles(folder, "*.tmp", SearchOption.AllDirectories)) File.Delete(stale);   // a crash mid-write
    }

    private static string FileName(string name) => Convert.ToHexStringLower(Encoding.UTF8.GetBytes(name));

    /// <inheritdoc/>
    public IReadOnlyList<string> Resources()
        => [.. Directory.EnumerateFiles(_folder).Select(Path.GetFileName).Where(n => !n!.EndsWith(".tmp", StringComparison.Ordinal))
                 .Select(n => Encoding.UTF8.GetString(Convert.FromHexString(n!))).Order(StringComparer.Ordinal)];

    /// <inheritdoc/>
    public byte[]? Get(string resource)
    {
        string path = Path.Combine(_folder, FileName(resource));
        return File.Exists(path) ? File.ReadAllBytes(path) : null;
    }

    /// <inheritdoc/>
    public void Put(string resource, byte[] ciphertext) => WriteAtomically(Path.Combine(_folder, FileName(resource)), ciphertext);

    /// <inheritdoc/>
    public byte[]? GetMeta(string name)
    {
        string path = Path.Combine(_meta, FileName(name));
        return File.Exists(path) ? File.ReadAllBytes(path) : null;
    }

    /// <inheritdoc/>
    public void SetMeta(string name, byte[] value) => WriteAtomically(Path.Combine(_meta, FileName(name)), value);

    private static void WriteAtomically(string path, byte[] bytes)
    {
        string temporary = path + ".tmp";
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            stream.Write(bytes);
            stream.Flush(flushToDisk: true);
        }
        File.Move(temporary, path, overwrite: true);
    }
}
