using Engine.Pairing.Fields;
using Engine.Revocation.Policies;
using NUnit.Framework;

namespace Engine.Tests.Revocation;

/// <summary>The policy parser, its errors and limits, and the LSSS against an independent Gaussian-elimination oracle.</summary>
[TestFixture]
public sealed class PolicyTests
{
    [TestCase("a@X AND b@X OR c@Y", "(a@X AND b@X) OR c@Y")]
    [TestCase("a@X AND (b@X OR c@Y)", "a@X AND (b@X OR c@Y)")]
    [TestCase("a@X and b@X and c@X", "a@X AND b@X AND c@X")]
    [TestCase("2 of (a@X, b@Y, c@Z)", "2 of (a@X, b@Y, c@Z)")]
    [TestCase("1 OF (a@X, b@Y)", "a@X OR b@Y")]
    [TestCase("2 of (a@X, b@Y)", "a@X AND b@Y")]
    [TestCase("\"dept head\"@HR OR x@HR", "\"dept head\"@HR OR x@HR")]
    [TestCase("\"a\\\"b\"@X", "\"a\\\"b\"@X")]
    [TestCase("(((a@X)))", "a@X")]
    public void Parse_GivesTheCanonicalText(string text, string canonical)
    {
        Policy policy = Policy.Parse(text);
        Assert.That(policy.Text, Is.EqualTo(canonical));
        Assert.That(Policy.Parse(policy.Text).Text, Is.EqualTo(canonical), "canonical text parses back to itself");
    }

    [TestCase("", 0, "empty policy")]
    [TestCase("a@X AND", 7, "unexpected end of the policy")]
    [TestCase("a@X b@X", 4, "unexpected an attribute")]
    [TestCase("(a@X OR b@X", 11, "unexpected end of the policy")]
    [TestCase("a AND b@X", 1, "has no authority")]
    [TestCase("3 of (a@X, b@X)", 0, "threshold 3 of 2 inputs")]
    [TestCase("0 of (a@X)", 0, "threshold 0 of 1 inputs")]
    [TestCase("2 (a@X, b@X)", 2, "unexpected '('")]
    [TestCase("a@", 2, "missing authority")]
    [TestCase("\"open@X", 0, "unterminated quoted name")]
    [TestCase("a@X $ b@X", 4, "unexpected character '$'")]
    public void MalformedPolicies_SayWhereAndWhat(string text, int position, string problem)
    {
        var error = Assert.Throws<PolicyException>(() => Policy.Parse(text))!;
        Assert.That(error.Position, Is.EqualTo(position), error.Message);
        Assert.That(error.Message, Does.Contain(problem));
        Assert.That(Policy.TryParse(text, out Policy? p, out PolicyException? e), Is.False);
        Assert.That(p, Is.Null);
        Assert.That(e!.Position, Is.EqualTo(position));
    }

    [Test]
    public void Limits_AreEnforced()
    {
        string wide = string.Join(" AND ", Enumerable.Range(0, 11).Select(i => $"a{i}@X"));
        Assert.That(() => Policy.Parse(wide, new PolicyLimits { MaxLeaves = 10 }), Throws.TypeOf<PolicyException>().With.Message.Contains("more than 10 attributes"));
        string deep = new string('(', 40) + "a@X" + new string(')', 40);
        Assert.That(() => Policy.Parse(deep), Throws.TypeOf<PolicyException>().With.Message.Contains("nested deeper"));
        Assert.That(() => Policy.Parse(new string('a', 70_000) + "@X"), Throws.TypeOf<PolicyException>().With.Message.Contains("longer than"));
        Assert.That(() => Policy.Parse(new string('a', 300) + "@X"), Throws.TypeOf<PolicyException>().With.Message.Contains("longer than 255 bytes"));
    }

    [Test]
    public void HundredAttributePolicies_BuildTheirMatrices()
    {
        var names = Enumerable.Range(0, 100).Select(i => $"a{i}@X").ToArray();
        Policy and = Policy.Parse(string.Join(" AND ", names));
        Assert.That((and.Matrix.RowCount, and.Matrix.ColumnCount), Is.EqualTo((100, 100)));
        Policy or = Policy.Parse(string.Join(" OR ", names));
        Assert.That((or.Matrix.RowCount, or.Matrix.ColumnCount), Is.EqualTo((100, 1)));
        Policy threshold = Policy.Parse($"50 of ({string.Join(", ", names)})");
        Assert.That((threshold.Matrix.RowCount, threshold.Matrix.ColumnCount), Is.EqualTo((100, 50)));
        var half = new HashSet<string>(names.Take(50));
        CheckAgainstOracle(threshold, half, expected: true);
        CheckAgainstOracle(threshold, new HashSet<string>(names.Take(49)), expected: false);
    }

    [Test]
    public void Reconstruction_UsesASmallestSatisfyingSet()
    {
        Policy policy = Policy.Parse("(a@X AND b@X AND c@X) OR d@X OR (e@X AND f@X)");
        var owned = new[] { true, true, true, false, true, true };
        var c = new Fr[6];
        Assert.That(policy.TryReconstruct(owned, c, out int used), Is.True);
        Assert.That(used, Is.EqualTo(2), "e AND f is cheaper than a AND b AND c");
        Assert.That(c.Take(3).All(x => x.IsZero), Is.True);
    }

    /// <summary>Property: on random formulas and attribute sets, LSSS reconstruction agrees with boolean evaluation.</summary>
    [Test]
    public void Lsss_AgreesWithBooleanEvaluation_OnRandomPolicies([Values(1, 2, 3, 4, 5, 6, 7, 8)] int seed)
    {
        var random = new Random(seed);
        for (int round = 0; round < 25; round++)
        {
            int universe = random.Next(2, 9);
            string text = RandomFormula(random, universe, depth: 0);
            Policy policy = Policy.Parse(text);
            for (int trial = 0; trial < 8; trial++)
            {
                var owned = new HashSet<string>(Enumerable.Range(0, universe).Where(_ => random.Next(2) == 0).Select(i => $"x{i}@A"));
                CheckAgainstOracle(policy, owned, policy.IsSatisfiedBy(owned));
            }
        }
    }

    private static string RandomFormula(Random random, int universe, int depth)
    {
        if (depth >= 3 || random.Next(3) == 0) return $"x{random.Next(universe)}@A";
        int n = random.Next(2, 5);
        var children = Enumerable.Range(0, n).Select(_ => RandomFormula(random, universe, depth + 1)).ToArray();
        return random.Next(3) switch
        {
            0 => "(" + string.Join(" AND ", children) + ")",
            1 => "(" + string.Join(" OR ", children) + ")",
            _ => $"{random.Next(1, n + 1)} of ({string.Join(", ", children)})",
        };
    }

    /// <summary>
    /// The oracle: Gaussian elimination over Z_r decides whether (1, 0, …, 0) is in the span of the owned rows; the
    /// policy's own coefficients must then combine the rows to exactly that vector, using owned rows only.
    /// </summary>
    private static void CheckAgainstOracle(Policy policy, IReadOnlySet<string> owned, bool expected)
    {
        LsssMatrix m = policy.Matrix;
        bool[] ownedRows = m.Attributes.Select(a => owned.Contains(a.Text)).ToArray();
        Assert.That(InSpan(m, ownedRows), Is.EqualTo(expected), $"oracle on {policy.Text}");
        var c = new Fr[m.RowCount];
        bool ok = policy.TryReconstruct(ownedRows, c, out int used);
        Assert.That(ok, Is.EqualTo(expected), $"reconstruction on {policy.Text}");
        if (!ok) return;
        Assert.That(c.Count(x => !x.IsZero), Is.LessThanOrEqualTo(used));
        for (int x = 0; x < m.RowCount; x++) if (!ownedRows[x]) Assert.That(c[x].IsZero, Is.True, "unowned row used");
        for (int j = 0; j < m.ColumnCount; j++)
        {
            Fr sum = Fr.Zero;
            for (int x = 0; x < m.RowCount; x++) sum += c[x] * m.Entry(x, j);
            Assert.That(sum, Is.EqualTo(j == 0 ? Fr.One : Fr.Zero), $"column {j} of {policy.Text}");
        }
    }

    private static bool InSpan(LsssMatrix m, bool[] ownedRows)
    {
        // Solve Aᵀ c = e0 restricted to owned rows: eliminate on the augmented matrix [Aᵀ | e0].
        var rows = Enumerable.Range(0, m.RowCount).Where(x => ownedRows[x]).ToArray();
        int n = m.ColumnCount, k = rows.Length;
        var a = new Fr[n, k + 1];
        for (int j = 0; j < n; j++)
        {
            for (int i = 0; i < k; i++) a[j, i] = m.Entry(rows[i], j);
            a[j, k] = j == 0 ? Fr.One : Fr.Zero;
        }
        int r = 0;
        for (int col = 0; col < k && r < n; col++)
        {
            int pivot = -1;
            for (int j = r; j < n; j++) if (!a[j, col].IsZero) { pivot = j; break; }
            if (pivot < 0) continue;
            for (int i = 0; i <= k; i++) (a[r, i], a[pivot, i]) = (a[pivot, i], a[r, i]);
            Fr inv = a[r, col].Invert();
            for (int i = 0; i <= k; i++) a[r, i] *= inv;
            for (int j = 0; j < n; j++)
            {
                if (j == r || a[j, col].IsZero) continue;
                Fr f = a[j, col];
                for (int i = 0; i <= k; i++) a[j, i] -= f * a[r, i];
            }
            r++;
        }
        for (int j = r; j < n; j++) if (!a[j, k].IsZero) return false;   // 0 = nonzero: inconsistent
        return true;
    }
}
