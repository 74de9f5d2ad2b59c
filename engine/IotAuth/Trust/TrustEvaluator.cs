using System.Numerics;

namespace Engine.IotAuth.Trust;

/// <summary>A peer's vote on a device: 1 (behaves well) or 0, weighted by the voter's reputation R ∈ [0, 10000].</summary>
public readonly record struct Vote(bool Approves, int Reputation);

/// <summary>
/// The trustworthiness level of SPEC.md §3.2, exactly: TL = ⌊10000 · (Σᵢ wᵢ·âᵢ + w_vote·a_vote)⌋ with
/// âᵢ = clamp((aᵢ − loᵢ)/(hiᵢ − loᵢ), 0, 1) (or (hiᵢ − aᵢ)/(hiᵢ − loᵢ) where lower is better) and
/// a_vote = Σ Rⱼ·vⱼ / Σ Rⱼ. Every step is a rational number over BigInteger, so the cloud server and the
/// operation centre (or an auditor) get the same integer from the same inputs, with no rounding anywhere but the
/// final floor.
/// </summary>
public static class TrustEvaluator
{
    /// <summary>Computes TL for a full set of attribute values (one per configured kind, any order).</summary>
    /// <exception cref="ArgumentException">A configured attribute is missing, an unknown one is present, or one appears twice.</exception>
    public static int Evaluate(TrustConfiguration configuration, IReadOnlyList<AttributeValue> values, IReadOnlyList<Vote> votes)
    {
        if (values.Count != configuration.Attributes.Count)
            throw new ArgumentException($"expected {configuration.Attributes.Count} attribute values, got {values.Count}", nameof(values));
        Rational sum = Rational.Zero;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (AttributeValue v in values)
        {
            AttributeKind kind = configuration.Attributes.FirstOrDefault(k => k.Name == v.Name)
                                 ?? throw new ArgumentException($"unknown attribute '{v.Name}'", nameof(values));
            if (!seen.Add(v.Name)) throw new ArgumentException($"attribute '{v.Name}' appears twice", nameof(values));
            Rational range = Rational.From(kind.High) - Rational.From(kind.Low);
            Rational offset = kind.Direction == AttributeDirection.HigherIsBetter
                ? Rational.From(v.Value) - Rational.From(kind.Low)
                : Rational.From(kind.High) - Rational.From(v.Value);
            sum += Rational.From(kind.Weight) * Rational.Clamp01(offset / range);
        }
        sum += Rational.From(configuration.VoteWeight) * VoteValue(configuration, votes);
        return (int)Rational.Floor(sum * new Rational(TrustConfiguration.Scale, 1));
    }

    /// <summary>a_vote = Σ Rⱼ·vⱼ / Σ Rⱼ, or the configured value when the reputations sum to zero.</summary>
    internal static Rational VoteValue(TrustConfiguration configuration, IReadOnlyList<Vote> votes)
    {
        BigInteger total = 0, approving = 0;
        foreach (Vote v in votes)
        {
            if (v.Reputation is < 0 or > TrustConfiguration.Scale) throw new ArgumentException("reputations are in [0, 10000]", nameof(votes));
            total += v.Reputation;
            if (v.Approves) approving += v.Reputation;
        }
        return total.IsZero ? Rational.From(configuration.NoVotesValue) : new Rational(approving, total);
    }

    /// <summary>A non-negative-denominator fraction over BigInteger (only what TL needs).</summary>
    internal readonly record struct Rational(BigInteger Numerator, BigInteger Denominator)
    {
        public static Rational Zero => new(0, 1);

        public static Rational From(decimal value)
        {
            int[] bits = decimal.GetBits(value);
            var mantissa = new BigInteger((uint)bits[0]) | (new BigInteger((uint)bits[1]) << 32) | (new BigInteger((uint)bits[2]) << 64);
            if (value < 0) mantissa = -mantissa;
            int scale = (bits[3] >> 16) & 0xff;
            return new Rational(mantissa, BigInteger.Pow(10, scale));
        }

        public static Rational operator +(Rational a, Rational b) => new(a.Numerator * b.Denominator + b.Numerator * a.Denominator, a.Denominator * b.Denominator);
        public static Rational operator -(Rational a, Rational b) => new(a.Numerator * b.Denominator - b.Numerator * a.Denominator, a.Denominator * b.Denominator);
        public static Rational operator *(Rational a, Rational b) => new(a.Numerator * b.Numerator, a.Denominator * b.Denominator);
        public static Rational operator /(Rational a, Rational b) => b.Numerator.Sign < 0
            ? new(-a.Numerator * b.Denominator, a.Denominator * -b.Numerator)
            : new(a.Numerator * b.Denominator, a.Denominator * b.Numerator);

        public static Rational Clamp01(Rational r) => r.Numerator.Sign <= 0 ? Zero : r.Numerator >= r.Denominator ? new(1, 1) : r;

        public static BigInteger Floor(Rational r) => BigInteger.Divide(r.Numerator - (r.Numerator.Sign < 0 ? r.Denominator - 1 : 0), r.Denominator);
    }
}
