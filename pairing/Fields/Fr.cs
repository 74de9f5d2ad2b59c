using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Engine.BigInt;

namespace Engine.Pairing.Fields;

/// <summary>
/// A scalar: an element of F_r, r = 0x73ed…0001 (255 bits), the order of G1, G2 and Gt. Held in Montgomery form
/// a·R mod r with R = 2^256, four little-endian limbs, fully reduced.
/// </summary>
/// <remarks>Constant time unless a name ends in <c>VarTime</c>. Scalars are often secret: equality goes through masks.</remarks>
[StructLayout(LayoutKind.Sequential)]
public readonly partial struct Fr : IEquatable<Fr>
{
    /// <summary>Size of the big-endian encoding.</summary>
    public const int SizeInBytes = 32;

    internal readonly ulong L0, L1, L2, L3;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal Fr(ulong l0, ulong l1, ulong l2, ulong l3) { L0 = l0; L1 = l1; L2 = l2; L3 = l3; }

    // r, little-endian limbs.
    internal const ulong Q0 = 0xffff_ffff_0000_0001, Q1 = 0x53bd_a402_fffe_5bfe, Q2 = 0x3339_d808_09a1_d805, Q3 = 0x73ed_a753_299d_7d48;

    /// <summary>−r⁻¹ mod 2⁶⁴.</summary>
    internal const ulong MontInv = 0xffff_fffe_ffff_ffff;

    /// <summary>Zero.</summary>
    public static Fr Zero => default;

    /// <summary>One (R mod r).</summary>
    public static Fr One => new(0x0000_0001_ffff_fffe, 0x5884_b7fa_0003_4802, 0x998c_4fef_ecbc_4ff5, 0x1824_b159_acc5_056f);

    /// <summary>R² mod r.</summary>
    internal static Fr RSquared => new(0xc999_e990_f3f2_9c6d, 0x2b6c_edcb_8792_5c23, 0x05d3_1496_7254_398f, 0x0748_d9d9_9f59_ff11);

    /// <summary>2^256 mod r in Montgomery form: 2^256 = R, and the Montgomery form of R is R² mod r.</summary>
    internal static Fr TwoPow256 => RSquared;

    /// <summary>The order r as raw limbs.</summary>
    internal static ReadOnlySpan<ulong> ModulusLimbs => [Q0, Q1, Q2, Q3];

    internal ulong IsZeroMask => Ct.IsZeroMask(L0 | L1 | L2 | L3);

    /// <summary>True if zero.</summary>
    public bool IsZero => IsZeroMask != 0;

    internal static ulong EqualMask(in Fr a, in Fr b)
        => Ct.IsZeroMask((a.L0 ^ b.L0) | (a.L1 ^ b.L1) | (a.L2 ^ b.L2) | (a.L3 ^ b.L3));

    internal static Fr Select(in Fr a, in Fr b, ulong mask) => new(
        b.L0 ^ ((a.L0 ^ b.L0) & mask), b.L1 ^ ((a.L1 ^ b.L1) & mask), b.L2 ^ ((a.L2 ^ b.L2) & mask), b.L3 ^ ((a.L3 ^ b.L3) & mask));

    /// <summary>Constant-time equality.</summary>
    public bool Equals(Fr other) => EqualMask(this, other) != 0;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is Fr other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(L0, L1, L2, L3);

    /// <summary>Constant-time equality.</summary>
    public static bool operator ==(in Fr a, in Fr b) => EqualMask(a, b) != 0;

    /// <summary>Constant-time inequality.</summary>
    public static bool operator !=(in Fr a, in Fr b) => EqualMask(a, b) == 0;

    /// <summary>Scalars may be secret: never printed.</summary>
    public override string ToString() => "Fr(…)";

    /// <summary>Montgomery form of a canonical little-endian value below r (4 limbs); the caller checks the range.</summary>
    internal static Fr FromCanonicalLimbs(ReadOnlySpan<ulong> limbs) => new Fr(limbs[0], limbs[1], limbs[2], limbs[3]) * RSquared;

    /// <summary>A small integer as a scalar.</summary>
    public static Fr FromUInt64(ulong value) => new Fr(value, 0, 0, 0) * RSquared;

    /// <summary>
    /// Reads a 32-byte big-endian scalar: <see cref="EngineStatus.BadLength"/> for another length,
    /// <see cref="EngineStatus.ScalarOutOfRange"/> for a value ≥ r. Constant time in the value.
    /// </summary>
    public static EngineStatus Decode(ReadOnlySpan<byte> source, out Fr value)
    {
        value = default;
        if (source.Length != SizeInBytes) return EngineStatus.BadLength;
        Fr raw = ReadLimbs(source);
        if (LessThanModulusMask(raw) == 0) return EngineStatus.ScalarOutOfRange;
        value = raw * RSquared;
        return EngineStatus.Ok;
    }

    /// <summary>Reads 32 big-endian bytes and reduces mod r (for inputs such as EIP-2537 scalars that may be ≥ r).</summary>
    public static Fr FromBigEndianReduced(ReadOnlySpan<byte> source)
    {
        if (source.Length != SizeInBytes) throw new ArgumentException("A scalar is 32 bytes.", nameof(source));
        Fr raw = ReadLimbs(source);
        // 2^256 < 3r: at most two subtractions of r.
        raw = SubtractModulusIfAbove(raw.L0, raw.L1, raw.L2, raw.L3);
        raw = SubtractModulusIfAbove(raw.L0, raw.L1, raw.L2, raw.L3);
        return raw * RSquared;
    }

    /// <summary>
    /// A 48-byte big-endian string reduced mod r (hash_to_field with L = 48): value = hi·2^256 + lo with a 128-bit
    /// hi (already &lt; r) and a 256-bit lo reduced by <see cref="FromBigEndianReduced"/>.
    /// </summary>
    internal static Fr FromBigEndian48(ReadOnlySpan<byte> source)
    {
        Span<byte> hi = stackalloc byte[SizeInBytes];
        hi.Clear();
        source[..16].CopyTo(hi[16..]);
        Fr value = FromBigEndianReduced(hi) * TwoPow256 + FromBigEndianReduced(source[16..48]);
        hi.Clear();
        return value;
    }

    /// <summary>A uniform secret scalar in [1, r − 1] from the OS CSPRNG (rejection sampling, bigint's RandomScalar).</summary>
    public static Fr RandomNonZero()
    {
        Span<ulong> limbs = stackalloc ulong[4];
        Engine.BigInt.RandomScalar.NonZeroBelow(ModulusLimbs, limbs);
        Fr value = FromCanonicalLimbs(limbs);
        limbs.Clear();
        return value;
    }

    /// <summary>Writes the canonical value as 32 big-endian bytes.</summary>
    /// <exception cref="ArgumentException">The destination is not 32 bytes.</exception>
    public void WriteBigEndian(Span<byte> destination)
    {
        if (destination.Length != SizeInBytes) throw new ArgumentException("Destination must be 32 bytes.", nameof(destination));
        Fr c = ToCanonical();
        BinaryPrimitives.WriteUInt64BigEndian(destination, c.L3);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], c.L2);
        BinaryPrimitives.WriteUInt64BigEndian(destination[16..], c.L1);
        BinaryPrimitives.WriteUInt64BigEndian(destination[24..], c.L0);
    }

    /// <summary>The canonical little-endian limbs (out of Montgomery form).</summary>
    internal Fr ToCanonical() => this * new Fr(1, 0, 0, 0);

    private static Fr ReadLimbs(ReadOnlySpan<byte> source) => new(
        BinaryPrimitives.ReadUInt64BigEndian(source[24..]), BinaryPrimitives.ReadUInt64BigEndian(source[16..]),
        BinaryPrimitives.ReadUInt64BigEndian(source[8..]), BinaryPrimitives.ReadUInt64BigEndian(source));

    private static ulong LessThanModulusMask(in Fr raw)
    {
        ulong borrow = 0;
        Word.SubBorrow(raw.L0, Q0, ref borrow);
        Word.SubBorrow(raw.L1, Q1, ref borrow);
        Word.SubBorrow(raw.L2, Q2, ref borrow);
        Word.SubBorrow(raw.L3, Q3, ref borrow);
        return Ct.MaskFromBit(borrow);
    }
}
