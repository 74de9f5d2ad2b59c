namespace Engine.IotAuth.Trust;

/// <summary>Whether a larger raw value makes a device more trustworthy.</summary>
public enum AttributeDirection
{
    /// <summary>â = (a − lo)/(hi − lo), clamped to [0, 1].</summary>
    HigherIsBetter,

    /// <summary>â = (hi − a)/(hi − lo), clamped to [0, 1] (loss rates, error counts, firmware age).</summary>
    LowerIsBetter,
}

/// <summary>
/// One attribute the cloud server scores (SPEC.md §3.2): its name, the range [Low, High] its raw value is normalised
/// over, the direction, and its weight w_i in the trust level.
/// </summary>
public sealed record AttributeKind(string Name, decimal Low, decimal High, AttributeDirection Direction, decimal Weight);

/// <summary>A raw attribute value a device reports.</summary>
public readonly record struct AttributeValue(string Name, decimal Value);
