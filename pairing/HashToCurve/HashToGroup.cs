using Engine.Pairing.Fields;
using Engine.Pairing.Groups;

namespace Engine.Pairing.HashToCurve;

/// <summary>
/// RFC 9380 hashing to G1 and G2: suites BLS12381G1_XMD:SHA-256_SSWU_RO_ / _NU_ and BLS12381G2_XMD:SHA-256_SSWU_RO_
/// / _NU_ (§8.8), plus hash-to-scalar and the bare map (map_to_curve + clear_cofactor, as EIP-2537 exposes it).
/// </summary>
/// <remarks>Constant time in the message (messages can be secret, e.g. passwords); the DST is public.</remarks>
public static class HashToGroup
{
    private static readonly SimplifiedSwu<Fp> SwuG1 = new(
        Bls12381.FpFromHex(IsogenyConstants.G1A), Bls12381.FpFromHex(IsogenyConstants.G1B), Fp.FromUInt64(11));

    // E''2: A' = 240·u, B' = 1012·(1 + u), Z = −(2 + u) (RFC 9380 §8.8.2).
    private static readonly SimplifiedSwu<Fp2> SwuG2 = new(
        new Fp2(Fp.Zero, Fp.FromUInt64(240)), new Fp2(Fp.FromUInt64(1012), Fp.FromUInt64(1012)),
        new Fp2(-Fp.FromUInt64(2), -Fp.One));

    private static readonly IsogenyMap<Fp> IsoG1 = new(
        Parse(IsogenyConstants.G1XNum), Parse(IsogenyConstants.G1XDen), Parse(IsogenyConstants.G1YNum), Parse(IsogenyConstants.G1YDen));

    private static readonly IsogenyMap<Fp2> IsoG2 = new(
        Parse2(IsogenyConstants.G2XNum), Parse2(IsogenyConstants.G2XDen), Parse2(IsogenyConstants.G2YNum), Parse2(IsogenyConstants.G2YDen));

    private static Fp[] Parse(string[] hex) => Array.ConvertAll(hex, Bls12381.FpFromHex);

    private static Fp2[] Parse2(string[] hex)
    {
        var r = new Fp2[hex.Length / 2];
        for (int i = 0; i < r.Length; i++) r[i] = new Fp2(Bls12381.FpFromHex(hex[2 * i]), Bls12381.FpFromHex(hex[2 * i + 1]));
        return r;
    }

    /// <summary>hash_to_curve to G1 (random-oracle suite _RO_): two field elements, two maps, one cofactor clearing.</summary>
    public static G1Projective HashToG1(ReadOnlySpan<byte> message, ReadOnlySpan<byte> dst)
    {
        Span<Fp> u = stackalloc Fp[2];
        HashToField.ToFp(message, dst, u);
        return (MapToCurveG1(u[0]) + MapToCurveG1(u[1])).ClearCofactor();
    }

    /// <summary>encode_to_curve to G1 (non-uniform suite _NU_).</summary>
    public static G1Projective EncodeToG1(ReadOnlySpan<byte> message, ReadOnlySpan<byte> dst)
    {
        Span<Fp> u = stackalloc Fp[1];
        HashToField.ToFp(message, dst, u);
        return MapToCurveG1(u[0]).ClearCofactor();
    }

    /// <summary>hash_to_curve to G2 (_RO_).</summary>
    public static G2Projective HashToG2(ReadOnlySpan<byte> message, ReadOnlySpan<byte> dst)
    {
        Span<Fp2> u = stackalloc Fp2[2];
        HashToField.ToFp2(message, dst, u);
        return (MapToCurveG2(u[0]) + MapToCurveG2(u[1])).ClearCofactor();
    }

    /// <summary>encode_to_curve to G2 (_NU_).</summary>
    public static G2Projective EncodeToG2(ReadOnlySpan<byte> message, ReadOnlySpan<byte> dst)
    {
        Span<Fp2> u = stackalloc Fp2[1];
        HashToField.ToFp2(message, dst, u);
        return MapToCurveG2(u[0]).ClearCofactor();
    }

    /// <summary>map_to_curve followed by clear_cofactor for one F_p element (EIP-2537 MAP_FP_TO_G1).</summary>
    public static G1Projective MapToG1(in Fp u) => MapToCurveG1(u).ClearCofactor();

    /// <summary>map_to_curve followed by clear_cofactor for one F_p² element (EIP-2537 MAP_FP2_TO_G2).</summary>
    public static G2Projective MapToG2(in Fp2 u) => MapToCurveG2(u).ClearCofactor();

    /// <summary>
    /// hash_to_field into F_r (RFC 9380 §5.2 with m = 1 and L = 48 = ⌈(255 + 128)/8⌉): a uniform scalar for
    /// Fiat–Shamir challenges and key derivation.
    /// </summary>
    public static Fr HashToScalar(ReadOnlySpan<byte> message, ReadOnlySpan<byte> dst)
    {
        Span<byte> uniform = stackalloc byte[48];
        ExpandMessageXmd.Expand(message, dst, uniform);
        Fr value = Fr.FromBigEndian48(uniform);
        uniform.Clear();
        return value;
    }

    /// <summary>Hashes many messages to G1 with one DST (batch entry point for the protocol layers).</summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public static void HashToG1(ReadOnlySpan<ReadOnlyMemory<byte>> messages, ReadOnlySpan<byte> dst, Span<G1Projective> destination)
    {
        if (messages.Length != destination.Length) throw new ArgumentException("One destination per message.", nameof(destination));
        for (int i = 0; i < messages.Length; i++) destination[i] = HashToG1(messages[i].Span, dst);
    }

    /// <summary>Hashes many messages to G2 with one DST.</summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public static void HashToG2(ReadOnlySpan<ReadOnlyMemory<byte>> messages, ReadOnlySpan<byte> dst, Span<G2Projective> destination)
    {
        if (messages.Length != destination.Length) throw new ArgumentException("One destination per message.", nameof(destination));
        for (int i = 0; i < messages.Length; i++) destination[i] = HashToG2(messages[i].Span, dst);
    }

    /// <summary>map_to_curve (SWU then isogeny), before cofactor clearing: the Q0/Q1 of the RFC vectors.</summary>
    internal static G1Projective MapToCurveG1(in Fp u)
    {
        SwuG1.Map(u, out Fp xp, out Fp yp);
        return new G1Projective(IsoG1.Map(xp, yp));
    }

    /// <summary>map_to_curve for G2, before cofactor clearing.</summary>
    internal static G2Projective MapToCurveG2(in Fp2 u)
    {
        SwuG2.Map(u, out Fp2 xp, out Fp2 yp);
        return new G2Projective(IsoG2.Map(xp, yp));
    }
}
