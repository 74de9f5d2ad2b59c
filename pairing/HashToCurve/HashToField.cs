using Engine.Pairing.Fields;

namespace Engine.Pairing.HashToCurve;

/// <summary>hash_to_field of RFC 9380 §5.2 with expand_message_xmd/SHA-256 and L = 64 (p: k = 128).</summary>
internal static class HashToField
{
    public const int L = 64;

    /// <summary>Writes count elements of F_p.</summary>
    public static void ToFp(ReadOnlySpan<byte> message, ReadOnlySpan<byte> dst, Span<Fp> destination)
    {
        Span<byte> uniform = stackalloc byte[2 * L];
        uniform = uniform[..(destination.Length * L)];
        ExpandMessageXmd.Expand(message, dst, uniform);
        for (int i = 0; i < destination.Length; i++) destination[i] = Fp.FromBigEndian64(uniform.Slice(i * L, L));
        uniform.Clear();                                  // the message may be secret (a password, a key)
    }

    /// <summary>Writes count elements of F_p² (m = 2: c0 from the first L bytes, c1 from the next).</summary>
    public static void ToFp2(ReadOnlySpan<byte> message, ReadOnlySpan<byte> dst, Span<Fp2> destination)
    {
        Span<byte> uniform = stackalloc byte[4 * L];
        uniform = uniform[..(destination.Length * 2 * L)];
        ExpandMessageXmd.Expand(message, dst, uniform);
        for (int i = 0; i < destination.Length; i++)
            destination[i] = new Fp2(Fp.FromBigEndian64(uniform.Slice(2 * i * L, L)), Fp.FromBigEndian64(uniform.Slice((2 * i + 1) * L, L)));
        uniform.Clear();
    }
}
