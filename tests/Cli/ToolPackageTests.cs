using Engine.Interop.Reference;
using NUnit.Framework;

namespace Engine.Tests.Cli;

/// <summary>
/// The CLI packs as a .NET tool whose command is <c>engine</c>: packed from the build the tests run on, installed into
/// a temporary tool path (not the user's global tools), and run.
/// </summary>
[TestFixture, Category("EndToEnd"), NonParallelizable]
public sealed class ToolPackageTests
{
    [Test]
    public void PackedTool_InstallsAsEngine_AndPrintsTheVersionAndKernels()
    {
        string root = RepositoryRoot();
        string work = Directory.CreateTempSubdirectory("engine-tool-").FullName;
        try
        {
            string packages = Path.Combine(work, "packages"), tools = Path.Combine(work, "tools");
            (int code, string stdout, string stderr) = ExternalProcess.Run("dotnet", $"pack \"{Path.Combine(root, "engine", "Cli", "Engine.Cli.csproj")}\" -c Release --no-build -o \"{packages}\"", root, TimeSpan.FromMinutes(3));
            Assert.That(code, Is.Zero, $"dotnet pack: {stdout}\n{stderr}");
            Assert.That(Directory.GetFiles(packages, "Engine.Cli.*.nupkg"), Has.Length.EqualTo(1));

            (code, stdout, stderr) = ExternalProcess.Run("dotnet", $"tool install --tool-path \"{tools}\" --add-source \"{packages}\" Engine.Cli", work, TimeSpan.FromMinutes(3));
            Assert.That(code, Is.Zero, $"dotnet tool install: {stdout}\n{stderr}");
            string engine = Path.Combine(tools, "engine");
            Assert.That(File.Exists(engine), Is.True, "the tool's command is 'engine'");

            (code, stdout, stderr) = ExternalProcess.Run(engine, "--version", work, TimeSpan.FromMinutes(1));
            Assert.That(code, Is.Zero, stderr);
            string version = typeof(Engine.Cli.Program).Assembly.GetName().Version!.ToString(3);
            Assert.That(stdout, Does.StartWith($"engine {version}"));
            Assert.That(stdout, Does.Contain("kernel tier: "));

            (code, stdout, _) = ExternalProcess.Run(engine, "--help", work, TimeSpan.FromMinutes(1));
            Assert.That(code, Is.Zero);
            Assert.That(stdout, Does.Contain("Usage:\n  engine [command] [options]"));
            Assert.That(stdout, Does.Not.Contain("Engine.Cli"));
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static string RepositoryRoot()
    {
        for (DirectoryInfo? d = new(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Engine.sln"))) return d.FullName;
        Assert.Ignore("not run from a checkout (no Engine.sln above the test binaries)");
        return "";
    }
}
