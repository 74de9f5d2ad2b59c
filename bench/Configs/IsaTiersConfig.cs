using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;

namespace Engine.Bench.Configs;

/// <summary>One job per ISA tier from the same binary, switched by the runtime's own knobs (STYLE.md B9).</summary>
public sealed class IsaTiersConfig : ManualConfig
{
    public IsaTiersConfig()
    {
        AddJob(Job.Default.WithId("AsFound"));
        AddJob(Job.Default.WithId("NoAvx512").WithEnvironmentVariable("DOTNET_EnableAVX512", "0")
                                             .WithEnvironmentVariable("DOTNET_EnableAVX512F", "0"));
        AddJob(Job.Default.WithId("Scalar").WithEnvironmentVariable("DOTNET_EnableHWIntrinsic", "0"));
        AddDiagnoser(MemoryDiagnoser.Default);
        HideColumns(Column.EnvironmentVariables, Column.RatioSD, Column.Error);
    }
}
