using System.CommandLine;
using Engine.Primitives.Groups;

namespace Engine.Cli.Commands;

/// <summary>
/// <c>engine two-server keygen --key FILE</c>: a server signing key (owner-only FILE) and its public key in FILE.pub;
/// and the user's commands (<see cref="TwoServerUserCommands"/>).
/// </summary>
internal static class TwoServerCommand
{
    public static Command Create(TextWriter output)
    {
        var command = new Command("two-server", "Protocol 2: a server key (keygen), and a user by hand against running servers (register, join, send, fetch).");
        var key = new Option<string>("--key") { Description = "Where to write the secret key (its public key goes to FILE.pub).", Required = true };
        var keygen = new Command("keygen", "Create a server signing key for 'engine serve two-server' (BLS12-381 G1 Schnorr).");
        keygen.Options.Add(key);
        keygen.SetAction(r =>
        {
            string path = r.GetValue(key)!;
            if (File.Exists(path)) { output.WriteLine($"error: '{path}' exists; not overwriting a key"); return 1; }
            using var created = ServeTwoServerCommand.LoadOrCreateKey(path, PrimeOrderGroups.Bls12381G1, output);
            if (created is null) return 1;
            output.WriteLine($"public key written to {path}.pub");
            return 0;
        });
        command.Subcommands.Add(keygen);
        TwoServerUserCommands.AddTo(command, output);
        return command;
    }
}
