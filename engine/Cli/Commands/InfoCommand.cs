using System.CommandLine;
using System.Runtime.Intrinsics.X86;
using Engine.BigInt;

namespace Engine.Cli.Commands;

/// <summary><c>engine info</c>: the active kernel tier, the CPU features the engine can use, and the named groups.</summary>
internal static class InfoCommand
{
    public static Command Create(TextWriter output)
    {
        var command = new Command("info", "Print the active SIMD tier, CPU features and the named Schnorr groups.");
        command.SetAction(_ =>
        {
            WriteVersion(output);
            output.WriteLine($"cpu: avx512f={Avx512F.IsSupported} avx512bw={Avx512BW.IsSupported} avx512vbmi={Avx512Vbmi.IsSupported} " +
                             $"avx2={Avx2.IsSupported} bmi2={Bmi2.X64.IsSupported}; cpuid: {Engine.BigInt.Native.CpuFeatures.Describe()}");
            foreach (SchnorrGroup g in SchnorrGroups.All)
                output.WriteLine($"group {g}: seed index {g.SeedIndex} of \"{g.SeedLabel}\", counter {g.Counter}");
            return 0;
        });
        return command;
    }

    /// <summary>The first lines of <c>engine info</c>, and all of <c>engine --version</c>: the version, the SIMD tier, the generated kernels.</summary>
    public static void WriteVersion(TextWriter output)
    {
        string version = typeof(InfoCommand).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            .OfType<System.Reflection.AssemblyInformationalVersionAttribute>().FirstOrDefault()?.InformationalVersion ?? "unknown";
        output.WriteLine($"engine {version} on .NET {Environment.Version}, {Environment.ProcessorCount} cores");
        output.WriteLine($"kernel tier: {Kernels.Describe()}");
        // Touch the kernels so they are generated (or say why not) before they are listed.
        GC.KeepAlive(Engine.Pairing.Fields.Fp.One * Engine.Pairing.Fields.Fp.One);
        MontgomeryContext p2048 = SchnorrGroups.Modp2048Q256.P;
        bool ifma = BatchModExp.IfmaKernel(p2048) != 0;                          // the 2048-bit single and lane kernels
        foreach (string line in Engine.BigInt.Native.NativeKernels.Describe()) output.WriteLine($"generated kernels: {line}");
        output.WriteLine($"batched 2048-bit modexp: {(ifma ? "8 IFMA lanes (generated, 52-bit digits)" : p2048.UsesNativeKernel && BatchModExp.LaneCountFor(p2048) == 1 ? "one item at a time through the generated mulx kernel" : $"{BatchModExp.LaneCountFor(p2048)} managed lane(s)")}");
    }
}
