using Engine.Pairing.Fields;
using Engine.Pairing.Groups;
using Engine.Pairing.Pairings;
using Engine.Tests.Support;
using NUnit.Framework;
using static Engine.Tests.Pairing.PairingOracles;

namespace Engine.Tests.Pairing;

[TestFixture]
public sealed class PairingTests
{
    [Test, Category("Vectors"), Category("Kernels")]
    public void Pair_OfTheGenerators_MatchesRelic()
    {
        string[] lines = File.ReadAllLines(VectorFiles.PathOf("pairing/e_G1_G2_relic.txt")).Where(l => l.Length > 0 && l[0] != '#').ToArray();
        Assert.That(lines, Has.Length.EqualTo(12));
        byte[] encoded = new byte[Gt.SizeInBytes];
        OptimalAte.Pair(G1Affine.Generator, G2Affine.Generator).Encode(encoded);
        Assert.That(Hex.Encode(encoded), Is.EqualTo(string.Concat(lines)));
        Gt.Generator.Encode(encoded);
        Assert.That(Hex.Encode(encoded), Is.EqualTo(string.Concat(lines)), "Gt.Generator");
    }

    [Test, Category("Property")]
    public void Pair_IsBilinear()
    {
        var rng = new Random(51);
        for (int i = 0; i < 6; i++)
        {
            Fr a = RandomFr(rng), b = RandomFr(rng);
            G1Affine p = RandomG1(rng).ToAffine();
            G2Affine q = RandomG2(rng).ToAffine();
            Gt e = OptimalAte.Pair(p, q);
            Gt lhs = OptimalAte.Pair(p.ToProjective().Multiply(a).ToAffine(), q.ToProjective().Multiply(b).ToAffine());
            Assert.That(lhs, Is.EqualTo(e.Pow(a * b)), $"e(aP, bQ) = e(P, Q)^(ab), case {i}");
            Assert.That(e.Pow(a), Is.EqualTo(e.PowVarTime(a)), $"Pow = PowVarTime, case {i}");
            Assert.That(e.IsIdentity, Is.False, "non-degenerate");
            Assert.That(e.PowVarTime(-Fr.One) * e, Is.EqualTo(Gt.Identity), $"order r, case {i}");
            Assert.That(e.Invert() * e, Is.EqualTo(Gt.Identity));
        }
    }

    [Test, Category("Property")]
    public void MultiPairing_EqualsTheProductOfSinglePairings_PreparedOrNot()
    {
        var rng = new Random(52);
        foreach (int n in new[] { 1, 2, 8, 9 })
        {
            var g1 = Enumerable.Range(0, n).Select(i => i == 4 ? G1Affine.Identity : RandomG1(rng).ToAffine()).ToArray();
            var g2 = Enumerable.Range(0, n).Select(i => i == 5 ? G2Affine.Identity : RandomG2(rng).ToAffine()).ToArray();
            Gt product = Gt.Identity;
            for (int i = 0; i < n; i++) product *= OptimalAte.Pair(g1[i], g2[i]);
            Assert.That(OptimalAte.MultiPair(g1, g2), Is.EqualTo(product), $"n = {n}");
            var prepared = g2.Select(q => new G2Prepared(q)).ToArray();
            Assert.That(MillerLoop.Multi(g1, prepared).FinalExponentiation(), Is.EqualTo(product), $"prepared, n = {n}");
            Assert.That(OptimalAte.Pair(g1[0], prepared[0]), Is.EqualTo(OptimalAte.Pair(g1[0], g2[0])));
        }
    }

    [Test, Category("Property")]
    public void Check_AcceptsBalancedProductsAndRejectsOthers()
    {
        var rng = new Random(53);
        Fr a = RandomFr(rng), b = RandomFr(rng);
        G1Affine p = G1Projective.Generator.Multiply(a).ToAffine();
        G2Affine q = G2Projective.Generator.Multiply(b).ToAffine();
        G1Affine pab = G1Projective.Generator.Multiply(a * b).Negate().ToAffine();
        // e(aG1, bG2) · e(−abG1, G2) = 1
        Assert.That(OptimalAte.Check([p, pab], [q, G2Affine.Generator]), Is.True);
        Assert.That(OptimalAte.Check([p, pab], [G2Affine.Generator, q]), Is.False);
        Assert.That(OptimalAte.Check([p, pab], [G2Prepared.Generator, G2Prepared.Generator]), Is.False);
        Assert.That(OptimalAte.Check([], ReadOnlySpan<G2Affine>.Empty), Is.True, "empty product is 1");

        // Three equations at once; then break one of them.
        G1Affine[] g1 = [p, pab, p, pab, G1Affine.Generator, G1Affine.Generator.Negate()];
        G2Affine[] g2 = [q, G2Affine.Generator, q, G2Affine.Generator, q, q];
        Assert.That(OptimalAte.CheckBatch(g1, g2, [2, 2, 2]), Is.True);
        g2[2] = G2Affine.Generator;
        Assert.That(OptimalAte.CheckBatch(g1, g2, [2, 2, 2]), Is.False);
        Assert.Throws<ArgumentException>(() => OptimalAte.CheckBatch(g1, g2, [2, 2]));
    }

    [Test, Category("Malformed")]
    public void Gt_RoundTripsItsEncoding_AndDecodeRejectsNonMembers()
    {
        var rng = new Random(54);
        Gt e = Gt.Generator.Pow(RandomFr(rng));
        byte[] encoded = new byte[Gt.SizeInBytes];
        e.Encode(encoded);
        Assert.That(Gt.Decode(encoded, out Gt back), Is.EqualTo(EngineStatus.Ok));
        Assert.That(back, Is.EqualTo(e));
        Assert.That(Gt.Decode(encoded.AsSpan(0, 575), out _), Is.EqualTo(EngineStatus.BadLength));
        byte[] bad = (byte[])encoded.Clone();
        bad[100] ^= 1;
        Assert.That(Gt.Decode(bad, out _), Is.EqualTo(EngineStatus.NotInSubgroup));
        Assert.That(Gt.Decode(new byte[576], out _), Is.EqualTo(EngineStatus.NotInSubgroup), "zero");
        byte[] nonCanonical = (byte[])encoded.Clone();
        Hex.Fp48(Engine.Pairing.Bls12381.ModulusHex).CopyTo(nonCanonical, 48);
        Assert.That(Gt.Decode(nonCanonical, out _), Is.EqualTo(EngineStatus.NotCanonical));
    }
}
