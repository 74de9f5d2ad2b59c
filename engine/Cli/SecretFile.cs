using System.Buffers;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace Engine.Cli;

/// <summary>
/// A file of named secrets, one "name hex" line each, written owner-only and atomically (temporary file, then
/// rename); a line of hex alone is the unnamed value <see cref="Unnamed"/> (the key files that hold one secret). It is read into pinned buffers and parsed from bytes, never through .NET strings (which cannot be
/// wiped); <see cref="Dispose"/> wipes every value.
/// </summary>
internal sealed class SecretFile : IDisposable
{
    private readonly Dictionary<string, byte[]> _values = new(StringComparer.Ordinal);

    /// <summary>The name of a line that holds hex digits only.</summary>
    public const string Unnamed = "";

    private SecretFile() { }

    /// <summary>The value named <paramref name="name"/>.</summary>
    /// <exception cref="InvalidDataException">The file has no such line.</exception>
    public ReadOnlySpan<byte> this[string name] => _values.TryGetValue(name, out byte[]? v) ? v : throw new InvalidDataException($"no '{name}' line");

    /// <summary>The value as memory over its pinned buffer (no copy; valid until <see cref="Dispose"/>).</summary>
    /// <exception cref="InvalidDataException">The file has no such line.</exception>
    public ReadOnlyMemory<byte> Memory(string name) => _values.TryGetValue(name, out byte[]? v) ? v : throw new InvalidDataException($"no '{name}' line");

    /// <summary>The names of the lines, in ordinal order.</summary>
    public IEnumerable<string> Names => _values.Keys.Order(StringComparer.Ordinal);

    /// <summary>True if the file has a line named <paramref name="name"/>.</summary>
    public bool Contains(string name) => _values.ContainsKey(name);

    /// <summary>Reads a file written by <see cref="Write"/>.</summary>
    /// <exception cref="InvalidDataException">A line is not "name hex".</exception>
    public static SecretFile Read(string path)
    {
        byte[] raw;
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read))
        {
            if (stream.Length > 1 << 24) throw new InvalidDataException($"{path} is too large for a key file");
            raw = GC.AllocateArray<byte>((int)stream.Length, pinned: true);      // read straight into pinned memory
            stream.ReadExactly(raw);
        }
        byte[] chars = GC.AllocateArray<byte>(raw.Length * 2, pinned: true);     // room for the chars of the longest line
        var file = new SecretFile();
        try
        {
            int lineNumber = 0;
            foreach (Range range in SplitLines(raw))
            {
                lineNumber++;
                ReadOnlySpan<byte> line = raw.AsSpan(range).Trim((byte)' ').Trim((byte)'\r');
                if (line.IsEmpty || line[0] == (byte)'#') continue;
                int space = line.IndexOf((byte)' ');
                if (space == 0) throw new InvalidDataException($"line {lineNumber} is not 'name hex'");
                string name = space < 0 ? Unnamed : Encoding.ASCII.GetString(line[..space]);     // names are not secret
                ReadOnlySpan<byte> hex = space < 0 ? line : line[(space + 1)..].Trim((byte)' ');
                if (hex.Length % 2 != 0) throw new InvalidDataException($"line {lineNumber}: odd number of hex digits");
                Span<char> text = MemoryMarshal.Cast<byte, char>(chars.AsSpan(0, 2 * hex.Length));
                for (int i = 0; i < hex.Length; i++) text[i] = (char)hex[i];
                byte[] value = GC.AllocateArray<byte>(hex.Length / 2, pinned: true);
                if (Convert.FromHexString(text[..hex.Length], value, out _, out _) != OperationStatus.Done)
                    throw new InvalidDataException(name == Unnamed ? $"line {lineNumber} is not hexadecimal" : $"line {lineNumber}: '{name}' is not hexadecimal");
                file._values[name] = value;
                text.Clear();
            }
            return file;
        }
        catch
        {
            file.Dispose();
            throw;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(raw);
            CryptographicOperations.ZeroMemory(chars);
        }
    }

    /// <summary>Writes one named secret (see <see cref="Write"/>), then zeroes <paramref name="value"/>.</summary>
    public static void WriteAndWipe(string path, string name, byte[] value)
    {
        try { Write(path, [(name, value)]); }
        finally { CryptographicOperations.ZeroMemory(value); }
    }

    /// <summary>Writes the named values owner-only, replacing the file atomically.</summary>
    public static void Write(string path, IReadOnlyList<(string Name, byte[] Value)> values)
    {
        int size = values.Sum(v => v.Name.Length + 2 + 2 * v.Value.Length);
        byte[] buffer = GC.AllocateArray<byte>(size, pinned: true);
        char[] hex = GC.AllocateArray<char>(2 * values.Max(v => v.Value.Length), pinned: true);
        try
        {
            int offset = 0;
            foreach ((string name, byte[] value) in values)
            {
                offset += Encoding.ASCII.GetBytes(name, buffer.AsSpan(offset));
                if (name != Unnamed) buffer[offset++] = (byte)' ';
                Convert.TryToHexStringLower(value, hex, out int written);
                for (int i = 0; i < written; i++) buffer[offset + i] = (byte)hex[i];
                offset += written;
                buffer[offset++] = (byte)'\n';
            }
            string temporary = path + ".tmp";
            File.Delete(temporary);
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            using (var stream = new FileStream(temporary, options))
            {
                stream.Write(buffer, 0, offset);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(buffer);
            CryptographicOperations.ZeroMemory(MemoryMarshal.AsBytes(hex.AsSpan()));
        }
    }

    private static IEnumerable<Range> SplitLines(byte[] raw)
    {
        int start = 0;
        for (int i = 0; i <= raw.Length; i++)
        {
            if (i == raw.Length || raw[i] == (byte)'\n')
            {
                yield return start..i;
                start = i + 1;
            }
        }
    }

    /// <summary>Wipes every value.</summary>
    public void Dispose()
    {
        foreach (byte[] v in _values.Values) CryptographicOperations.ZeroMemory(v);
        _values.Clear();
    }
}
