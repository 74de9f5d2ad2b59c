using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Engine.BigInt.Native;

namespace Engine.Interop.Exports;

/// <summary>The library's identity: ABI version, the CPU features it uses, status names (engine.h, "The library").</summary>
public static unsafe class AbiExports
{
    /// <summary>The ABI version this library implements: engine.h's <c>ENGINE_ABI_VERSION</c>. Bumped on any incompatible change.</summary>
    public const uint AbiVersion = 1;

    /// <summary>Capability bits (engine.h <c>ENGINE_CAP_*</c>).</summary>
    [Flags]
    public enum Capabilities : ulong
    {
        /// <summary>256-bit vector lanes are in use (AVX2).</summary>
        Avx2 = 1,
        /// <summary>512-bit vector lanes are in use (AVX-512F).</summary>
        Avx512F = 2,
        /// <summary>The CPU has BMI2 (mulx).</summary>
        Bmi2 = 4,
        /// <summary>The CPU has ADX (adcx/adox).</summary>
        Adx = 8,
        /// <summary>The CPU has AVX-512 IFMA.</summary>
        Avx512Ifma = 16,
        /// <summary>Generated x64 kernels are allowed (ENGINE_NATIVE is not 0).</summary>
        GeneratedKernels = 32,
    }

    /// <summary><c>uint32_t engine_abi_version(void)</c>.</summary>
    [UnmanagedCallersOnly(EntryPoint = "engine_abi_version", CallConvs = [typeof(CallConvCdecl)])]
    public static uint Version() => AbiVersion;

    /// <summary><c>uint64_t engine_capabilities(void)</c>: what this process uses, as <see cref="Capabilities"/> bits.</summary>
    [UnmanagedCallersOnly(EntryPoint = "engine_capabilities", CallConvs = [typeof(CallConvCdecl)])]
    public static ulong CapabilityBits() => (ulong)Current();

    /// <summary>The capabilities of this process.</summary>
    public static Capabilities Current()
    {
        Capabilities c = 0;
        if (Avx2.IsSupported && Vector256.IsHardwareAccelerated) c |= Capabilities.Avx2;
        if (Avx512F.IsSupported && Vector512.IsHardwareAccelerated) c |= Capabilities.Avx512F;
        if (CpuFeatures.Bmi2) c |= Capabilities.Bmi2;
        if (CpuFeatures.Adx) c |= Capabilities.Adx;
        if (CpuFeatures.Avx512Ifma) c |= Capabilities.Avx512Ifma;
        if (NativeKernels.Allowed) c |= Capabilities.GeneratedKernels;
        return c;
    }

    /// <summary>
    /// <c>const char *engine_status_name(engine_status status)</c>: a static NUL-terminated name ("ok",
    /// "not_in_subgroup", …; "unknown" for a value the library does not define). The caller must not free it.
    /// </summary>
    [UnmanagedCallersOnly(EntryPoint = "engine_status_name", CallConvs = [typeof(CallConvCdecl)])]
    public static byte* StatusName(int status) => StatusNames.Get(status);
}

/// <summary>The status names, allocated once in native memory for the life of the process.</summary>
internal static unsafe class StatusNames
{
    private static readonly Dictionary<int, nint> Names = Build();

    public static byte* Get(int status) => (byte*)(Names.TryGetValue(status, out nint p) ? p : Names[-1]);

    private static Dictionary<int, nint> Build()
    {
        var names = new Dictionary<int, nint> { [-1] = Marshal.StringToCoTaskMemUTF8("unknown") };
        foreach (EngineStatus s in Enum.GetValues<EngineStatus>())
            names[(int)s] = Marshal.StringToCoTaskMemUTF8(SnakeCase(s.ToString()));
        return names;
    }

    // "NotInSubgroup" -> "not_in_subgroup"
    internal static string SnakeCase(string name)
    {
        var text = new System.Text.StringBuilder(name.Length + 8);
        for (int i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0) text.Append('_');
            text.Append(char.ToLowerInvariant(name[i]));
        }
        return text.ToString();
    }
}
