using System.CommandLine;
using Engine.Cli.Commands;

namespace Engine.Cli;

/// <summary>Entry point of the <c>engine</c> command.</summary>
public static class Program
{
    /// <summary>Builds the command tree and runs it.</summary>
    public static int Main(string[] args) => BuildRoot(Console.In, Console.Out).Parse(args).Invoke();

    /// <summary>The command tree, reading from <paramref name="input"/> and writing to <paramref name="output"/>
    /// (tests pass string readers and writers).</summary>
    public static RootCommand BuildRoot(TextReader input, TextWriter output)
    {
        var root = new RootCommand("engine: a high-performance privacy engine (big integers, pairings, four privacy protocols).");
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
