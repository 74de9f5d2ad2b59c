using Engine.Pairing.Groups;
using Engine.Pairing.Pairings;

namespace Engine.Revocation.Abe;

/// <summary>
/// The accepting CSP's side of attribute revocation (SPEC §4.6): rows x with ρ(x) = u at the key's from-version become
/// C1x' = C1x · e(C2x, U)⁻¹ = C1x · e(−C2x, U) and C3x' = C3x · C2x^(−Δy), one pairing (U prepared) and one
/// constant-time G1 multiplication per row. Nothing is decrypted.
/// </summary>
public static class CiphertextUpdater
{
    /// <summary>Updates <paramref name="header"/> in place; returns the number of rows changed (0: nothing to do).</summary>
    public static int Apply(AbeCiphertextHeader header, CiphertextUpdateKey key)
    {
        int updated = 0;
        var attributes = header.Policy.Attributes;
        G2Prepared u = key.Prepared;
        for (int x = 0; x < header.Rows.Length; x++)
        {
            ref AbeCiphertextRow row = ref header.Rows[x];
            if (row.Version != key.FromVersion || attributes[x].Text != key.Attribute) continue;
            row.C1 *= OptimalAte.Pair(row.C2.Negate(), u);
            row.C3 = (row.C3.ToProjective() + row.C2.ToProjective().Multiply(-key.DeltaY)).ToAffine();
            row.Version = key.ToVersion;
            updated++;
        }
        return updated;
    }

    /// <summary>True when <paramref name="header"/> has a row that <paramref name="key"/> would update.</summary>
    public static bool Affects(AbeCiphertextHeader header, CiphertextUpdateKey key)
    {
        var attributes = header.Policy.Attributes;
        for (int x = 0; x < header.Rows.Length; x++)
            if (header.Rows[x].Version == key.FromVersion && attributes[x].Text == key.Attribute) return true;
        return false;
    }
}
