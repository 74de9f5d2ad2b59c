using Engine.BigInt;

namespace Engine.Primitives.Groups;

/// <summary>The named groups the protocols can run on (SPEC.md §0).</summary>
public static class PrimeOrderGroups
{
    /// <summary>|p| = 2048, |q| = 256 (the default of the seed papers' protocols).</summary>
    public static PrimeOrderGroup Modp2048Q256 { get; } = new SchnorrPrimeOrderGroup(SchnorrGroups.Modp2048Q256);

    /// <summary>|p| = 3072, |q| = 256.</summary>
    public static PrimeOrderGroup Modp3072Q256 { get; } = new SchnorrPrimeOrderGroup(SchnorrGroups.Modp3072Q256);

    /// <summary>BLS12-381 G1 (|q| = 255), with 48-byte elements.</summary>
    public static PrimeOrderGroup Bls12381G1 { get; } = new Bls12381G1Group();

    /// <summary>All of them, for tests and the CLI.</summary>
    public static IReadOnlyList<PrimeOrderGroup> All { get; } = [Modp2048Q256, Modp3072Q256, Bls12381G1];

    /// <summary>The group with this name, or null.</summary>
    public static PrimeOrderGroup? Find(string name) => All.FirstOrDefault(g => string.Equals(g.Name, name, StringComparison.OrdinalIgnoreCase));
}
