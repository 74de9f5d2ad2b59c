using System.Net;

namespace Engine.Cli.Commands.Iot;

/// <summary>
/// A public trust file of Protocol 3: the role ("cs" or "oc"), its identifier, where it listens, and its public keys
/// in hex. Public, but it must reach its users intact (it is what they authenticate the server with).
/// </summary>
internal sealed record TrustFile(string Role, string Id, IPEndPoint EndPoint, byte[] SigningKey, byte[]? EncryptionKey)
{
    public void Write(string path)
    {
        var lines = new List<string>
        {
            "# engine Protocol 3 trust file: public, but it must reach its users intact",
            $"role {Role}", $"id {Id}", $"endpoint {EndPoint}", $"signing {Convert.ToHexStringLower(SigningKey)}",
        };
        if (EncryptionKey is not null) lines.Add($"encryption {Convert.ToHexStringLower(EncryptionKey)}");
        File.WriteAllLines(path + ".tmp", lines);
        File.Move(path + ".tmp", path, overwrite: true);
    }

    /// <exception cref="InvalidDataException">A field is missing or malformed, or the role is not <paramref name="role"/>.</exception>
    public static TrustFile Read(string path, string role)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string line in File.ReadAllLines(path))
        {
            string t = line.Trim();
            if (t.Length == 0 || t.StartsWith('#')) continue;
            int space = t.IndexOf(' ');
            if (space <= 0) throw new InvalidDataException($"{path}: '{t}' is not 'field value'");
            fields[t[..space]] = t[(space + 1)..].Trim();
        }
        string Field(string name) => fields.TryGetValue(name, out string? v) ? v : throw new InvalidDataException($"{path}: no '{name}' line");
        if (Field("role") != role) throw new InvalidDataException($"{path} is the trust file of a '{Field("role")}', not of a '{role}'");
        if (!IPEndPoint.TryParse(Field("endpoint"), out IPEndPoint? endpoint)) throw new InvalidDataException($"{path}: bad endpoint '{Field("endpoint")}'");
        try
        {
            return new TrustFile(role, Field("id"), endpoint, Convert.FromHexString(Field("signing")),
                                 fields.TryGetValue("encryption", out string? e) ? Convert.FromHexString(e) : null);
        }
        catch (FormatException) { throw new InvalidDataException($"{path}: a key is not hexadecimal"); }
    }
}
