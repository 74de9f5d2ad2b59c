using System.Net;
using System.Text;
using Engine.Primitives.Groups;

namespace Engine.Hosting.Onion;

/// <summary>
/// What a client needs to trust a KGC's directory, as <c>engine serve kgc --trust-file</c> writes it: the group, the
/// KGC's endpoint, pk_sys and the node-list signing key. Text, one <c>name=value</c> per line, keys in hex. Give it to
/// clients over a channel you trust: whoever controls these keys controls which relays a client believes in.
/// </summary>
public sealed record KgcTrustFile(string Group, IPEndPoint Endpoint, byte[] MasterPublicKey, byte[] ListSigningKey)
{
    /// <summary>The file's text.</summary>
    public string ToText() => new StringBuilder()
        .Append("# engine KGC trust anchor (Protocol 1): give this to clients over a trusted channel\n")
        .Append("group=").Append(Group).Append('\n')
        .Append("endpoint=").Append(Endpoint).Append('\n')
        .Append("master-public-key=").Append(Convert.ToHexStringLower(MasterPublicKey)).Append('\n')
        .Append("list-signing-key=").Append(Convert.ToHexStringLower(ListSigningKey)).Append('\n')
        .ToString();

    /// <summary>Parses the text; <see cref="FormatException"/> says which line or field is wrong.</summary>
    public static KgcTrustFile Parse(string text)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        int lineNumber = 0;
        foreach (string raw in text.Split('\n'))
        {
            lineNumber++;
            string line = raw.Trim();
            if (line.Length == 0 || line[0] == '#') continue;
            int eq = line.IndexOf('=');
            if (eq <= 0) throw new FormatException($"Trust file line {lineNumber}: expected name=value.");
            fields[line[..eq]] = line[(eq + 1)..];
        }
        string Field(string name) => fields.TryGetValue(name, out string? v) ? v : throw new FormatException($"Trust file: '{name}' is missing.");
        string group = Field("group");
        PrimeOrderGroup g = PrimeOrderGroups.Find(group) ?? throw new FormatException($"Trust file: unknown group '{group}'.");
        if (!IPEndPoint.TryParse(Field("endpoint"), out IPEndPoint? endpoint)) throw new FormatException("Trust file: 'endpoint' is not HOST:PORT.");
        byte[] Key(string name)
        {
            byte[] key;
            try { key = Convert.FromHexString(Field(name)); }
            catch (FormatException) { throw new FormatException($"Trust file: '{name}' is not hexadecimal."); }
            if (key.Length != g.ElementSizeInBytes) throw new FormatException($"Trust file: '{name}' has {key.Length} bytes, {g.Name} elements have {g.ElementSizeInBytes}.");
            return key;
        }
        return new KgcTrustFile(g.Name, endpoint, Key("master-public-key"), Key("list-signing-key"));
    }

    /// <summary>Reads and parses a file.</summary>
    public static KgcTrustFile Load(string path) => Parse(File.ReadAllText(path));
}
