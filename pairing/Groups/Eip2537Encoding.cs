using Engine.Pairing.Fields;

namespace Engine.Pairing.Groups;

/// <summary>
/// The EIP-2537 (Ethereum BLS12-381 precompiles) encodings: an F_p element is 64 bytes, 16 zero bytes then the
/// 48-byte big-endian value; F_p² is c0 ‖ c1; a point is x ‖ y; the identity is all zeros. Provided so that
/// precompile data can be fed to the engine and checked against it (the go-ethereum vectors in tests/Vectors).
/// </summary>
public static class Eip2537Encoding
{
    /// <summary>Encoded F_p size.</summary>
    public const int FpSizeInBytes = 64;

    /// <summary>Encoded G1 point size.</summary>
    public const int G1SizeInBytes = 128;

    /// <summary>Encoded G2 point size.</summary>
    public const int G2SizeInBytes = 256;

    /// <summary>
    /// Decodes a padded F_p element: <see cref="EngineStatus.BadLength"/>, <see cref="EngineStatus.NotCanonical"/>
    /// for non-zero padding (the precompiles' "invalid field element top bytes") or a value ≥ p.
    /// </summary>
    public static EngineStatus DecodeFp(ReadOnlySpan<byte> source, out Fp value)
    {
        value = default;
        if (source.Length != FpSizeInBytes) return EngineStatus.BadLength;
        if (source[..16].IndexOfAnyExcept((byte)0) >= 0) return EngineStatus.NotCanonical;
        return Fp.Decode(source[16..], out value);
    }

    /// <summary>Decodes c0 ‖ c1.</summary>
    public static EngineStatus DecodeFp2(ReadOnlySpan<byte> source, out Fp2 value)
    {
        value = default;
        if (source.Length != 2 * FpSizeInBytes) return EngineStatus.BadLength;
        EngineStatus s = DecodeFp(source[..64], out Fp c0);
        if (s != EngineStatus.Ok) return s;
        s = DecodeFp(source[64..], out Fp c1);
        if (s != EngineStatus.Ok) return s;
        value = new Fp2(c0, c1);
        return EngineStatus.Ok;
    }

    /// <summary>
    /// Decodes a G1 point: length, both coordinates canonical, on the curve, then (if asked) in G1. All zeros is
    /// the identity. EIP-2537 addition skips the subgroup check; multiplication and pairing do not.
    /// </summary>
    public static EngineStatus DecodeG1(ReadOnlySpan<byte> source, bool checkSubgroup, out G1Affine point)
    {
        point = default;
        if (source.Length != G1SizeInBytes) return EngineStatus.BadLength;
        EngineStatus s = DecodeFp(source[..64], out Fp x);
        Fp y = default;
        if (s == EngineStatus.Ok) s = DecodeFp(source[64..], out y);
        if (s != EngineStatus.Ok) return s;
        if (x.IsZero && y.IsZero)
        {
            point = G1Affine.Identity;
            return EngineStatus.Ok;
        }
        var candidate = G1Affine.FromCoordinatesUnchecked(x, y);
        if (!candidate.IsOnCurve) return EngineStatus.NotOnCurve;
        if (checkSubgroup && !candidate.IsTorsionFree) return EngineStatus.NotInSubgroup;
        point = candidate;
        return EngineStatus.Ok;
    }

    /// <summary>Decodes a G2 point (x = c0 ‖ c1, then y); checks as <see cref="DecodeG1"/>.</summary>
    public static EngineStatus DecodeG2(ReadOnlySpan<byte> source, bool checkSubgroup, out G2Affine point)
    {
        point = default;
        if (source.Length != G2SizeInBytes) return EngineStatus.BadLength;
        EngineStatus s = DecodeFp2(source[..128], out Fp2 x);
        Fp2 y = default;
        if (s == EngineStatus.Ok) s = DecodeFp2(source[128..], out y);
        if (s != EngineStatus.Ok) return s;
        if (x.IsZero && y.IsZero)
        {
            point = G2Affine.Identity;
            return EngineStatus.Ok;
        }
        var candidate = G2Affine.FromCoordinatesUnchecked(x, y);
        if (!candidate.IsOnCurve) return EngineStatus.NotOnCurve;
        if (checkSubgroup && !candidate.IsTorsionFree) return EngineStatus.NotInSubgroup;
        point = candidate;
        return EngineStatus.Ok;
    }

    /// <summary>Writes a G1 point (128 bytes).</summary>
    /// <exception cref="ArgumentException">Wrong destination size.</exception>
    public static void EncodeG1(in G1Affine point, Span<byte> destination)
    {
        if (destination.Length != G1SizeInBytes) throw new ArgumentException("Destination must be 128 bytes.", nameof(destination));
        destination.Clear();
        point.X.WriteBigEndian(destination.Slice(16, 48));
        point.Y.WriteBigEndian(destination.Slice(80, 48));
    }

    /// <summary>Writes a G2 point (256 bytes).</summary>
    /// <exception cref="ArgumentException">Wrong destination size.</exception>
    public static void EncodeG2(in G2Affine point, Span<byte> destination)
    {
        if (destination.Length != G2SizeInBytes) throw new ArgumentException("Destination must be 256 bytes.", nameof(destination));
        destination.Clear();
        point.X.C0.WriteBigEndian(destination.Slice(16, 48));
        point.X.C1.WriteBigEndian(destination.Slice(80, 48));
        point.Y.C0.WriteBigEndian(destination.Slice(144, 48));
        point.Y.C1.WriteBigEndian(destination.Slice(208, 48));
    }
}
