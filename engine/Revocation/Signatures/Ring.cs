using Engine.Primitives.Wire;

namespace Engine.Revocation.Signatures;

/// <summary>
/// A ring R = ω_1 ∪ … ∪ ω_n at one epoch (SPEC §4.1): the members (GIDs) and the attributes each was enrolled with.
/// Signatures are made and checked against one (id, epoch); revoking a member makes the next epoch. Immutable.
/// </summary>
public sealed class Ring
{
    /// <summary>Most members a ring holds.</summary>
    public const int MaxMembers = 100_000;

    private readonly Dictionary<string, IReadOnlyList<string>> _members;
    private readonly HashSet<string> _attributes;

    internal Ring(string id, ulong epoch, Dictionary<string, IReadOnlyList<string>> members)
    {
        Id = id;
        Epoch = epoch;
        _members = members;
        _attributes = new HashSet<string>(members.Values.SelectMany(a => a), StringComparer.Ordinal);
    }

    /// <summary>The ring's name.</summary>
    public string Id { get; }

    /// <summary>Incremented by every revocation.</summary>
    public ulong Epoch { get; }

    /// <summary>Members and their attributes.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Members => _members;

    /// <summary>True when some member holds <paramref name="attribute"/> (the attribute is in R).</summary>
    public bool Contains(string attribute) => _attributes.Contains(attribute);

    /// <summary>The attributes of R, sorted.</summary>
    public IReadOnlyList<string> Attributes => [.. _attributes.Order(StringComparer.Ordinal)];

    /// <summary>version ‖ id ‖ epoch (8) ‖ members (4) ‖ (GID ‖ count (2) ‖ attributes)*.</summary>
    public byte[] Encode()
    {
        var w = new WireWriter(RevocationParameters.Version).Name(Id).UInt64(Epoch).Int32(_members.Count);
        foreach ((string gid, IReadOnlyList<string> attributes) in _members.OrderBy(m => m.Key, StringComparer.Ordinal))
        {
            w.Name(gid).UInt16((ushort)attributes.Count);
            foreach (string attribute in attributes) w.Name(attribute);
        }
        return w.ToArray();
    }

    /// <summary>Decodes a ring.</summary>
    public static EngineStatus Decode(ReadOnlySpan<byte> encoded, out Ring? ring)
    {
        ring = null;
        var r = new WireReader(encoded, RevocationParameters.Version);
        if (r.VersionMismatch) return EngineStatus.UnsupportedVersion;
        string id = r.Name();
        ulong epoch = r.UInt64();
        int count = r.Int32();
        if (!r.Ok || count < 0 || count > MaxMembers) return EngineStatus.Malformed;
        var members = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        for (int i = 0; i < count && r.Ok; i++)
        {
            string gid = r.Name();
            int n = r.UInt16();
            var attributes = new List<string>(Math.Min(n, 1024));
            for (int j = 0; j < n && r.Ok; j++) attributes.Add(r.Name());
            if (r.Ok && !members.TryAdd(gid, attributes)) return EngineStatus.Malformed;
        }
        if (!r.AtEndOk) return EngineStatus.Malformed;
        ring = new Ring(id, epoch, members);
        return EngineStatus.Ok;
    }
}
