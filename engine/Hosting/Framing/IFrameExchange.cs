namespace Engine.Hosting.Framing;

/// <summary>
/// A request–response exchange of frames with one server: a TCP <see cref="FrameConnection"/>, or a client role's
/// connection whose frames the host carries (<c>Roles.Clients.BridgedConnection</c>). The clients written against it
/// (the KGC client, the onion sender) run over either.
/// </summary>
public interface IFrameExchange : IAsyncDisposable
{
    /// <summary>Sends a frame and returns the answer; one call at a time.</summary>
    /// <exception cref="IOException">The server cannot be reached (a closed connection, a host that abandoned the frame).</exception>
    Task<(byte Type, byte[] Payload)> RequestAsync(byte type, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default);
}
