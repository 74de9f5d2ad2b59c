using Engine.Pairing.Groups;
using Engine.Pairing.Pairings;

namespace Engine.Revocation.Abe;

/// <summary>
/// The public key an encryptor uses for one attribute at one version: e(g1, g2)^α_{u,v} and g1^y_{u,v}, with their
/// fixed-base tables built on first use (each encryption raises both to a fresh t_x per row).
/// </summary>
public sealed class AttributePublicKey
{
    private GtFixedBase? _eggAlphaTable;
    private G1FixedBase? _g1YTable;

    internal AttributePublicKey(uint version, in Gt eggAlpha, in G1Affine g1Y)
    {
        Version = version;
        EggAlpha = eggAlpha;
        G1Y = g1Y;
    }

    /// <summary>The attribute version these values belong to (0 until the attribute is first revoked).</summary>
    public uint Version { get; }

    /// <summary>e(g1, g2)^α_{u,v}.</summary>
    public Gt EggAlpha { get; }

    /// <summary>g1^y_{u,v}.</summary>
    public G1Affine G1Y { get; }

    internal GtFixedBase EggAlphaTable => _eggAlphaTable ??= new GtFixedBase(EggAlpha);

    internal G1FixedBase G1YTable => _g1YTable ??= new G1FixedBase(G1Y);
}
