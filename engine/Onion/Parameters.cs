using System.Text;
using Engine.Primitives.Groups;

namespace Engine.Onion;

/// <summary>
/// Public parameters of Protocol 1 (SPEC.md §1): the group, the path-length limit and the domain separation tags
/// of the hash functions H1 (to scalars) and H2 (to bytes), which name the group so that keys and ciphertexts of
/// different groups can never be confused.
/// </summary>
public sealed class OnionParameters
{
    /// <summary>Longest relay path (SPEC.md §1 [beyond]: the paper fixes 3).</summary>
    public const int MaxPathLength = 8;

    /// <summary>Parameters over a group.</summary>
    public OnionParameters(PrimeOrderGroup group)
    {
        Group = group;
        H1Dst = Encoding.ASCII.GetBytes($"ENGINE-V1/onion/{group.Name}/H1");
        H2Dst = Encoding.ASCII.GetBytes($"ENGINE-V1/onion/{group.Name}/H2");
        H2AeadDst = Encoding.ASCII.GetBytes($"ENGINE-V1/onion/{group.Name}/H2-AEAD");
    }

    /// <summary>The default: the 2048-bit Schnorr group of the foundation issue.</summary>
    public static OnionParameters Default { get; } = new(PrimeOrderGroups.Modp2048Q256);

    /// <summary>The prime-order group.</summary>
    public PrimeOrderGroup Group { get; }

    internal byte[] H1Dst { get; }
    internal byte[] H2Dst { get; }
    internal byte[] H2AeadDst { get; }
}
