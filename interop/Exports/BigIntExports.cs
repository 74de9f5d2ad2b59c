using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Engine.BigInt;

namespace Engine.Interop.Exports;

/// <summary>
/// Modular exponentiation on caller buffers (engine.h, "Big integers"): a modulus is prepared once into an opaque
/// <c>engine_modulus</c> handle (its Montgomery constants), then used from any number of threads.
/// </summary>
public static unsafe class BigIntExports
{
    /// <summary><c>engine_status engine_modulus_create(engine_modulus **out, const uint8_t *modulus, size_t modulus_len)</c>.</summary>
    [UnmanagedCallersOnly(EntryPoint = "engine_modulus_create", CallConvs = [typeof(CallConvCdecl)])]
    public static int ModulusCreate(nint* output, byte* modulus, nuint modulusLength)
    {
        if (output == null || modulus == null) return (int)EngineStatus.NullArgument;
        *output = 0;
        if (modulusLength == 0 || modulusLength > MontgomeryContext.MaxBits / 8 + 1) return (int)EngineStatus.BadLength;
        try
        {
            var m = new ReadOnlySpan<byte>(modulus, (int)modulusLength);
            if ((m[^1] & 1) == 0) return (int)EngineStatus.NotCanonical;           // even (or zero): no Montgomery form
            var limbs = new ulong[BigEndian.LimbsForBytes(m.Length)];
            BigEndian.TryToLimbs(m, limbs);
            if (Limbs.BitLengthVarTime(limbs) > MontgomeryContext.MaxBits) return (int)EngineStatus.BadLength;
            if (Limbs.CompareVarTime(limbs, [1UL]) <= 0) return (int)EngineStatus.NotCanonical;
            *output = Handles.Create(MontgomeryContext.FromBigEndian(m));
            return (int)EngineStatus.Ok;
        }
        catch (Exception e) { return Boundary.Fail(e); }
    }

    /// <summary><c>void engine_modulus_destroy(engine_modulus *modulus)</c>: NULL is ignored.</summary>
    [UnmanagedCallersOnly(EntryPoint = "engine_modulus_destroy", CallConvs = [typeof(CallConvCdecl)])]
    public static void ModulusDestroy(nint handle) => Handles.Free(handle);

    /// <summary><c>size_t engine_modulus_size(const engine_modulus *modulus)</c>: the byte length of every result (0 for NULL).</summary>
    [UnmanagedCallersOnly(EntryPoint = "engine_modulus_size", CallConvs = [typeof(CallConvCdecl)])]
    public static nuint ModulusSize(nint handle) => Handles.Get<MontgomeryContext>(handle) is { } ctx ? (nuint)ctx.ByteLength : 0;

    /// <summary>
    /// <c>engine_status engine_modexp(const engine_modulus *modulus, uint8_t *out, size_t out_len, const uint8_t *base,
    /// size_t base_len, const uint8_t *exponent, size_t exponent_len, int constant_time)</c>: out = base^exponent mod m,
    /// <c>engine_modulus_size</c> bytes.
    /// </summary>
    [UnmanagedCallersOnly(EntryPoint = "engine_modexp", CallConvs = [typeof(CallConvCdecl)])]
    public static int Pow(nint handle, byte* output, nuint outputLength, byte* @base, nuint baseLength, byte* exponent, nuint exponentLength, int constantTime)
    {
        if (Handles.Get<MontgomeryContext>(handle) is not { } ctx || output == null) return (int)EngineStatus.NullArgument;
        if (!Boundary.TrySpan(@base, baseLength, out ReadOnlySpan<byte> b)) return Boundary.SpanStatus(@base, baseLength);
        if (!Boundary.TrySpan(exponent, exponentLength, out ReadOnlySpan<byte> e)) return Boundary.SpanStatus(exponent, exponentLength);
        if (outputLength < (nuint)ctx.ByteLength) return (int)EngineStatus.DestinationTooSmall;
        try
        {
            var destination = new Span<byte>(output, ctx.ByteLength);
            if (constantTime != 0) ModExp.Pow(ctx, b, e, destination);
            else ModExp.PowVarTime(ctx, b, e, destination);
            return (int)EngineStatus.Ok;
        }
        catch (Exception x) { return Boundary.Fail(x); }
    }

    /// <summary>
    /// <c>engine_status engine_modexp_batch(const engine_modulus *modulus, uint8_t *out, size_t out_len, const uint8_t
    /// *bases, const uint8_t *exponents, size_t exponent_len, size_t count, int constant_time)</c>: out[k] =
    /// bases[k]^exponents[k] mod m for k &lt; count, computed in vector lanes. Each base is
    /// <c>engine_modulus_size</c> bytes and &lt; m; each exponent is exponent_len bytes.
    /// </summary>
    [UnmanagedCallersOnly(EntryPoint = "engine_modexp_batch", CallConvs = [typeof(CallConvCdecl)])]
    public static int PowBatch(nint handle, byte* output, nuint outputLength, byte* bases, byte* exponents, nuint exponentLength, nuint count, int constantTime)
    {
        if (Handles.Get<MontgomeryContext>(handle) is not { } ctx) return (int)EngineStatus.NullArgument;
        if (count == 0) return (int)EngineStatus.Ok;
        if (output == null || bases == null || (exponents == null && exponentLength != 0)) return (int)EngineStatus.NullArgument;
        int size = ctx.ByteLength, n = ctx.LimbCount;
        if (count > (nuint)(int.MaxValue / 8 / Math.Max(n, 1)) || exponentLength > int.MaxValue / 8 / count) return (int)EngineStatus.BadLength;
        if (outputLength / (nuint)size < count) return (int)EngineStatus.DestinationTooSmall;
        int items = (int)count, exponentBytes = (int)exponentLength, exponentLimbs = Math.Max(1, BigEndian.LimbsForBytes(exponentBytes));
        ulong[] baseLimbs = ArrayPool<ulong>.Shared.Rent(items * n), exponentWords = ArrayPool<ulong>.Shared.Rent(items * exponentLimbs),
                results = ArrayPool<ulong>.Shared.Rent(items * n);
        try
        {
            var input = new ReadOnlySpan<byte>(bases, items * size);
            var exps = new ReadOnlySpan<byte>(exponents, items * exponentBytes);
            for (int k = 0; k < items; k++)
            {
                Span<ulong> limbs = baseLimbs.AsSpan(k * n, n);
                BigEndian.TryToLimbs(input.Slice(k * size, size), limbs);
                if (Limbs.LessThanMask(limbs, ctx.Modulus) == 0) return (int)EngineStatus.NotCanonical;
                BigEndian.TryToLimbs(exps.Slice(k * exponentBytes, exponentBytes), exponentWords.AsSpan(k * exponentLimbs, exponentLimbs));
            }
            Span<ulong> r = results.AsSpan(0, items * n);
            if (constantTime != 0) BatchModExp.Pow(ctx, baseLimbs.AsSpan(0, items * n), exponentWords.AsSpan(0, items * exponentLimbs), exponentLimbs, Math.Max(8, exponentBytes * 8), r);
            else BatchModExp.PowVarTime(ctx, baseLimbs.AsSpan(0, items * n), exponentWords.AsSpan(0, items * exponentLimbs), exponentLimbs, r);
            var destination = new Span<byte>(output, items * size);
            for (int k = 0; k < items; k++) BigEndian.TryFromLimbs(r.Slice(k * n, n), destination.Slice(k * size, size));
            return (int)EngineStatus.Ok;
        }
        catch (Exception x) { return Boundary.Fail(x); }
        finally
        {
            // Exponents may be secret, bases and results may be too: wiped before the pool has them back.
            baseLimbs.AsSpan(0, items * n).Clear(); exponentWords.AsSpan(0, items * exponentLimbs).Clear(); results.AsSpan(0, items * n).Clear();
            ArrayPool<ulong>.Shared.Return(baseLimbs); ArrayPool<ulong>.Shared.Return(exponentWords); ArrayPool<ulong>.Shared.Return(results);
        }
    }
}
