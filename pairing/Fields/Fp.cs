using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Engine.BigInt;

namespace Engine.Pairing.Fields;

/// <summary>
/// An element of the BLS12-381 base field F_p, p = 0x1a01…aaab (381 bits), held in Montgomery form
/// a·R mod p with R = 2^384, as six little-endian 64-bit limbs, always fully reduced (&lt; p).
/// </summary>
/// <remarks>Every operation is constant time unless its name ends in <c>VarTime</c>.</remarks>
[StructLayout(LayoutKind.Sequential)]
public readonly partial struct Fp : IEquatable<Fp>, ISwuField<Fp>
{
    /// <summary>Size of the big-endian encoding of an element.</summary>
    public const int SizeInBytes = 48;

    internal readonly ulong L0, L1, L2, L3, L4, L5;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal Fp(ulong l0, ulong l1, ulong l2, ulong l3, ulong l4, ulong l5)
    {
        L0 = l0; L1 = l1; L2 = l2; L3 = l3; L4 = l4; L5 = l5;
    }

    // p, little-endian limbs.
    internal const ulong P0 = 0xb9fe_ffff_ffff_aaab, P1 = 0x1eab_fffe_b153_ffff, P2 = 0x6730_d2a0_f6b0_f624,
                         P3 = 0x6477_4b84_f385_12bf, P4 = 0x4b1b_a7b6_434b_acd7, P5 = 0x1a01_11ea_397f_e69a;

    /// <summary>−p⁻¹ mod 2⁶⁴.</summary>
    internal const ulong MontInv = 0x89f3_fffc_fffc_fffd;

    /// <summary>Zero.</summary>
    public static Fp Zero => default;

    /// <summary>One, i.e. R mod p in Montgomery form.</summary>
    public static Fp One => new(0x7609_0000_0002_fffd, 0xebf4_000b_c40c_0002, 0x5f48_9857_53c7_58ba,
                                0x77ce_5853_7052_5745, 0x5c07_1a97_a256_ec6d, 0x15f6_5ec3_fa80_e493);

    /// <summary>R² mod p: multiplying a canonical value by it gives its Montgomery form.</summary>
    internal static Fp R2 => new(0xf4df_1f34_1c34_1746, 0x0a76_e6a6_09d1_04f1, 0x8de5_476c_4c95_b6d5,
                                 0x67eb_88a9_939d_83c0, 0x9a79_3e85_b519_952d, 0x1198_8fe5_92ca_e3aa);

    /// <summary>The modulus p as a non-Montgomery limb value (for range checks and exponents).</summary>
    internal static Fp Modulus => new(P0, P1, P2, P3, P4, P5);

    /// <summary>1/2 mod p = (p + 1)/2, in Montgomery form (built from its limbs: no exponentiation at type initialisation).</summary>
    internal static readonly Fp InverseOfTwo = FromCanonicalLimbs(0xdcff_7fff_ffff_d556, 0x0f55_ffff_58a9_ffff, 0xb398_6950_7b58_7b12,
                                                                  0xb23b_a5c2_79c2_895f, 0x258d_d3db_21a5_d66b, 0x0d00_88f5_1cbf_f34d);

    /// <summary>2^256 mod p in Montgomery form: hash_to_field splits a 512-bit value at bit 256.</summary>
    internal static readonly Fp TwoPow256 = FromCanonicalLimbs(0, 0, 0, 0, 1, 0);

    /// <summary>Builds the Montgomery form of a canonical little-endian value (must be &lt; p).</summary>
    internal static Fp FromCanonicalLimbs(ulong l0, ulong l1, ulong l2, ulong l3, ulong l4, ulong l5)
        => new Fp(l0, l1, l2, l3, l4, l5) * R2;

    /// <summary>A small integer in Montgomery form.</summary>
    internal static Fp FromUInt64(ulong value) => FromCanonicalLimbs(value, 0, 0, 0, 0, 0);

    /// <summary>The canonical (non-Montgomery) limbs: multiply by 1 to leave Montgomery form.</summary>
    internal Fp ToCanonicalLimbs() => this * new Fp(1, 0, 0, 0, 0, 0);

    /// <summary>~0 if this is zero, else 0.</summary>
    internal ulong IsZeroMask => Ct.IsZeroMask(L0 | L1 | L2 | L3 | L4 | L5);

    /// <summary>True if zero. The result is public once returned.</summary>
    public bool IsZero => IsZeroMask != 0;

    /// <summary>~0 if a == b, else 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ulong EqualMask(in Fp a, in Fp b)
        => Ct.IsZeroMask((a.L0 ^ b.L0) | (a.L1 ^ b.L1) | (a.L2 ^ b.L2) | (a.L3 ^ b.L3) | (a.L4 ^ b.L4) | (a.L5 ^ b.L5));

    /// <summary>mask ? a : b, without a branch.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Fp Select(in Fp a, in Fp b, ulong mask) => new(
        b.L0 ^ ((a.L0 ^ b.L0) & mask), b.L1 ^ ((a.L1 ^ b.L1) & mask), b.L2 ^ ((a.L2 ^ b.L2) & mask),
        b.L3 ^ ((a.L3 ^ b.L3) & mask), b.L4 ^ ((a.L4 ^ b.L4) & mask), b.L5 ^ ((a.L5 ^ b.L5) & mask));

    // Explicit implementations keep the mask helpers internal (STYLE.md B3: masks stay inside the engine).
    static ulong IField<Fp>.EqualMask(in Fp a, in Fp b) => EqualMask(a, b);
    static Fp IField<Fp>.Select(in Fp a, in Fp b, ulong mask) => Select(a, b, mask);
    ulong IField<Fp>.IsZeroMask => IsZeroMask;
    Fp ISwuField<Fp>.Sqrt(out ulong isSquare) => Sqrt(out isSquare);
    ulong ISwuField<Fp>.Sgn0Mask => Sgn0Mask;
    ulong ISwuField<Fp>.IsSquareMask => IsSquareMask;

    /// <summary>Constant-time equality.</summary>
    public bool Equals(Fp other) => EqualMask(this, other) != 0;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is Fp other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(L0, L1, L2, L3, L4, L5);

    /// <summary>Constant-time equality.</summary>
    public static bool operator ==(in Fp a, in Fp b) => EqualMask(a, b) != 0;

    /// <summary>Constant-time inequality.</summary>
    public static bool operator !=(in Fp a, in Fp b) => EqualMask(a, b) == 0;

    /// <summary>Big-endian hex of the canonical value (diagnostics and tests; field elements are public there).</summary>
    public override string ToString()
    {
        Span<byte> bytes = stackalloc byte[SizeInBytes];
        WriteBigEndian(bytes);
        return Convert.ToHexStringLower(bytes);
    }

    /// <summary>
    /// Reads a 48-byte big-endian value. Returns <see cref="EngineStatus.BadLength"/> for any other length and
    /// <see cref="EngineStatus.NotCanonical"/> for a value ≥ p.
    /// </summary>
    public static EngineStatus Decode(ReadOnlySpan<byte> source, out Fp value)
    {
        value = default;
        if (source.Length != SizeInBytes) return EngineStatus.BadLength;
        Fp raw = ReadLimbsBigEndian(source);
        if (LessThanModulusMask(raw) == 0) return EngineStatus.NotCanonical;
        value = raw * R2;
        return EngineStatus.Ok;
    }

    /// <summary>Writes the canonical value as 48 big-endian bytes.</summary>
    /// <exception cref="ArgumentException">The destination is not 48 bytes.</exception>
    public void WriteBigEndian(Span<byte> destination)
    {
        if (destination.Length != SizeInBytes) throw new ArgumentException("Destination must be 48 bytes.", nameof(destination));
        Fp c = ToCanonicalLimbs();
        BinaryPrimitives.WriteUInt64BigEndian(destination, c.L5);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], c.L4);
        BinaryPrimitives.WriteUInt64BigEndian(destination[16..], c.L3);
        BinaryPrimitives.WriteUInt64BigEndian(destination[24..], c.L2);
        BinaryPrimitives.WriteUInt64BigEndian(destination[32..], c.L1);
        BinaryPrimitives.WriteUInt64BigEndian(destination[40..], c.L0);
    }

    /// <summary>Raw 48-byte big-endian → limbs, no range check and no Montgomery conversion.</summary>
    internal static Fp ReadLimbsBigEndian(ReadOnlySpan<byte> source) => new(
        BinaryPrimitives.ReadUInt64BigEndian(source[40..]), BinaryPrimitives.ReadUInt64BigEndian(source[32..]),
        BinaryPrimitives.ReadUInt64BigEndian(source[24..]), BinaryPrimitives.ReadUInt64BigEndian(source[16..]),
        BinaryPrimitives.ReadUInt64BigEndian(source[8..]), BinaryPrimitives.ReadUInt64BigEndian(source));

    /// <summary>~0 if the raw limbs are &lt; p (constant time: the borrow out of raw − p).</summary>
    internal static ulong LessThanModulusMask(in Fp raw)
    {
        ulong borrow = 0;
        Word.SubBorrow(raw.L0, P0, ref borrow);
        Word.SubBorrow(raw.L1, P1, ref borrow);
        Word.SubBorrow(raw.L2, P2, ref borrow);
        Word.SubBorrow(raw.L3, P3, ref borrow);
        Word.SubBorrow(raw.L4, P4, ref borrow);
        Word.SubBorrow(raw.L5, P5, ref borrow);
        return Ct.MaskFromBit(borrow);
    }

    /// <summary>
    /// Reduces a 64-byte big-endian string mod p (RFC 9380 hash_to_field, L = 64): value = hi·2^256 + lo with
    /// hi, lo &lt; 2^256 &lt; p, so each is already canonical.
    /// </summary>
    internal static Fp FromBigEndian64(ReadOnlySpan<byte> source)
    {
        Fp hi = new Fp(BinaryPrimitives.ReadUInt64BigEndian(source[24..]), BinaryPrimitives.ReadUInt64BigEndian(source[16..]),
                       BinaryPrimitives.ReadUInt64BigEndian(source[8..]), BinaryPrimitives.ReadUInt64BigEndian(source), 0, 0) * R2;
        Fp lo = new Fp(BinaryPrimitives.ReadUInt64BigEndian(source[56..]), BinaryPrimitives.ReadUInt64BigEndian(source[48..]),
                       BinaryPrimitives.ReadUInt64BigEndian(source[40..]), BinaryPrimitives.ReadUInt64BigEndian(source[32..]), 0, 0) * R2;
        return hi * TwoPow256 + lo;
    }

    /// <summary>~0 if the canonical value is odd: sgn0 of RFC 9380 §4.1 for m = 1.</summary>
    internal ulong Sgn0Mask => Ct.MaskFromBit(ToCanonicalLimbs().L0 & 1);

    /// <summary>
    /// ~0 if the canonical value is greater than (p − 1)/2, i.e. it is the larger of {y, −y}: the ZCash sign flag.
    /// </summary>
    internal ulong LexicographicallyLargestMask
    {
        get
        {
            // (p - 1)/2 < v  ⇔  borrow out of ((p - 1)/2 - v).
            Fp c = ToCanonicalLimbs();
            ulong borrow = 0;
            Word.SubBorrow(0xdcff_7fff_ffff_d555, c.L0, ref borrow);
            Word.SubBorrow(0x0f55_ffff_58a9_ffff, c.L1, ref borrow);
            Word.SubBorrow(0xb398_6950_7b58_7b12, c.L2, ref borrow);
            Word.SubBorrow(0xb23b_a5c2_79c2_895f, c.L3, ref borrow);
            Word.SubBorrow(0x258d_d3db_21a5_d66b, c.L4, ref borrow);
            Word.SubBorrow(0x0d00_88f5_1cbf_f34d, c.L5, ref borrow);
            return Ct.MaskFromBit(borrow);
        }
    }
}
