using Engine.Interop.Reference;
using NUnit.Framework;

namespace Engine.Tests.Support;

/// <summary>
/// npm packages for the tests that check the engine against JavaScript implementations (@noble/curves), installed on
/// first use into ENGINE_TEST_CACHE (default ~/.cache/engine-tests). A machine without node or npm, or whose npm
/// cannot reach the registry, skips those tests with the reason.
/// </summary>
internal static class NodePackages
{
    private const string PackageJson = """
        { "name": "engine-tests-noble", "private": true, "type": "module", "dependencies": { "@noble/curves": "2.4.0", "@noble/hashes": "2.4.0" } }
        """;

    public static string Folder => Path.Combine(Environment.GetEnvironmentVariable("ENGINE_TEST_CACHE")
                                                ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "engine-tests"), "noble");

    /// <summary>Installs the packages if missing, or marks the test ignored with the reason.</summary>
    public static void EnsureNoble()
    {
        string folder = Folder;
        Directory.CreateDirectory(folder);
        if (Directory.Exists(Path.Combine(folder, "node_modules", "@noble", "curves")) && Directory.Exists(Path.Combine(folder, "node_modules", "@noble", "hashes"))) return;
        File.WriteAllText(Path.Combine(folder, "package.json"), PackageJson);
        (int code, string stdout, string stderr) = ExternalProcess.Run("npm", "install --no-audit --no-fund --loglevel=error", folder, TimeSpan.FromMinutes(5));
        if (code != 0) Assert.Ignore($"@noble/curves could not be installed (npm exit {code}): {stderr.Trim()} {stdout.Trim()} — install nodejs and npm (Debian) to run this test");
    }

    /// <summary>Runs a script from the test output folder with node in the packages folder; its stdout.</summary>
    public static string RunScript(string script, string arguments)
    {
        string path = Path.Combine(Folder, Path.GetFileName(script));
        File.Copy(Path.Combine(AppContext.BaseDirectory, script), path, overwrite: true);
        (int code, string stdout, string stderr) = ExternalProcess.Run("node", $"\"{path}\" {arguments}", Folder, TimeSpan.FromMinutes(5));
        if (code != 0) Assert.Fail($"node {script} failed (exit {code}): {stderr}");
        return stdout;
    }
}
