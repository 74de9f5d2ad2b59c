using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Engine.BigInt;

/// <summary>
/// Which hardware path the kernels take. <see cref="ForceScalar"/> lets tests and benchmarks force the portable
/// fallback in-process; it is a plain property (never <c>static readonly</c>, which the JIT would fold to a
/// constant) and kernels read it once per call.
/// </summary>
public static class Kernels
{
    /// <summary>When true, every kernel takes its portable scalar path.</summary>
    public static bool ForceScalar { get; set; }

    /// <summary>When true, the 512-bit paths are skipped and 256-bit paths are used where available.</summary>
    public static bool ForceNo512 { get; set; }

    /// <summary>When true, batched exponentiation keeps the 28-bit AVX-512 lanes even where generated IFMA kernels exist.</summary>
    public static bool ForceNoIfma { get; set; }

    /// <summary>True when 512-bit lanes (AVX-512F) are in use.</summary>
    public static bool Use512 => !ForceScalar && !ForceNo512 && Avx512F.IsSupported && Vector512.IsHardwareAccelerated;

    /// <summary>True when 256-bit lanes (AVX2) are in use.</summary>
    public static bool Use256 => !ForceScalar && Avx2.IsSupported && Vector256.IsHardwareAccelerated;

    /// <summary>The active tier: "avx512", "avx2" or "scalar", for logs, the CLI and every benchmark.</summary>
    public static string Describe() => Use512 ? "avx512" : Use256 ? "avx2" : "scalar";
}
