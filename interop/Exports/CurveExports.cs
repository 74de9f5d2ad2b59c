using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Engine.Pairing.Fields;
using Engine.Pairing.Groups;
using Engine.Pairing.HashToCurve;

namespace Engine.Interop.Exports;

/// <summary>
/// BLS12-381 group operations on caller buffers (engine.h, "BLS12-381"). Points are ZCash-encoded (G1 48 bytes
/// compressed, 96 uncompressed; G2 96 and 192), scalars 32 bytes big-endian and &lt; r. Every point read is fully
/// validated (flags, canonical coordinates, curve, subgroup) before any arithmetic. Stateless and thread-safe.
/// </summary>
public static unsafe class CurveExports
{
    private const int G1Size = G1Affine.CompressedSizeInBytes, G2Size = G2Affine.CompressedSizeInBytes;

    /// <summary><c>engine_status engine_g1_mul(uint8_t out[48], const uint8_t point[48], const uint8_t scalar[32])</c>: out = [scalar]point, constant time in the scalar.</summary>
    [UnmanagedCallersOnly(EntryPoint = "engine_g1_mul", CallConvs = [typeof(CallConvCdecl)])]
    public static int G1Mul(byte* output, byte* point, byte* scalar)
    {
        if (output == null || point == null || scalar == null) return (int)EngineStatus.NullArgument;
        try { return (int)G1Multiply(new ReadOnlySpan<byte>(point, G1Size), new ReadOnlySpan<byte>(scalar, Fr.SizeInBytes), new Span<byte>(output, G1Size)); }
        catch (Exception e) { return Boundary.Fail(e); }
    }

    /// <summary>The work of <c>engine_g1_mul</c>, callable from C# (the call-overhead benchmark compares the two).</summary>
    public static EngineStatus G1Multiply(ReadOnlySpan<byte> point, ReadOnlySpan<byte> scalar, Span<byte> output)
    {
        EngineStatus s = G1Affine.Decode(point, out G1Affine p);
        if (s != EngineStatus.Ok) return s;
        s = Fr.Decode(scalar, out Fr k);
        if (s != EngineStatus.Ok) return s;
        p.ToProjective().Multiply(k).ToAffine().EncodeCompressed(output);
        k = default;
        return EngineStatus.Ok;
    }

    /// <summary><c>engine_status engine_g2_mul(uint8_t out[96], const uint8_t point[96], const uint8_t scalar[32])</c>.</summary>
    [UnmanagedCallersOnly(EntryPoint = "engine_g2_mul", CallConvs = [typeof(CallConvCdecl)])]
    public static int G2Mul(byte* output, byte* point, byte* scalar)
    {
        if (output == null || point == null || scalar == null) return (int)EngineStatus.NullArgument;
        try
        {
            EngineStatus s = G2Affine.Decode(new ReadOnlySpan<byte>(point, G2Size), out G2Affine p);
            if (s != EngineStatus.Ok) return (int)s;
            s = Fr.Decode(new ReadOnlySpan<byte>(scalar, Fr.SizeInBytes), out Fr k);
            if (s != EngineStatus.Ok) return (int)s;
            p.ToProjective().Multiply(k).ToAffine().EncodeCompressed(new Span<byte>(output, G2Size));
            k = default;
            return (int)EngineStatus.Ok;
        }
        catch (Exception e) { return Boundary.Fail(e); }
    }

    /// <summary><c>void engine_g1_generator(uint8_t out[48])</c> and <c>engine_g2_generator(uint8_t out[96])</c>: the standard generators, compressed.</summary>
    [UnmanagedCallersOnly(EntryPoint = "engine_g1_generator", CallConvs = [typeof(CallConvCdecl)])]
    public static void G1Generator(byte* output)
    {
        if (output != null) G1Affine.Generator.EncodeCompressed(new Span<byte>(output, G1Size));
    }

    /// <summary>See <see cref="G1Generator"/>.</summary>
    [UnmanagedCallersOnly(EntryPoint = "engine_g2_generator", CallConvs = [typeof(CallConvCdecl)])]
    public static void G2Generator(byte* output)
    {
        if (output != null) G2Affine.Generator.EncodeCompressed(new Span<byte>(output, G2Size));
    }

    /// <summary><c>engine_status engine_g1_uncompress(uint8_t out[96], const uint8_t in[48])</c>: validates and writes the uncompressed form.</summary>
    [UnmanagedCallersOnly(EntryPoint = "engine_g1_uncompress", CallConvs = [typeof(CallConvCdecl)])]
    public static int G1Uncompress(byte* output, byte* input) => Recode(output, input, G1Size, G1Affine.UncompressedSizeInBytes, g1: true, compress: false);

    /// <summary><c>engine_status engine_g1_compress(uint8_t out[48], const uint8_t in[96])</c>: validates an uncompressed point and compresses it.</summary>
    [UnmanagedCallersOnly(EntryPoint = "engine_g1_compress", CallConvs = [typeof(CallConvCdecl)])]
    public static int G1Compress(byte* output, byte* input) => Recode(output, input, G1Affine.UncompressedSizeInBytes, G1Size, g1: true, compress: true);

    /// <summary><c>engine_status engine_g2_uncompress(uint8_t out[192], const uint8_t in[96])</c>.</summary>
    [UnmanagedCallersOnly(EntryPoint = "engine_g2_uncompress", CallConvs = [typeof(CallConvCdecl)])]
    public static int G2Uncompress(byte* output, byte* input) => Recode(output, input, G2Size, G2Affine.UncompressedSizeInBytes, g1: false, compress: false);

    /// <summary><c>engine_status engine_g2_compress(uint8_t out[96], const uint8_t in[192])</c>.</summary>
    [UnmanagedCallersOnly(EntryPoint = "engine_g2_compress", CallConvs = [typeof(CallConvCdecl)])]
    public static int G2Compress(byte* output, byte* input) => Recode(output, input, G2Affine.UncompressedSizeInBytes, G2Size, g1: false, compress: true);

    private static int Recode(byte* output, byte* input, int inputSize, int outputSize, bool g1, bool compress)
    {
        if (output == null || input == null) return (int)EngineStatus.NullArgument;
        try
        {
            var source = new ReadOnlySpan<byte>(input, inputSize);
            var destination = new Span<byte>(output, outputSize);
            EngineStatus s;
            if (g1)
            {
                s = G1Affine.Decode(source, out G1Affine p);
                if (s == EngineStatus.Ok) { if (compress) p.EncodeCompressed(destination); else p.EncodeUncompressed(destination); }
            }
            else
            {
                s = G2Affine.Decode(source, out G2Affine q);
                if (s == EngineStatus.Ok) { if (compress) q.EncodeCompressed(destination); else q.EncodeUncompressed(destination); }
            }
            return (int)s;
        }
        catch (Exception e) { return Boundary.Fail(e); }
    }

    /// <summary>
    /// <c>engine_status engine_g1_from_eip2537(uint8_t out[48], const uint8_t in[128])</c>: an EIP-2537 G1 point
    /// (two 64-byte padded coordinates, all zeros for the identity), checked on the curve and in G1, compressed.
    /// </summary>
    [UnmanagedCallersOnly(EntryPoint = "engine_g1_from_eip2537", CallConvs = [typeof(CallConvCdecl)])]
    public static int G1FromEip2537(byte* output, byte* input)
    {
        if (output == null || input == null) return (int)EngineStatus.NullArgument;
        try
        {
            EngineStatus s = Eip2537Encoding.DecodeG1(new ReadOnlySpan<byte>(input, Eip2537Encoding.G1SizeInBytes), checkSubgroup: true, out G1Affine p);
            if (s == EngineStatus.Ok) p.EncodeCompressed(new Span<byte>(output, G1Size));
            return (int)s;
        }
        catch (Exception e) { return Boundary.Fail(e); }
    }

    /// <summary><c>engine_status engine_g2_from_eip2537(uint8_t out[96], const uint8_t in[256])</c>: as the G1 form, for G2.</summary>
    [UnmanagedCallersOnly(EntryPoint = "engine_g2_from_eip2537", CallConvs = [typeof(CallConvCdecl)])]
    public static int G2FromEip2537(byte* output, byte* input)
    {
        if (output == null || input == null) return (int)EngineStatus.NullArgument;
        try
        {
            EngineStatus s = Eip2537Encoding.DecodeG2(new ReadOnlySpan<byte>(input, Eip2537Encoding.G2SizeInBytes), checkSubgroup: true, out G2Affine q);
            if (s == EngineStatus.Ok) q.EncodeCompressed(new Span<byte>(output, G2Size));
            return (int)s;
        }
        catch (Exception e) { return Boundary.Fail(e); }
    }

    /// <summary>
    /// <c>engine_status engine_hash_to_g1(uint8_t out[48], const uint8_t *msg, size_t msg_len, const uint8_t *dst,
    /// size_t dst_len)</c>: RFC 9380 BLS12381G1_XMD:SHA-256_SSWU_RO_ with the caller's domain separation tag (1 byte or more).
    /// </summary>
    [UnmanagedCallersOnly(EntryPoint = "engine_hash_to_g1", CallConvs = [typeof(CallConvCdecl)])]
    public static int HashToG1(byte* output, byte* message, nuint messageLength, byte* dst, nuint dstLength)
    {
        if (output == null || dst == null) return (int)EngineStatus.NullArgument;
        if (!Boundary.TrySpan(message, messageLength, out ReadOnlySpan<byte> m)) return Boundary.SpanStatus(message, messageLength);
        if (dstLength == 0 || !Boundary.TrySpan(dst, dstLength, out ReadOnlySpan<byte> d)) return (int)EngineStatus.BadLength;
        try
        {
            HashToGroup.HashToG1(m, d).ToAffine().EncodeCompressed(new Span<byte>(output, G1Size));
            return (int)EngineStatus.Ok;
        }
        catch (Exception e) { return Boundary.Fail(e); }
    }

    /// <summary><c>engine_status engine_hash_to_g2(uint8_t out[96], …)</c>: BLS12381G2_XMD:SHA-256_SSWU_RO_, as <see cref="HashToG1"/>.</summary>
    [UnmanagedCallersOnly(EntryPoint = "engine_hash_to_g2", CallConvs = [typeof(CallConvCdecl)])]
    public static int HashToG2(byte* output, byte* message, nuint messageLength, byte* dst, nuint dstLength)
    {
        if (output == null || dst == null) return (int)EngineStatus.NullArgument;
        if (!Boundary.TrySpan(message, messageLength, out ReadOnlySpan<byte> m)) return Boundary.SpanStatus(message, messageLength);
        if (dstLength == 0 || !Boundary.TrySpan(dst, dstLength, out ReadOnlySpan<byte> d)) return (int)EngineStatus.BadLength;
        try
        {
            HashToGroup.HashToG2(m, d).ToAffine().EncodeCompressed(new Span<byte>(output, G2Size));
            return (int)EngineStatus.Ok;
        }
        catch (Exception e) { return Boundary.Fail(e); }
    }
}
