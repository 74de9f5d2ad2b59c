using BenchmarkDotNet.Running;
using Engine.Bench.Compare;

namespace Engine.Bench;

/// <summary>
/// <c>dotnet run -c Release --project bench -- compare modexp</c> runs the quick side-by-side comparison;
/// anything else goes to BenchmarkDotNet (for example <c>-- --filter '*ModExp*'</c>).
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "compare")
            return CompareRunner.Run(args.Skip(1).ToArray(), Console.Out);
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
