namespace Engine.IotAuth.Storage;

/// <summary>The default <see cref="IOperationCenterStore"/>: one lock, bounded registrations, a ring of refusals.</summary>
public sealed class InMemoryOperationCenterStore(int maxDevices = 100_000, int maxRefusals = 10_000) : IOperationCenterStore
{
    private readonly object _gate = new();
    private readonly Dictionary<string, RegisteredDevice> _devices = new(StringComparer.Ordinal);
    private readonly Queue<TagRefusal> _refusals = new();

    /// <inheritdoc/>
    public RegisteredDevice? Find(string id)
    {
        lock (_gate) return _devices.GetValueOrDefault(id);
    }

    /// <inheritdoc/>
    public bool Put(RegisteredDevice device)
    {
        lock (_gate)
        {
            if (!_devices.ContainsKey(device.Id) && _devices.Count >= maxDevices) return false;
            _devices[device.Id] = device;
            return true;
        }
    }

    /// <inheritdoc/>
    public void LogRefusal(TagRefusal refusal)
    {
        lock (_gate)
        {
            if (_refusals.Count >= maxRefusals) _refusals.Dequeue();
            _refusals.Enqueue(refusal);
        }
    }

    /// <inheritdoc/>
    public IReadOnlyList<TagRefusal> Refusals()
    {
        lock (_gate) return _refusals.ToArray();
    }
}
