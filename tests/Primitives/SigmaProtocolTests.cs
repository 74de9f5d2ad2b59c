using Engine.Primitives.Groups;
using Engine.Primitives.Sigma;
using NUnit.Framework;

namespace Engine.Tests.Primitives;

/// <summary>The Σ-protocol layer on every group: an equality of discrete logarithms (2 equations, 1 witness) and a
/// representation (1 equation, 2 witnesses), single and batched.</summary>
[TestFixture]
public sealed class SigmaProtocolTests
{
    public static IEnumerable<TestCaseData> Groups() => PrimeOrderGroups.All.Select(g => new TestCaseData(g).SetArgDisplayNames(g.Name));

    private sealed record Statement(ulong[] Bases, ulong[] Values, ulong[] Commitments, ulong[] Challenge, ulong[] Responses, int Witnesses);

    // Equations Y_j = Π_k G_jk^x_k with random bases; returns a valid proof.
    private static Statement Prove(PrimeOrderGroup g, int equations, int witnesses, bool[,] uses)
    {
        int n = g.ElementLimbs;
        ulong[] x = new ulong[4 * witnesses], r = new ulong[4 * witnesses], bases = new ulong[equations * witnesses * n];
        ulong[] values = new ulong[equations * n], t = new ulong[n], s = new ulong[4];
        for (int k = 0; k < witnesses; k++) g.RandomScalar(x.AsSpan(4 * k, 4));
        for (int j = 0; j < equations; j++)
        {
            g.Identity(values.AsSpan(j * n, n));
            for (int k = 0; k < witnesses; k++)
            {
                Span<ulong> b = bases.AsSpan((j * witnesses + k) * n, n);
                if (uses[j, k]) { g.RandomScalar(s); g.PowGenerator(s, b); } else g.Identity(b);
                g.Pow(b, x.AsSpan(4 * k, 4), t);
                g.Multiply(values.AsSpan(j * n, n), t, values.AsSpan(j * n, n));
            }
        }
        for (int k = 0; k < witnesses; k++) g.RandomScalar(r.AsSpan(4 * k, 4));
        ulong[] commitments = new ulong[equations * n], c = new ulong[4], responses = new ulong[4 * witnesses];
        SigmaProtocol.Commit(g, witnesses, bases, r, commitments);
        byte[] transcript = new byte[(2 * equations) * g.ElementSizeInBytes];
        for (int j = 0; j < equations; j++)
        {
            g.Encode(values.AsSpan(j * n, n), transcript.AsSpan(2 * j * g.ElementSizeInBytes, g.ElementSizeInBytes));
            g.Encode(commitments.AsSpan(j * n, n), transcript.AsSpan((2 * j + 1) * g.ElementSizeInBytes, g.ElementSizeInBytes));
        }
        SigmaProtocol.Challenge(g, transcript, "ENGINE-V1/test/sigma"u8, c);
        SigmaProtocol.Respond(g, x, r, c, responses);
        return new Statement(bases, values, commitments, c, responses, witnesses);
    }

    private static bool Verify(PrimeOrderGroup g, Statement s)
        => SigmaProtocol.Verify(new MultiExpCheck(g), s.Witnesses, s.Bases, s.Values, s.Commitments, s.Challenge, s.Responses);

    [TestCaseSource(nameof(Groups))]
    public void EqualityOfLogarithmsAndRepresentations_VerifyAndRefuseAlterations(PrimeOrderGroup g)
    {
        Statement dleq = Prove(g, 2, 1, new[,] { { true }, { true } });
        Statement repr = Prove(g, 1, 2, new[,] { { true, true } });
        Statement sparse = Prove(g, 2, 2, new[,] { { true, false }, { false, true } });
        foreach (Statement s in new[] { dleq, repr, sparse })
        {
            Assert.That(Verify(g, s), Is.True);
            ulong[] badResponse = (ulong[])s.Responses.Clone();
            badResponse[0] ^= 1;
            Assert.That(Verify(g, s with { Responses = badResponse }), Is.False, "response");
            ulong[] badChallenge = (ulong[])s.Challenge.Clone();
            badChallenge[0] ^= 2;
            Assert.That(Verify(g, s with { Challenge = badChallenge }), Is.False, "challenge");
            ulong[] badCommitment = (ulong[])s.Commitments.Clone();
            g.Generator(badCommitment.AsSpan(0, g.ElementLimbs));
            Assert.That(Verify(g, s with { Commitments = badCommitment }), Is.False, "commitment");
        }
    }

    [TestCaseSource(nameof(Groups))]
    public void Batch_AcceptsValidProofs_AndRefusesABatchWithOneBadProof(PrimeOrderGroup g)
    {
        var proofs = Enumerable.Range(0, 5).Select(_ => Prove(g, 2, 1, new[,] { { true }, { true } })).ToArray();
        for (int bad = -1; bad < proofs.Length; bad++)
        {
            var check = new MultiExpCheck(g);
            ulong[] weights = new ulong[8];
            for (int i = 0; i < proofs.Length; i++)
            {
                Statement s = proofs[i];
                ulong[] responses = (ulong[])s.Responses.Clone();
                if (i == bad) responses[1] ^= 1;
                MultiExpCheck.RandomWeight(weights.AsSpan(0, 4));
                MultiExpCheck.RandomWeight(weights.AsSpan(4, 4));
                SigmaProtocol.AddToCheck(check, 1, s.Bases, s.Values, s.Commitments, s.Challenge, responses, weights);
            }
            Assert.That(check.IsIdentity(), Is.EqualTo(bad < 0), $"bad = {bad}");
        }
    }
}
