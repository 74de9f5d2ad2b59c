using System.CommandLine;
using System.CommandLine.Help;
using Engine.Cli.Commands;

namespace Engine.Cli;

/// <summary>Entry point of the <c>engine</c> command.</summary>
public static class Program
{
    /// <summary>Builds the command tree and runs it.</summary>
    public static int Main(string[] args) => BuildRoot(Console.In, Console.Out).Parse(args).Invoke();

    /// <summary>The command tree, reading from <paramref name="input"/> and writing to <paramref name="output"/>
    /// (tests pass string readers and writers).</summary>
    public static Command BuildRoot(TextReader input, TextWriter output)
    {
        // A plain command named "engine" rather than a RootCommand, whose name is the file it was started from
        // (Engine.Cli, or the dll's name under a .NET tool shim).
        var root = new Command("engine", "engine: a high-performance privacy engine (big integers, pairings, four privacy protocols).");
        root.Options.Add(new HelpOption());
        var version = new Option<bool>("--version") { Description = "Print the engine version and the active kernels." };
        root.Options.Add(version);
        root.SetAction(result =>
        {
            if (!result.GetValue(version))
            {
                new HelpAction().Invoke(result);
                return 0;
            }
            InfoCommand.WriteVersion(output);
            return 0;
        });
        root.Subcommands.Add(DemoCommand.Create(output));
        root.Subcommands.Add(MathCommands.Create(input, output));
        root.Subcommands.Add(PairingCommands.Create(input, output));
        root.Subcommands.Add(InfoCommand.Create(output));
        root.Subcommands.Add(SimulateCommand.Create(output));
        root.Subcommands.Add(ServeCommand.Create(output));
        root.Subcommands.Add(OnionCommand.Create(output));
        root.Subcommands.Add(TwoServerCommand.Create(output));
        root.Subcommands.Add(Commands.Iot.IotCommand.Create(input, output));
        root.Subcommands.Add(Commands.Abe.AbeCommand.Create(output));
        return root;
    }
}
