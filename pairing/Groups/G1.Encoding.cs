using Engine.Pairing.Fields;

namespace Engine.Pairing.Groups;

public readonly partial struct G1Affine
{
    /// <summary>ZCash compressed size: x with three flag bits in the top byte.</summary>
    public const int CompressedSizeInBytes = 48;

    /// <summary>ZCash uncompressed size: x ‖ y.</summary>
    public const int UncompressedSizeInBytes = 96;

    /// <summary>Writes the ZCash compressed encoding (flags 0x80 compressed, 0x40 infinity, 0x20 larger y).</summary>
    /// <exception cref="ArgumentException">The destination is not 48 bytes.</exception>
    public void EncodeCompressed(Span<byte> destination)
    {
        if (destination.Length != CompressedSizeInBytes) throw new ArgumentException("Destination must be 48 bytes.", nameof(destination));
        Fp.Select(Fp.Zero, X, InfinityMask).WriteBigEndian(destination);
        destination[0] |= (byte)(ZcashFlags.Compressed
                                 | (ZcashFlags.Infinity & InfinityMask)
                                 | (ZcashFlags.Sign & ~InfinityMask & Y.LexicographicallyLargestMask));
    }

    /// <summary>Writes the ZCash uncompressed encoding x ‖ y (flag 0x40 for the identity, all else zero).</summary>
    /// <exception cref="ArgumentException">The destination is not 96 bytes.</exception>
    public void EncodeUncompressed(Span<byte> destination)
    {
        if (destination.Length != UncompressedSizeInBytes) throw new ArgumentException("Destination must be 96 bytes.", nameof(destination));
        Fp.Select(Fp.Zero, X, InfinityMask).WriteBigEndian(destination[..48]);
        Fp.Select(Fp.Zero, Y, InfinityMask).WriteBigEndian(destination[48..]);
        destination[0] |= (byte)(ZcashFlags.Infinity & InfinityMask);
    }

    /// <summary>
    /// Decodes a ZCash encoding of either size (48 compressed, 96 uncompressed) with full validation, in the order
    /// length, flags, canonical coordinates (&lt; p), curve, subgroup. Returns the first failure:
    /// <see cref="EngineStatus.BadLength"/>, <see cref="EngineStatus.Malformed"/> (flag combination),
    /// <see cref="EngineStatus.NotCanonical"/>, <see cref="EngineStatus.NotOnCurve"/> or
    /// <see cref="EngineStatus.NotInSubgroup"/>. The identity decodes to <see cref="Identity"/>.
    /// </summary>
    public static EngineStatus Decode(ReadOnlySpan<byte> source, out G1Affine point)
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

    /// <summary><see cref="Decode"/> without the subgroup check: internal, for callers that check it otherwise.</summary>
    internal static EngineStatus DecodeUnchecked(ReadOnlySpan<byte> source, out G1Affine point)
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

        Span<byte> x = stackalloc byte[Fp.SizeInBytes];
        source[..Fp.SizeInBytes].CopyTo(x);
        x[0] &= ZcashFlags.ValueMask;
        if (Fp.Decode(x, out Fp xv) != EngineStatus.Ok) return EngineStatus.NotCanonical;

        Fp rhs = xv.Square() * xv + Bls12381.B;
        if (compressed)
        {
            Fp y = rhs.Sqrt(out ulong isSquare);
            if (isSquare == 0) return EngineStatus.NotOnCurve;
            // Pick the root whose "larger" bit matches the flag.
            ulong flip = y.LexicographicallyLargestMask ^ (sign ? ~0UL : 0UL);
            point = new G1Affine(xv, Fp.Select(-y, y, flip), 0);
            return EngineStatus.Ok;
        }

        if (Fp.Decode(source[Fp.SizeInBytes..], out Fp yv) != EngineStatus.Ok) return EngineStatus.NotCanonical;
        if (Fp.EqualMask(yv.Square(), rhs) == 0) return EngineStatus.NotOnCurve;
        point = new G1Affine(xv, yv, 0);
        return EngineStatus.Ok;
    }
}

/// <summary>The three flag bits of the ZCash point encoding (top bits of the first byte).</summary>
internal static class ZcashFlags
{
    public const ulong Compressed = 0x80, Infinity = 0x40, Sign = 0x20;
    public const byte ValueMask = 0x1f;

    /// <summary>
    /// Checks the flag bits against the encoding size: the compression bit must match the length, the sign bit is
    /// only allowed on compressed finite points, and an infinity encoding must be all zero apart from its flags.
    /// </summary>
    public static EngineStatus Check(ReadOnlySpan<byte> source, bool compressed, out bool infinity, out bool sign)
    {
        byte top = source[0];
        infinity = (top & Infinity) != 0;
        sign = (top & Sign) != 0;
        if (((top & Compressed) != 0) != compressed) return EngineStatus.Malformed;
        if (infinity)
        {
            if (sign) return EngineStatus.Malformed;
            if ((top & ValueMask) != 0 || source[1..].IndexOfAnyExcept((byte)0) >= 0) return EngineStatus.NotCanonical;
            return EngineStatus.Ok;
        }
        if (sign && !compressed) return EngineStatus.Malformed;
        return EngineStatus.Ok;
    }
}
