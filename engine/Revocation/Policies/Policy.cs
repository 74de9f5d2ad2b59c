using Engine.Pairing.Fields;

namespace Engine.Revocation.Policies;

/// <summary>
/// A parsed access policy over attributes <c>name@AUTHORITY</c>, with its LSSS matrix and the reconstruction of the
/// secret from any satisfying set of rows. Immutable and thread-safe; <see cref="TryReconstruct"/> allocates nothing.
/// </summary>
/// <remarks>
/// The matrix is the Lewko–Waters conversion for AND and OR (an AND of n gives its first input v + e_c+1 + … + e_c+n−1
/// and input i the vector −e_c+i−1, an OR passes v on) and Vandermonde rows for "k of n" (input i gets
/// v + Σ_j i^j e_c+j for j &lt; k), so reconstruction coefficients are 1 through AND and OR and Lagrange coefficients
/// at 0 through thresholds.
/// </remarks>
public sealed class Policy
{
    // The tree flattened in pre-order: children come after their parent, so one backward pass computes costs.
    private readonly int[] _threshold, _childStart, _childCount, _children, _leafRow;

    private Policy(PolicyNode root)
    {
        Root = root;
        Text = root.ToString();
        var attributes = new List<PolicyAttribute>();
        var threshold = new List<int>();
        var childStart = new List<int>();
        var childCount = new List<int>();
        var leafRow = new List<int>();
        var children = new List<int>();
        var rows = new List<List<(int, Fr)>>();
        int columns = 1;

        // Pre-order numbering with an explicit stack of (node, its share vector).
        var order = new List<(PolicyNode Node, List<(int, Fr)> Vector)>();
        var stack = new Stack<(PolicyNode, List<(int, Fr)>)>();
        stack.Push((root, [(0, Fr.One)]));
        var index = new Dictionary<PolicyNode, int>(ReferenceEqualityComparer.Instance);
        while (stack.Count > 0)
        {
            (PolicyNode node, List<(int, Fr)> vector) = stack.Pop();
            index[node] = order.Count;
            order.Add((node, vector));
            if (node is not PolicyGate gate) continue;
            var vectors = ChildVectors(gate, vector, ref columns);
            for (int i = gate.Children.Count - 1; i >= 0; i--) stack.Push((gate.Children[i], vectors[i]));
        }
        foreach ((PolicyNode node, List<(int, Fr)> vector) in order)
        {
            if (node is PolicyAttribute leaf)
            {
                threshold.Add(0); childStart.Add(children.Count); childCount.Add(0);
                leafRow.Add(attributes.Count);
                attributes.Add(leaf);
                rows.Add(vector);
                continue;
            }
            var gate = (PolicyGate)node;
            threshold.Add(gate.Threshold); childStart.Add(children.Count); childCount.Add(gate.Children.Count); leafRow.Add(-1);
            foreach (PolicyNode child in gate.Children) children.Add(index[child]);
        }
        _threshold = [.. threshold];
        _childStart = [.. childStart];
        _childCount = [.. childCount];
        _children = [.. children];
        _leafRow = [.. leafRow];
        Attributes = attributes;
        Matrix = new LsssMatrix(columns, rows, attributes);
        var distinct = new SortedSet<string>(StringComparer.Ordinal);
        var authorities = new SortedSet<string>(StringComparer.Ordinal);
        foreach (PolicyAttribute a in attributes) { distinct.Add(a.Text); authorities.Add(a.Authority); }
        DistinctAttributes = [.. distinct];
        Authorities = [.. authorities];
    }

    /// <summary>Parses <paramref name="text"/>.</summary>
    /// <exception cref="PolicyException">The text does not parse or breaks a limit; the message gives the position.</exception>
    public static Policy Parse(string text, PolicyLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new Policy(PolicyParser.Parse(text, limits ?? PolicyLimits.Default));
    }

    /// <summary>Parses <paramref name="text"/>, returning the error instead of throwing it.</summary>
    public static bool TryParse(string text, out Policy? policy, out PolicyException? error, PolicyLimits? limits = null)
    {
        try { policy = Parse(text, limits); error = null; return true; }
        catch (PolicyException e) { policy = null; error = e; return false; }
    }

    /// <summary>The tree.</summary>
    public PolicyNode Root { get; }

    /// <summary>The canonical text (what ciphertexts and signatures bind).</summary>
    public string Text { get; }

    /// <summary>ρ: the attribute of each LSSS row, in the order the leaves are written.</summary>
    public IReadOnlyList<PolicyAttribute> Attributes { get; }

    /// <summary>The distinct attributes, sorted ordinally.</summary>
    public IReadOnlyList<string> DistinctAttributes { get; }

    /// <summary>The distinct authorities named, sorted ordinally.</summary>
    public IReadOnlyList<string> Authorities { get; }

    /// <summary>(A, ρ).</summary>
    public LsssMatrix Matrix { get; }

    /// <summary>Direct boolean evaluation.</summary>
    public bool IsSatisfiedBy(IReadOnlySet<string> owned) => Root.IsSatisfiedBy(owned);

    /// <inheritdoc/>
    public override string ToString() => Text;

    /// <summary>
    /// Coefficients c_x with Σ c_x A_x = (1, 0, …, 0) over a smallest satisfying set of the rows marked in
    /// <paramref name="ownedRows"/>; unused rows get 0. Returns false when the owned rows do not satisfy the policy.
    /// </summary>
    /// <param name="ownedRows">One flag per row: the holder can use this row.</param>
    /// <param name="coefficients">One entry per row, written.</param>
    /// <param name="usedRows">How many rows have a coefficient (the smallest possible for this tree).</param>
    public bool TryReconstruct(ReadOnlySpan<bool> ownedRows, Span<Fr> coefficients, out int usedRows)
    {
        int rows = Attributes.Count, nodes = _threshold.Length;
        if (ownedRows.Length != rows || coefficients.Length != rows)
            throw new ArgumentException($"The policy has {rows} rows.", nameof(ownedRows));
        usedRows = 0;
        int[]? rented = null;
        Span<int> cost = nodes <= 512 ? stackalloc int[nodes] : (rented = System.Buffers.ArrayPool<int>.Shared.Rent(nodes)).AsSpan(0, nodes);
        try
        {
            for (int n = nodes - 1; n >= 0; n--) cost[n] = NodeCost(n, ownedRows, cost);
            if (cost[0] == int.MaxValue) return false;
            coefficients.Clear();
            Assign(0, Fr.One, cost, coefficients);
            usedRows = cost[0];
            return true;
        }
        finally
        {
            if (rented is not null) System.Buffers.ArrayPool<int>.Shared.Return(rented);
        }
    }

    private int NodeCost(int n, ReadOnlySpan<bool> ownedRows, ReadOnlySpan<int> cost)
    {
        if (_leafRow[n] >= 0) return ownedRows[_leafRow[n]] ? 1 : int.MaxValue;
        // The k cheapest satisfied children: k passes of a minimum search (gates are narrow).
        Span<int> picked = stackalloc int[_childCount[n]];
        return SelectCheapest(n, cost, picked, out int total) ? total : int.MaxValue;
    }

    /// <summary>Marks in <paramref name="picked"/> (one flag per child) the <c>k</c> cheapest satisfied children.</summary>
    private bool SelectCheapest(int n, ReadOnlySpan<int> cost, Span<int> picked, out int total)
    {
        total = 0;
        picked.Clear();
        if (_threshold[n] == _childCount[n])
        {
            for (int i = 0; i < _childCount[n]; i++)
            {
                int c = cost[_children[_childStart[n] + i]];
                if (c == int.MaxValue) return false;
                picked[i] = 1;
                total += c;
            }
            return true;
        }
        for (int round = 0; round < _threshold[n]; round++)
        {
            int best = -1;
            for (int i = 0; i < _childCount[n]; i++)
            {
                int c = cost[_children[_childStart[n] + i]];
                if (picked[i] == 0 && c != int.MaxValue && (best < 0 || c < cost[_children[_childStart[n] + best]])) best = i;
            }
            if (best < 0) return false;
            picked[best] = 1;
            total += cost[_children[_childStart[n] + best]];
        }
        return true;
    }

    private void Assign(int n, Fr coefficient, ReadOnlySpan<int> cost, Span<Fr> coefficients)
    {
        if (_leafRow[n] >= 0) { coefficients[_leafRow[n]] = coefficient; return; }
        int count = _childCount[n], k = _threshold[n];
        Span<int> picked = stackalloc int[count];
        SelectCheapest(n, cost, picked, out _);
        bool lagrange = k > 1 && k < count;
        for (int i = 0; i < count; i++)
        {
            if (picked[i] == 0) continue;
            Fr c = coefficient;
            if (lagrange)
            {
                // L_i(0) = Π_{j ∈ S, j ≠ i} j / (j − i), with inputs numbered from 1.
                Fr numerator = Fr.One, denominator = Fr.One;
                for (int j = 0; j < count; j++)
                {
                    if (picked[j] == 0 || j == i) continue;
                    numerator *= Fr.FromUInt64((ulong)(j + 1));
                    denominator *= j > i ? Fr.FromUInt64((ulong)(j - i)) : -Fr.FromUInt64((ulong)(i - j));
                }
                c *= numerator * denominator.Invert();
            }
            Assign(_children[_childStart[n] + i], c, cost, coefficients);
        }
    }

    private static List<(int, Fr)>[] ChildVectors(PolicyGate gate, List<(int, Fr)> vector, ref int columns)
    {
        int count = gate.Children.Count, k = gate.Threshold;
        var vectors = new List<(int, Fr)>[count];
        if (gate.IsOr)
        {
            for (int i = 0; i < count; i++) vectors[i] = vector;
        }
        else if (gate.IsAnd)
        {
            int first = columns;
            columns += count - 1;
            vectors[0] = [.. vector];
            for (int j = 0; j < count - 1; j++) vectors[0].Add((first + j, Fr.One));
            for (int i = 1; i < count; i++) vectors[i] = [(first + i - 1, -Fr.One)];
        }
        else
        {
            int first = columns;
            columns += k - 1;
            for (int i = 0; i < count; i++)
            {
                vectors[i] = [.. vector];
                Fr x = Fr.FromUInt64((ulong)(i + 1)), power = x;
                for (int j = 0; j < k - 1; j++, power *= x) vectors[i].Add((first + j, power));
            }
        }
        return vectors;
    }
}
