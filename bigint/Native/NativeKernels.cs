namespace Engine.BigInt.Native;

/// <summary>
/// Whether generated x64 kernels may be used in this process: on unless ENGINE_NATIVE=0 (read once at start-up, so
/// the JIT can fold the choice) and the CPU has what a kernel needs. Each kernel family registers what it did, for
/// <c>engine info</c> and the benchmark headers.
/// </summary>
public static class NativeKernels
{
    private static readonly List<string> Log = [];

    /// <summary>False when ENGINE_NATIVE=0 forces the managed code.</summary>
    public static bool Allowed { get; } = Environment.GetEnvironmentVariable("ENGINE_NATIVE") is not ("0" or "false" or "off");

    /// <summary>Records what a kernel family did ("bls12-381 fp: mulx+adx generated" or why not).</summary>
    internal static void Report(string line)
    {
        lock (Log) Log.Add(line);
    }

    /// <summary>The lines reported so far, for <c>engine info</c>.</summary>
    public static IReadOnlyList<string> Describe()
    {
        lock (Log) return Log.Count == 0 ? [Allowed ? "no kernel generated yet (they are generated on first use)" : "off (ENGINE_NATIVE=0)"] : Log.ToArray();
    }
}
