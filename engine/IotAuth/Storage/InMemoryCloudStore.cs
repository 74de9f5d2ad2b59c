namespace Engine.IotAuth.Storage;

/// <summary>The default <see cref="ICloudStore"/>: dictionaries under one lock, bounded in devices and in votes per device.</summary>
public sealed class InMemoryCloudStore(int maxDevices = 100_000, int maxVotesPerDevice = 256) : ICloudStore
{
    private readonly object _gate = new();
    private readonly Dictionary<string, DeviceTrustRecord> _devices = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<string, (bool Approves, ulong Time)>> _votes = new(StringComparer.Ordinal);

    /// <inheritdoc/>
    public DeviceTrustRecord? Find(string id)
    {
        lock (_gate) return _devices.GetValueOrDefault(id);
    }

    /// <inheritdoc/>
    public bool Put(DeviceTrustRecord record)
    {
        lock (_gate)
        {
            if (!_devices.ContainsKey(record.Id) && _devices.Count >= maxDevices) return false;
            _devices[record.Id] = record;
            return true;
        }
    }

    /// <inheritdoc/>
    public bool PutVote(string voter, string subject, bool approves, ulong time)
    {
        lock (_gate)
        {
            if (!_votes.TryGetValue(subject, out var votes))
            {
                if (_votes.Count >= maxDevices) return false;
                _votes[subject] = votes = new Dictionary<string, (bool, ulong)>(StringComparer.Ordinal);
            }
            if (votes.TryGetValue(voter, out var last) ? time <= last.Time : votes.Count >= maxVotesPerDevice) return false;
            votes[voter] = (approves, time);
            return true;
        }
    }

    /// <inheritdoc/>
    public IReadOnlyList<(string Voter, bool Approves)> Votes(string subject)
    {
        lock (_gate) return _votes.TryGetValue(subject, out var votes) ? votes.Select(v => (v.Key, v.Value.Approves)).ToArray() : [];
    }
}
