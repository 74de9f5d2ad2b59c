using Engine.Pairing.Fields;

namespace Engine.Pairing.Groups;

public readonly partial struct G2Affine
{
    /// <summary>ZCash compressed size: x.c1 ‖ x.c0 with the flags in the top byte.</summary>
    public const int CompressedSizeInBytes = 96;

    /// <summary>ZCash uncompressed size: x.c1 ‖ x.c0 ‖ y.c1 ‖ y.c0.</summary>
    public const int UncompressedSizeInBytes = 192;

    /// <summary>Writes the ZCash compressed encoding (imaginary part first).</summary>
    /// <exception cref="ArgumentException">The destination is not 96 bytes.</exception>
    public void EncodeCompressed(Span<byte> destination)
    {
        if (destination.Length != CompressedSizeInBytes) throw new ArgumentException("Destination must be 96 bytes.", nameof(destination));
        WriteFp2(Fp2.Select(Fp2.Zero, X, InfinityMask), destination);
        destination[0] |= (byte)(ZcashFlags.Compressed
                                 | (ZcashFlags.Infinity & InfinityMask)
                                 | (ZcashFlags.Sign & ~InfinityMask & Y.LexicographicallyLargestMask));
    }

    /// <summary>Writes the ZCash uncompressed encoding.</summary>
    /// <exception cref="ArgumentException">The destination is not 192 bytes.</exception>
    public void EncodeUncompressed(Span<byte> destination)
    {
        if (destination.Length != UncompressedSizeInBytes) throw new ArgumentException("Destination must be 192 bytes.", nameof(destination));
        WriteFp2(Fp2.Select(Fp2.Zero, X, InfinityMask), destination[..96]);
        WriteFp2(Fp2.Select(Fp2.Zero, Y, InfinityMask), destination[96..]);
        destination[0] |= (byte)(ZcashFlags.Infinity & InfinityMask);
    }

    private static void WriteFp2(in Fp2 value, Span<byte> destination)
    {
        value.C1.WriteBigEndian(destination[..48]);
        value.C0.WriteBigEndian(destination[48..96]);
    }

    /// <summary>
    /// Decodes a ZCash encoding of either size (96 compressed, 192 uncompressed) with full validation: length, flags,
    /// canonical coordinates, curve, subgroup. Statuses as for <see cref="G1Affine.Decode"/>.
    /// </summary>
    public static EngineStatus Decode(ReadOnlySpan<byte> source, out G2Affine point)
    {
        EngineStatus status = DecodeUnchecked(source, out point);
        if (status != EngineStatus.Ok) return status;
        if (!point.IsTorsionFree)
        {
            point = default;
            return EngineStatus.NotInSubgroup;
        }
        return EngineStatus.Ok;
    }

    /// <summary><see cref="Decode"/> without the subgroup check.</summary>
    internal static EngineStatus DecodeUnchecked(ReadOnlySpan<byte> source, out G2Affine point)
    {
        point = default;
        bool compressed = source.Length == CompressedSizeInBytes;
        if (!compressed && source.Length != UncompressedSizeInBytes) return EngineStatus.BadLength;

        EngineStatus flags = ZcashFlags.Check(source, compressed, out bool infinity, out bool sign);
        if (flags != EngineStatus.Ok) return flags;
        if (infinity)
        {
            point = Identity;
            return EngineStatus.Ok;
        }

        Span<byte> x1 = stackalloc byte[Fp.SizeInBytes];
        source[..48].CopyTo(x1);
        x1[0] &= ZcashFlags.ValueMask;
        if (Fp.Decode(x1, out Fp xc1) != EngineStatus.Ok || Fp.Decode(source[48..96], out Fp xc0) != EngineStatus.Ok)
            return EngineStatus.NotCanonical;
        Fp2 x = new(xc0, xc1);
        Fp2 rhs = x.Square() * x + Bls12381.BG2;

        if (compressed)
        {
            Fp2 y = rhs.Sqrt(out ulong isSquare);
            if (isSquare == 0) return EngineStatus.NotOnCurve;
            ulong flip = y.LexicographicallyLargestMask ^ (sign ? ~0UL : 0UL);
            point = new G2Affine(x, Fp2.Select(-y, y, flip), 0);
            return EngineStatus.Ok;
        }

        if (Fp.Decode(source[96..144], out Fp yc1) != EngineStatus.Ok || Fp.Decode(source[144..192], out Fp yc0) != EngineStatus.Ok)
            return EngineStatus.NotCanonical;
        Fp2 yv = new(yc0, yc1);
        if (Fp2.EqualMask(yv.Square(), rhs) == 0) return EngineStatus.NotOnCurve;
        point = new G2Affine(x, yv, 0);
        return EngineStatus.Ok;
    }
}
