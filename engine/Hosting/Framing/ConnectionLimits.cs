namespace Engine.Hosting.Framing;

/// <summary>
/// The limits every reference server puts on its connections (issue #15: hostile clients). The defaults are meant
/// for a server on the internet; a loopback simulation with many users on one address raises the per-address cap.
/// </summary>
public sealed record ConnectionLimits
{
    /// <summary>The defaults.</summary>
    public static ConnectionLimits Default { get; } = new();

    /// <summary>Connections open at once; one more is closed as soon as it is accepted.</summary>
    public int MaxConnections { get; init; } = 1024;

    /// <summary>Connections open at once from one remote address.</summary>
    public int MaxConnectionsPerAddress { get; init; } = 64;

    /// <summary>How long a connection may stay silent between frames before it is closed.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>From a frame's first byte to its 5-byte header complete.</summary>
    public TimeSpan HeaderTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>From a frame's first byte to its last (a frame sent a byte at a time is cut off here).</summary>
    public TimeSpan FrameTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long one write may wait for the peer to read before the peer is dropped.</summary>
    public TimeSpan WriteTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Bytes of frames queued for one peer that is not reading them yet; the frame that would go beyond is not
    /// queued and the peer is dropped (a slow reader never holds up the sender).
    /// </summary>
    public int SendQueueBytes { get; init; } = 8 << 20;

    /// <summary>The same limits with the per-address cap lifted to the total (a loopback deployment: every user is 127.0.0.1).</summary>
    public ConnectionLimits ForOneAddress() => this with { MaxConnectionsPerAddress = MaxConnections };

    /// <summary>The simulations' limits: every simulated user on 127.0.0.1, up to 65,536 connections; the timeouts as by default.</summary>
    public static ConnectionLimits LoopbackSimulation { get; } = new ConnectionLimits { MaxConnections = 1 << 16 }.ForOneAddress();

    /// <summary>Throws when a limit is not positive.</summary>
    public void Validate()
    {
        if (MaxConnections < 1 || MaxConnectionsPerAddress < 1) throw new ArgumentOutOfRangeException(nameof(MaxConnections), "Connection caps are at least 1.");
        if (SendQueueBytes < 1) throw new ArgumentOutOfRangeException(nameof(SendQueueBytes), "The send queue holds at least one byte.");
        foreach (TimeSpan t in new[] { IdleTimeout, HeaderTimeout, FrameTimeout, WriteTimeout })
            if (t <= TimeSpan.Zero && t != Timeout.InfiniteTimeSpan) throw new ArgumentOutOfRangeException(nameof(IdleTimeout), "A timeout is positive or infinite.");
    }
}
