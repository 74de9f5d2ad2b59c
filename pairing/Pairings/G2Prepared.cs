using Engine.Pairing.Fields;
using Engine.Pairing.Groups;

namespace Engine.Pairing.Pairings;

/// <summary>
/// The Miller-loop lines of a fixed G2 point, computed once (68 lines: 63 doublings and 5 additions). Pairing with a
/// prepared point skips all G2 arithmetic. Immutable and thread-safe; keep one per long-lived G2 point
/// (a public key, a generator).
/// </summary>
public sealed class G2Prepared
{
    internal readonly LineCoefficients[] Lines;
    internal readonly bool IsIdentity;

    /// <summary>Number of lines in the optimal ate loop for |x| = 0xd201000000010000.</summary>
    internal const int LineCount = 68;

    /// <summary>Prepares a G2 point (public data).</summary>
    public G2Prepared(in G2Affine q)
    {
        IsIdentity = q.IsIdentity;
        Lines = new LineCoefficients[LineCount];
        if (IsIdentity) return;
        var t = q.ToProjective().P;
        int n = 0;
        for (int i = 62; i >= 0; i--)
        {
            Lines[n++] = LineFunctions.Double(ref t);
            if (((Bls12381.AbsX >> i) & 1) != 0) Lines[n++] = LineFunctions.Add(ref t, q.X, q.Y);
        }
    }

    /// <summary>The prepared generator of G2.</summary>
    public static G2Prepared Generator { get; } = new(G2Affine.Generator);
}
