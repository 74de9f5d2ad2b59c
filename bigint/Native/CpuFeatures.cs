using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace Engine.BigInt.Native;

/// <summary>
/// The x64 features the generated kernels use, read with CPUID (leaf 7, sub-leaf 0): ADX (EBX bit 19, adcx/adox),
/// BMI2 (EBX bit 8, mulx), AVX512F (EBX bit 16) and AVX512IFMA (EBX bit 21). .NET exposes no ADX or IFMA
/// intrinsics, so these are what decides whether code can be generated.
/// </summary>
public static class CpuFeatures
{
    static CpuFeatures()
    {
        if (RuntimeInformation.ProcessArchitecture != Architecture.X64 || !X86Base.IsSupported) return;
        (int _, int ebx, int _, int _) = X86Base.CpuId(7, 0);
        Adx = (ebx & (1 << 19)) != 0;
        Bmi2 = (ebx & (1 << 8)) != 0 && System.Runtime.Intrinsics.X86.Bmi2.X64.IsSupported;
        Avx512F = (ebx & (1 << 16)) != 0;
        Avx512Ifma = (ebx & (1 << 21)) != 0;
    }

    /// <summary>adcx/adox.</summary>
    public static bool Adx { get; }

    /// <summary>mulx (and the runtime agrees it may be used).</summary>
    public static bool Bmi2 { get; }

    /// <summary>AVX-512 Foundation as CPUID reports it (the runtime may still switch it off).</summary>
    public static bool Avx512F { get; }

    /// <summary>vpmadd52luq/vpmadd52huq.</summary>
    public static bool Avx512Ifma { get; }

    /// <summary>For logs: "adx bmi2 avx512f avx512ifma", the ones present.</summary>
    public static string Describe()
    {
        var names = new List<string>();
        if (Adx) names.Add("adx");
        if (Bmi2) names.Add("bmi2");
        if (Avx512F) names.Add("avx512f");
        if (Avx512Ifma) names.Add("avx512ifma");
        return names.Count == 0 ? "none" : string.Join(' ', names);
    }
}
