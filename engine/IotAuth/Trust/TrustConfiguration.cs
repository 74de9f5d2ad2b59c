using System.Text.Json;
using System.Text.Json.Serialization;

namespace Engine.IotAuth.Trust;

/// <summary>A configuration the cloud server refuses, with what is wrong in words an operator can act on.</summary>
public sealed class TrustConfigurationException(string message) : Exception(message);

/// <summary>
/// The cloud server's trust model (SPEC.md §3.2 [choice]): attribute kinds with ranges, directions and weights, the
/// weight of the peer-vote attribute, the value that attribute takes before any vote, and the anchors (devices trusted
/// with reputation 1). The acceptance threshold is the operation centre's (it decides whom to issue a tag to). Weights are ≥ 0 and sum to exactly 1.
/// </summary>
public sealed class TrustConfiguration
{
    /// <summary>Most attributes one configuration may hold (each one is a field of every report).</summary>
    public const int MaxAttributes = 64;

    /// <summary>Fixed-point scale of TL: TL = ⌊10000 · Σ wᵢ·âᵢ⌋.</summary>
    public const int Scale = 10_000;

    /// <summary>Validates and builds a configuration.</summary>
    /// <exception cref="TrustConfigurationException">A rule is broken; the message names it.</exception>
    public TrustConfiguration(IReadOnlyList<AttributeKind> attributes, decimal voteWeight, decimal noVotesValue, IReadOnlyCollection<string>? anchors = null)
    {
        if (attributes.Count is 0 or > MaxAttributes) throw new TrustConfigurationException($"a configuration needs 1 to {MaxAttributes} attributes, not {attributes.Count}");
        var names = new HashSet<string>(StringComparer.Ordinal);
        decimal sum = voteWeight;
        foreach (AttributeKind a in attributes)
        {
            if (string.IsNullOrWhiteSpace(a.Name) || a.Name.Length > 64) throw new TrustConfigurationException("attribute names must be 1 to 64 characters");
            if (!names.Add(a.Name)) throw new TrustConfigurationException($"attribute '{a.Name}' is listed twice");
            if (a.High <= a.Low) throw new TrustConfigurationException($"attribute '{a.Name}': the range [{a.Low}, {a.High}] is empty (high must exceed low)");
            if (a.Weight < 0) throw new TrustConfigurationException($"attribute '{a.Name}': weight {a.Weight} is negative");
            sum += a.Weight;
        }
        if (voteWeight < 0) throw new TrustConfigurationException($"the vote weight {voteWeight} is negative");
        if (sum != 1m) throw new TrustConfigurationException($"the weights (attributes and votes) sum to {sum}, not 1");
        if (noVotesValue is < 0 or > 1) throw new TrustConfigurationException($"the no-votes value {noVotesValue} is outside [0, 1]");
        Attributes = attributes.ToArray();
        VoteWeight = voteWeight;
        NoVotesValue = noVotesValue;
        Anchors = new HashSet<string>(anchors ?? [], StringComparer.Ordinal);
    }

    /// <summary>The attribute kinds, in the order reports list them.</summary>
    public IReadOnlyList<AttributeKind> Attributes { get; }

    /// <summary>Weight of the reputation-weighted vote attribute.</summary>
    public decimal VoteWeight { get; }

    /// <summary>The vote attribute's value for a device nobody has voted on.</summary>
    public decimal NoVotesValue { get; }

    /// <summary>Devices whose votes count with reputation 1 whatever their own TL.</summary>
    public IReadOnlySet<string> Anchors { get; }

    /// <summary>
    /// A default for a fleet of sensors: battery and uptime (higher is better), packet loss and firmware age (lower is
    /// better), peer votes.
    /// </summary>
    public static TrustConfiguration Default { get; } = new(
        [
            new AttributeKind("battery-percent", 0, 100, AttributeDirection.HigherIsBetter, 0.20m),
            new AttributeKind("uptime-hours", 0, 720, AttributeDirection.HigherIsBetter, 0.20m),
            new AttributeKind("packet-loss-percent", 0, 20, AttributeDirection.LowerIsBetter, 0.25m),
            new AttributeKind("firmware-age-days", 0, 365, AttributeDirection.LowerIsBetter, 0.15m),
        ],
        voteWeight: 0.20m, noVotesValue: 0.5m);

    /// <summary>
    /// Reads the JSON form: { "voteWeight": 0.2, "noVotesValue": 0.5, "anchors": ["gw-1"],
    /// "attributes": [ { "name": "battery-percent", "low": 0, "high": 100, "direction": "higher", "weight": 0.2 }, … ] }.
    /// </summary>
    /// <exception cref="TrustConfigurationException">Bad JSON or a broken rule.</exception>
    public static TrustConfiguration FromJson(string json)
    {
        Document? doc;
        try { doc = JsonSerializer.Deserialize(json, TrustJsonContext.Default.Document); }
        catch (JsonException e) { throw new TrustConfigurationException($"the configuration is not valid JSON: {e.Message}"); }
        if (doc?.Attributes is null) throw new TrustConfigurationException("the configuration has no \"attributes\" list");
        var kinds = new List<AttributeKind>();
        foreach (Document.Attribute a in doc.Attributes)
        {
            AttributeDirection direction = a.Direction switch
            {
                "higher" => AttributeDirection.HigherIsBetter,
                "lower" => AttributeDirection.LowerIsBetter,
                _ => throw new TrustConfigurationException($"attribute '{a.Name}': direction must be \"higher\" or \"lower\", not \"{a.Direction}\""),
            };
            kinds.Add(new AttributeKind(a.Name ?? "", a.Low, a.High, direction, a.Weight));
        }
        return new TrustConfiguration(kinds, doc.VoteWeight, doc.NoVotesValue, doc.Anchors);
    }

    /// <summary>The JSON form of this configuration.</summary>
    public string ToJson() => JsonSerializer.Serialize(new Document
    {
        VoteWeight = VoteWeight,
        NoVotesValue = NoVotesValue,
        Anchors = Anchors.Order(StringComparer.Ordinal).ToList(),
        Attributes = Attributes.Select(a => new Document.Attribute
        {
            Name = a.Name, Low = a.Low, High = a.High, Weight = a.Weight,
            Direction = a.Direction == AttributeDirection.HigherIsBetter ? "higher" : "lower",
        }).ToList(),
    }, TrustJsonContext.Default.Document);

    internal sealed class Document
    {
        public decimal VoteWeight { get; set; }
        public decimal NoVotesValue { get; set; }
        public List<string>? Anchors { get; set; }
        public List<Attribute>? Attributes { get; set; }

        internal sealed class Attribute
        {
            public string? Name { get; set; }
            public decimal Low { get; set; }
            public decimal High { get; set; }
            public string? Direction { get; set; }
            public decimal Weight { get; set; }
        }
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true, UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(TrustConfiguration.Document))]
internal sealed partial class TrustJsonContext : JsonSerializerContext;
