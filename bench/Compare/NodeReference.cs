using Engine.Interop.Reference;

namespace Engine.Bench.Compare;

/// <summary>
/// The JavaScript reference implementations for <c>compare pairing</c>: @chainsafe/blst (blst's native code
/// through N-API) and @noble/curves, installed with npm into a scratch folder on first use.
/// </summary>
internal static class NodeReference
{
    /// <summary>Pinned versions, so that reruns compare against the same code.</summary>
    private const string PackageJson = """
        {
          "name": "engine-bench-pairing-reference",
          "private": true,
          "type": "module",
          "dependencies": { "@chainsafe/blst": "2.2.0", "@noble/curves": "2.4.0" }
        }
        """;

    /// <summary>ENGINE_BENCH_CACHE, else ~/.cache/engine-bench, plus "pairing-reference".</summary>
    public static string Folder
    {
        get
        {
            string root = Environment.GetEnvironmentVariable("ENGINE_BENCH_CACHE")
                          ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "engine-bench");
            return Path.Combine(root, "pairing-reference");
        }
    }

    /// <summary>Installs the packages if absent; returns false (with the reason) when node or npm is missing or fails.</summary>
    public static bool EnsureInstalled(TextWriter log, out string reason)
    {
        reason = "";
        string folder = Folder;
        Directory.CreateDirectory(folder);
        File.Copy(Path.Combine(AppContext.BaseDirectory, "Pairing", "reference.mjs"), Path.Combine(folder, "reference.mjs"), overwrite: true);
        bool present = Directory.Exists(Path.Combine(folder, "node_modules", "@chainsafe", "blst"))
                       && Directory.Exists(Path.Combine(folder, "node_modules", "@noble", "curves"));
        if (present) return true;
        File.WriteAllText(Path.Combine(folder, "package.json"), PackageJson);
        log.WriteLine($"installing @chainsafe/blst 2.2.0 and @noble/curves 2.4.0 into {folder} …");
        (int code, string stdout, string stderr) = ExternalProcess.Run("npm", "install --no-audit --no-fund --loglevel=error", folder, TimeSpan.FromMinutes(5));
        if (code != 0)
        {
            reason = $"npm install failed (exit {code}): {stderr.Trim()} {stdout.Trim()}";
            return false;
        }
        return true;
    }

    /// <summary>Runs reference.mjs on the inputs file; returns its JSON output.</summary>
    public static string Measure(string inputsPath, int rounds, int roundMs)
    {
        (int code, string stdout, string stderr) = ExternalProcess.Run("node", $"reference.mjs \"{inputsPath}\" {rounds} {roundMs}", Folder, TimeSpan.FromMinutes(20));
        if (code != 0) throw new InvalidOperationException($"node reference.mjs failed (exit {code}): {stderr}");
        return stdout;
    }
}
