namespace Engine.IotAuth.Storage;

/// <summary>What the cloud server knows of a device: its keys (bound at its first evaluation), its last TL and when.</summary>
public sealed record DeviceTrustRecord(string Id, byte[] SigningKey, byte[] EncryptionKey, int TrustLevel, ulong EvaluatedAt);

/// <summary>
/// The cloud server's state (SPEC.md §3.2): device records and peer votes. Implementations are thread-safe and
/// bounded; <see cref="InMemoryCloudStore"/> is the default (a restart loses it).
/// </summary>
public interface ICloudStore
{
    /// <summary>The device's record, or null.</summary>
    DeviceTrustRecord? Find(string id);

    /// <summary>Stores a record; false (nothing stored) when the table is full and the device is new.</summary>
    bool Put(DeviceTrustRecord record);

    /// <summary>Records (or replaces) <paramref name="voter"/>'s vote on <paramref name="subject"/> made at time T; false when full or not newer than the voter's last vote on it.</summary>
    bool PutVote(string voter, string subject, bool approves, ulong time);

    /// <summary>The votes on <paramref name="subject"/>: (voter, approves).</summary>
    IReadOnlyList<(string Voter, bool Approves)> Votes(string subject);
}
