using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Engine.Pairing.Fields;
using Engine.Pairing.Groups;
using Engine.Pairing.HashToCurve;
using Engine.Pairing.Pairings;

namespace Engine.Interop.Exports;

/// <summary>
/// The pairing and BLS signatures (min-pk: public keys in G1, 48 bytes; signatures in G2, 96 bytes; the caller names
/// the ciphersuite's DST, for example <c>BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_</c>). Stateless and thread-safe.
/// </summary>
public static unsafe class PairingExports
{
    /// <summary>Most pairs one <c>engine_pairing_check</c> takes (bounds the scratch it rents).</summary>
    public const int MaxPairs = 1 << 16;

    private const int G1Size = G1Affine.CompressedSizeInBytes, G2Size = G2Affine.CompressedSizeInBytes;

    /// <summary>
    /// <c>engine_status engine_pairing_check(int *result, const uint8_t *g1, const uint8_t *g2, size_t n)</c>: n
    /// compressed G1 points (48 bytes each) and n compressed G2 points (96 bytes each), each fully validated; *result = 1
    /// when ∏ e(g1[i], g2[i]) = 1, else 0. n = 0 is the empty product (1). *result is 0 on any error.
    /// </summary>
    [UnmanagedCallersOnly(EntryPoint = "engine_pairing_check", CallConvs = [typeof(CallConvCdecl)])]
    public static int PairingCheck(int* result, byte* g1, byte* g2, nuint n)
    {
        if (result == null) return (int)EngineStatus.NullArgument;
        *result = 0;
        if (n > 0 && (g1 == null || g2 == null)) return (int)EngineStatus.NullArgument;
        if (n > MaxPairs) return (int)EngineStatus.BadLength;
        try
        {
            EngineStatus s = Check(new ReadOnlySpan<byte>(g1, (int)n * G1Size), new ReadOnlySpan<byte>(g2, (int)n * G2Size), (int)n, out bool holds);
            if (s == EngineStatus.Ok) *result = holds ? 1 : 0;
            return (int)s;
        }
        catch (Exception e) { return Boundary.Fail(e); }
    }

    /// <summary>The work of <c>engine_pairing_check</c>, callable from C#.</summary>
    public static EngineStatus Check(ReadOnlySpan<byte> g1, ReadOnlySpan<byte> g2, int n, out bool holds)
    {
        holds = false;
        G1Affine[] ps = ArrayPool<G1Affine>.Shared.Rent(Math.Max(n, 1));
        G2Affine[] qs = ArrayPool<G2Affine>.Shared.Rent(Math.Max(n, 1));
        try
        {
            for (int i = 0; i < n; i++)
            {
                EngineStatus s = G1Affine.Decode(g1.Slice(i * G1Size, G1Size), out ps[i]);
                if (s == EngineStatus.Ok) s = G2Affine.Decode(g2.Slice(i * G2Size, G2Size), out qs[i]);
                if (s != EngineStatus.Ok) return s;
            }
            holds = n == 0 || OptimalAte.Check(ps.AsSpan(0, n), qs.AsSpan(0, n));
            return EngineStatus.Ok;
        }
        finally
        {
            ArrayPool<G1Affine>.Shared.Return(ps);
            ArrayPool<G2Affine>.Shared.Return(qs);
        }
    }

    /// <summary><c>engine_status engine_bls_public_key(uint8_t pk[48], const uint8_t sk[32])</c>: pk = [sk]G1 for 0 &lt; sk &lt; r.</summary>
    [UnmanagedCallersOnly(EntryPoint = "engine_bls_public_key", CallConvs = [typeof(CallConvCdecl)])]
    public static int PublicKey(byte* publicKey, byte* secretKey)
    {
        if (publicKey == null || secretKey == null) return (int)EngineStatus.NullArgument;
        try
        {
            EngineStatus s = SecretKey(new ReadOnlySpan<byte>(secretKey, Fr.SizeInBytes), out Fr sk);
            if (s != EngineStatus.Ok) return (int)s;
            G1Projective.Generator.Multiply(sk).ToAffine().EncodeCompressed(new Span<byte>(publicKey, G1Size));
            sk = default;
            return (int)EngineStatus.Ok;
        }
        catch (Exception e) { return Boundary.Fail(e); }
    }

    /// <summary>
    /// <c>engine_status engine_bls_sign(uint8_t sig[96], const uint8_t sk[32], const uint8_t *msg, size_t msg_len,
    /// const uint8_t *dst, size_t dst_len)</c>: sig = [sk]H(msg), H the RFC 9380 hash to G2 under dst. Constant time in sk.
    /// </summary>
    [UnmanagedCallersOnly(EntryPoint = "engine_bls_sign", CallConvs = [typeof(CallConvCdecl)])]
    public static int Sign(byte* signature, byte* secretKey, byte* message, nuint messageLength, byte* dst, nuint dstLength)
    {
        if (signature == null || secretKey == null || dst == null) return (int)EngineStatus.NullArgument;
        if (!Boundary.TrySpan(message, messageLength, out ReadOnlySpan<byte> m)) return Boundary.SpanStatus(message, messageLength);
        if (dstLength == 0 || !Boundary.TrySpan(dst, dstLength, out ReadOnlySpan<byte> d)) return (int)EngineStatus.BadLength;
        try
        {
            EngineStatus s = SecretKey(new ReadOnlySpan<byte>(secretKey, Fr.SizeInBytes), out Fr sk);
            if (s != EngineStatus.Ok) return (int)s;
            HashToGroup.HashToG2(m, d).Multiply(sk).ToAffine().EncodeCompressed(new Span<byte>(signature, G2Size));
            sk = default;
            return (int)EngineStatus.Ok;
        }
        catch (Exception e) { return Boundary.Fail(e); }
    }

    /// <summary>
    /// <c>engine_status engine_bls_verify(int *valid, const uint8_t pk[48], const uint8_t sig[96], const uint8_t *msg,
    /// size_t msg_len, const uint8_t *dst, size_t dst_len)</c>: *valid = 1 when e(−G1, sig)·e(pk, H(msg)) = 1. A key or
    /// signature that does not decode returns its status; the identity key is <c>ENGINE_IDENTITY_ELEMENT</c>.
    /// </summary>
    [UnmanagedCallersOnly(EntryPoint = "engine_bls_verify", CallConvs = [typeof(CallConvCdecl)])]
    public static int Verify(int* valid, byte* publicKey, byte* signature, byte* message, nuint messageLength, byte* dst, nuint dstLength)
    {
        if (valid == null) return (int)EngineStatus.NullArgument;
        *valid = 0;
        if (publicKey == null || signature == null || dst == null) return (int)EngineStatus.NullArgument;
        if (!Boundary.TrySpan(message, messageLength, out ReadOnlySpan<byte> m)) return Boundary.SpanStatus(message, messageLength);
        if (dstLength == 0 || !Boundary.TrySpan(dst, dstLength, out ReadOnlySpan<byte> d)) return (int)EngineStatus.BadLength;
        try
        {
            EngineStatus s = G1Affine.Decode(new ReadOnlySpan<byte>(publicKey, G1Size), out G1Affine pk);
            if (s != EngineStatus.Ok) return (int)s;
            if (pk.IsIdentity) return (int)EngineStatus.IdentityElement;
            s = G2Affine.Decode(new ReadOnlySpan<byte>(signature, G2Size), out G2Affine sig);
            if (s != EngineStatus.Ok) return (int)s;
            G2Affine h = HashToGroup.HashToG2(m, d).ToAffine();
            *valid = OptimalAte.Check([G1Affine.Generator.Negate(), pk], [sig, h]) ? 1 : 0;
            return (int)EngineStatus.Ok;
        }
        catch (Exception e) { return Boundary.Fail(e); }
    }

    private static EngineStatus SecretKey(ReadOnlySpan<byte> bytes, out Fr sk)
    {
        EngineStatus s = Fr.Decode(bytes, out sk);
        if (s == EngineStatus.Ok && sk.IsZero) { sk = default; return EngineStatus.ScalarOutOfRange; }
        return s;
    }
}
