namespace Engine.Cluster.TwoServer;

/// <summary>
/// What one silo carried (a singleton per silo): the group grains active on it and activated on it, the uploads it
/// stored, and the bytes of closed rounds and dials it served to frontends. <c>engine simulate two-server --mode
/// cluster</c> reports them per silo, and the cluster tests use them to prove that groups spread over the silos.
/// </summary>
public sealed class SiloLoad
{
    private long _groupsActive, _groupActivations, _uploads, _bytesServed, _roundsServed;

    /// <summary>Group grains active on this silo now.</summary>
    public long GroupsActive => Interlocked.Read(ref _groupsActive);

    /// <summary>Group grains activated on this silo since it started.</summary>
    public long GroupActivations => Interlocked.Read(ref _groupActivations);

    /// <summary>Uploads this silo stored.</summary>
    public long Uploads => Interlocked.Read(ref _uploads);

    /// <summary>Bytes of closed rounds' uploads and of dials this silo sent to frontends.</summary>
    public long BytesServed => Interlocked.Read(ref _bytesServed);

    /// <summary>Closed rounds (per group) this silo read from the store and served.</summary>
    public long RoundsServed => Interlocked.Read(ref _roundsServed);

    internal void GroupActivated()
    {
        Interlocked.Increment(ref _groupsActive);
        Interlocked.Increment(ref _groupActivations);
    }

    internal void GroupDeactivated() => Interlocked.Decrement(ref _groupsActive);

    internal void UploadStored() => Interlocked.Increment(ref _uploads);

    internal void Served(long bytes) => Interlocked.Add(ref _bytesServed, bytes);

    internal void RoundRead() => Interlocked.Increment(ref _roundsServed);
}
