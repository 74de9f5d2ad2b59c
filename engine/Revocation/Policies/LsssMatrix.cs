using Engine.Pairing.Fields;

namespace Engine.Revocation.Policies;

/// <summary>
/// A linear secret-sharing matrix (A, ρ) over Z_r, stored sparse: row x has the entries A_x,j ≠ 0 and belongs to the
/// attribute ρ(x). Shares of a vector v = (s, v2, …) are λ_x = A_x·v; a set of rows can rebuild s iff (1, 0, …, 0) lies
/// in their span. The same matrix read as a monotone span program is the ring policy of the signatures (SPEC §4.4).
/// </summary>
public sealed class LsssMatrix
{
    private readonly int[] _rowStart;
    private readonly int[] _columns;
    private readonly Fr[] _values;

    internal LsssMatrix(int columnCount, List<List<(int Column, Fr Value)>> rows, IReadOnlyList<PolicyAttribute> attributes)
    {
        ColumnCount = columnCount;
        Attributes = attributes;
        _rowStart = new int[rows.Count + 1];
        int total = 0;
        foreach (var row in rows) total += row.Count;
        _columns = new int[total];
        _values = new Fr[total];
        int k = 0;
        for (int x = 0; x < rows.Count; x++)
        {
            _rowStart[x] = k;
            foreach ((int column, Fr value) in rows[x].OrderBy(e => e.Column)) { _columns[k] = column; _values[k] = value; k++; }
        }
        _rowStart[rows.Count] = k;
    }

    /// <summary>ℓ, the number of rows (one per attribute leaf of the policy).</summary>
    public int RowCount => _rowStart.Length - 1;

    /// <summary>The number of columns; column 0 carries the secret.</summary>
    public int ColumnCount { get; }

    /// <summary>ρ: the attribute of each row.</summary>
    public IReadOnlyList<PolicyAttribute> Attributes { get; }

    /// <summary>The column indices of row x's non-zero entries, ascending.</summary>
    public ReadOnlySpan<int> RowColumns(int x) => _columns.AsSpan(_rowStart[x], _rowStart[x + 1] - _rowStart[x]);

    /// <summary>The values of row x's non-zero entries, in the order of <see cref="RowColumns"/>.</summary>
    public ReadOnlySpan<Fr> RowValues(int x) => _values.AsSpan(_rowStart[x], _rowStart[x + 1] - _rowStart[x]);

    /// <summary>A_x·v for a vector of <see cref="ColumnCount"/> entries.</summary>
    public Fr Share(int x, ReadOnlySpan<Fr> vector)
    {
        if (vector.Length != ColumnCount) throw new ArgumentException($"The vector needs {ColumnCount} entries.", nameof(vector));
        ReadOnlySpan<int> columns = RowColumns(x);
        ReadOnlySpan<Fr> values = RowValues(x);
        Fr sum = Fr.Zero;
        for (int i = 0; i < columns.Length; i++) sum += values[i] * vector[columns[i]];
        return sum;
    }

    /// <summary>The entry A_x,j (zero when not stored).</summary>
    public Fr Entry(int x, int column)
    {
        ReadOnlySpan<int> columns = RowColumns(x);
        int i = columns.BinarySearch(column);
        return i >= 0 ? RowValues(x)[i] : Fr.Zero;
    }
}
