namespace Engine.Simulations;

/// <summary>What reports say about the machine they measured on.</summary>
internal static class MachineInfo
{
    /// <summary>The CPU model from /proc/cpuinfo, or "unknown CPU".</summary>
    public static string CpuModel()
    {
        try { return File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown CPU"; }
        catch (IOException) { return "unknown CPU"; }
    }
}
