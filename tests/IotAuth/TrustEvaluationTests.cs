using Engine.IotAuth.Trust;
using NUnit.Framework;

namespace Engine.Tests.IotAuth;

/// <summary>TL arithmetic (SPEC.md §3.2) against an independent computation in System.Decimal, and configuration checks.</summary>
[TestFixture]
public sealed class TrustEvaluationTests
{
    [Test]
    public void HandComputedCases_AreExact()
    {
        var config = new TrustConfiguration(
            [new AttributeKind("a", 0, 10, AttributeDirection.HigherIsBetter, 0.5m), new AttributeKind("b", 0, 3, AttributeDirection.LowerIsBetter, 0.5m)],
            voteWeight: 0, noVotesValue: 0);
        Assert.That(TrustEvaluator.Evaluate(config, [new("a", 5), new("b", 1.5m)], []), Is.EqualTo(5000));
        Assert.That(TrustEvaluator.Evaluate(config, [new("a", 10), new("b", 0)], []), Is.EqualTo(10000));
        Assert.That(TrustEvaluator.Evaluate(config, [new("a", -4), new("b", 7)], []), Is.EqualTo(0), "clamped below");
        Assert.That(TrustEvaluator.Evaluate(config, [new("a", 40), new("b", -1)], []), Is.EqualTo(10000), "clamped above");
        // b = 1 → 0.5·(2/3) = 1/3 → 3333.33…: floored, not rounded.
        Assert.That(TrustEvaluator.Evaluate(config, [new("a", 0), new("b", 1)], []), Is.EqualTo(3333));
        // b = 2 → 0.5·(1/3) = 1/6 → 1666.66…
        Assert.That(TrustEvaluator.Evaluate(config, [new("a", 0), new("b", 2)], []), Is.EqualTo(1666));
    }

    [Test]
    public void Votes_AreWeightedByReputation()
    {
        var config = new TrustConfiguration([new AttributeKind("a", 0, 1, AttributeDirection.HigherIsBetter, 0)], voteWeight: 1, noVotesValue: 0.25m);
        Assert.That(TrustEvaluator.Evaluate(config, [new("a", 0)], []), Is.EqualTo(2500), "no votes");
        Assert.That(TrustEvaluator.Evaluate(config, [new("a", 0)], [new Vote(true, 10000), new Vote(false, 5000)]), Is.EqualTo(6666), "2/3");
        Assert.That(TrustEvaluator.Evaluate(config, [new("a", 0)], [new Vote(true, 0), new Vote(false, 0)]), Is.EqualTo(2500), "zero reputation counts as no vote");
        Assert.That(TrustEvaluator.Evaluate(config, [new("a", 0)], [new Vote(true, 1), new Vote(false, 2), new Vote(true, 4)]), Is.EqualTo(7142), "5/7");
    }

    [Test]
    public void RandomConfigurations_AgreeWithAnIndependentDecimalComputation()
    {
        var rng = new Random(3202);
        int compared = 0;
        for (int trial = 0; trial < 2000; trial++)
        {
            int n = rng.Next(1, 8);
            // Weights as basis points that sum to 10000, split between the attributes and the votes.
            int[] cuts = Enumerable.Range(0, n).Select(_ => rng.Next(0, 10001)).Append(0).Append(10000).Order().ToArray();
            var kinds = new List<AttributeKind>();
            var values = new List<AttributeValue>();
            for (int i = 0; i < n; i++)
            {
                decimal low = rng.Next(-1000, 1000) / 10m, high = low + rng.Next(1, 100000) / 100m;
                var direction = rng.Next(2) == 0 ? AttributeDirection.HigherIsBetter : AttributeDirection.LowerIsBetter;
                kinds.Add(new AttributeKind($"k{i}", low, high, direction, (cuts[i + 1] - cuts[i]) / 10000m));
                values.Add(new AttributeValue($"k{i}", low + (high - low) * (rng.Next(-200, 1200) / 1000m)));
            }
            decimal voteWeight = (cuts[n + 1] - cuts[n]) / 10000m;
            var votes = Enumerable.Range(0, rng.Next(0, 5)).Select(_ => new Vote(rng.Next(2) == 0, rng.Next(0, 10001))).ToList();
            var config = new TrustConfiguration(kinds, voteWeight, noVotesValue: rng.Next(0, 101) / 100m);

            // The oracle: System.Decimal (28 digits, rounding), nothing shared with the evaluator's rationals.
            decimal sum = 0;
            for (int i = 0; i < n; i++)
            {
                AttributeKind k = kinds[i];
                decimal x = k.Direction == AttributeDirection.HigherIsBetter ? (values[i].Value - k.Low) / (k.High - k.Low) : (k.High - values[i].Value) / (k.High - k.Low);
                sum += k.Weight * Math.Clamp(x, 0m, 1m);
            }
            decimal totalReputation = votes.Sum(v => (decimal)v.Reputation);
            sum += voteWeight * (totalReputation == 0 ? config.NoVotesValue : votes.Where(v => v.Approves).Sum(v => (decimal)v.Reputation) / totalReputation);
            decimal scaled = sum * 10000m;
            // Decimal rounds in the 28th digit: skip the rare case that sits on an integer within that error.
            if (Math.Abs(scaled - Math.Round(scaled)) < 1e-18m && scaled != Math.Round(scaled)) continue;
            Assert.That(TrustEvaluator.Evaluate(config, values, votes), Is.EqualTo((int)Math.Floor(scaled)), $"trial {trial}");
            compared++;
        }
        Assert.That(compared, Is.GreaterThan(1900));
    }

    [TestCase("""{"voteWeight":0.5,"noVotesValue":0.5,"attributes":[{"name":"a","low":0,"high":1,"direction":"higher","weight":0.4}]}""", "sum to 0.9")]
    [TestCase("""{"voteWeight":0,"noVotesValue":0.5,"attributes":[{"name":"a","low":2,"high":2,"direction":"higher","weight":1}]}""", "is empty")]
    [TestCase("""{"voteWeight":0,"noVotesValue":0.5,"attributes":[{"name":"a","low":0,"high":1,"direction":"up","weight":1}]}""", "direction must be")]
    [TestCase("""{"voteWeight":1.5,"noVotesValue":0.5,"attributes":[{"name":"a","low":0,"high":1,"direction":"higher","weight":-0.5}]}""", "negative")]
    [TestCase("""{"voteWeight":0,"noVotesValue":2,"attributes":[{"name":"a","low":0,"high":1,"direction":"higher","weight":1}]}""", "outside [0, 1]")]
    [TestCase("""{"voteWeight":0,"noVotesValue":0,"attributes":[{"name":"a","low":0,"high":1,"direction":"higher","weight":0.5},{"name":"a","low":0,"high":1,"direction":"higher","weight":0.5}]}""", "listed twice")]
    [TestCase("""{"voteWeight":1,"noVotesValue":0,"attributes":[]}""", "1 to 64 attributes")]
    [TestCase("""{"voteWeight":1,"noVotesValue":0,"attributes":[{"name":"a","low":0,"high":1,"direction":"higher","weight":0,"colour":"red"}]}""", "not valid JSON")]
    [TestCase("""not json""", "not valid JSON")]
    public void BadConfigurations_AreRefusedWithAClearReason(string json, string reason)
    {
        var e = Assert.Throws<TrustConfigurationException>(() => TrustConfiguration.FromJson(json));
        Assert.That(e!.Message, Does.Contain(reason));
    }

    [Test]
    public void Configuration_RoundTripsThroughJson()
    {
        TrustConfiguration back = TrustConfiguration.FromJson(TrustConfiguration.Default.ToJson());
        Assert.That(back.Attributes, Is.EqualTo(TrustConfiguration.Default.Attributes));
        Assert.That(back.VoteWeight, Is.EqualTo(TrustConfiguration.Default.VoteWeight));
    }

    [Test]
    public void MissingUnknownOrRepeatedAttributes_AreRefused()
    {
        TrustConfiguration c = TrustConfiguration.Default;
        AttributeValue[] good = IotNetwork.GoodAttributes;
        Assert.Throws<ArgumentException>(() => TrustEvaluator.Evaluate(c, good[..3], []));
        Assert.Throws<ArgumentException>(() => TrustEvaluator.Evaluate(c, [.. good[..3], new("colour", 1)], []));
        Assert.Throws<ArgumentException>(() => TrustEvaluator.Evaluate(c, [.. good[..3], good[0]], []));
    }
}
