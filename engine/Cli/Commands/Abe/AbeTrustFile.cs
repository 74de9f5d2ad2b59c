using System.Net;

namespace Engine.Cli.Commands.Abe;

/// <summary>
/// What a Protocol 4 server publishes for its clients: "name value" lines (role, name, endpoint, public keys in hex).
/// Public; written atomically.
/// </summary>
internal sealed class AbeTrustFile(Dictionary<string, string> values)
{
    public string this[string key] => values.TryGetValue(key, out string? v) ? v : throw new InvalidDataException($"the trust file has no '{key}' line");

    public bool Contains(string key) => values.ContainsKey(key);

    public IPEndPoint EndPoint => IPEndPoint.Parse(this["endpoint"]);

    public byte[] Bytes(string key) => Convert.FromHexString(this[key]);

    public static AbeTrustFile Read(string path, string role)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string line in File.ReadLines(path))
        {
            int space = line.IndexOf(' ');
            if (line.Length == 0 || line[0] == '#') continue;
            if (space <= 0) throw new InvalidDataException($"{path}: '{line}' is not 'name value'");
            values[line[..space]] = line[(space + 1)..].Trim();
        }
        var file = new AbeTrustFile(values);
        if (file["role"] != role) throw new InvalidDataException($"{path} is the trust file of a {file["role"]}, not of a {role}");
        return file;
    }

    public static void Write(string path, IEnumerable<(string Key, string Value)> lines)
    {
        string temporary = path + ".tmp";
        File.WriteAllLines(temporary, lines.Select(l => $"{l.Key} {l.Value}"));
        File.Move(temporary, path, overwrite: true);
    }
}
