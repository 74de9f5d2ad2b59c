using System.CommandLine;
using Engine.Hosting.Framing;

namespace Engine.Cli.Commands;

/// <summary>
/// The connection limits every <c>engine serve …</c> command takes (issue #15): <c>--max-connections</c>,
/// <c>--max-per-address</c> and <c>--idle-timeout</c>; the other limits keep <see cref="ConnectionLimits"/>'
/// defaults. Refusals are printed with the server's other counters when it stops.
/// </summary>
internal sealed class ConnectionLimitOptions
{
    private readonly ConnectionLimits _defaults;
    private readonly Option<int> _max, _perAddress;
    private readonly Option<double> _idle;

    /// <summary>The three options for one command, with <paramref name="defaults"/> (the role's) as their defaults.</summary>
    public ConnectionLimitOptions(Command command, ConnectionLimits? defaults = null)
    {
        _defaults = defaults ?? ConnectionLimits.Default;
        _max = new Option<int>("--max-connections") { Description = "Connections open at once; one more is closed at once.", DefaultValueFactory = _ => _defaults.MaxConnections };
        _perAddress = new Option<int>("--max-per-address") { Description = "Connections open at once from one remote address.", DefaultValueFactory = _ => _defaults.MaxConnectionsPerAddress };
        _idle = new Option<double>("--idle-timeout") { Description = "Seconds a connection may stay silent between frames.", DefaultValueFactory = _ => _defaults.IdleTimeout.TotalSeconds };
        command.Options.Add(_max);
        command.Options.Add(_perAddress);
        command.Options.Add(_idle);
    }

    /// <summary>The limits given on the command line; false (with the error printed) for a value that is not positive.</summary>
    public bool TryRead(ParseResult result, TextWriter output, out ConnectionLimits limits)
    {
        double idle = result.GetValue(_idle);
        limits = _defaults with
        {
            MaxConnections = result.GetValue(_max),
            MaxConnectionsPerAddress = result.GetValue(_perAddress),
            IdleTimeout = idle > 0 && idle <= 86_400 * 365 ? TimeSpan.FromSeconds(idle) : TimeSpan.Zero,
        };
        if (limits.IdleTimeout <= TimeSpan.Zero) { output.WriteLine("error: --idle-timeout is a positive number of seconds (at most a year)"); return false; }
        if (limits.MaxConnections < 1 || limits.MaxConnectionsPerAddress < 1) { output.WriteLine("error: --max-connections and --max-per-address are at least 1"); return false; }
        return true;
    }
}
