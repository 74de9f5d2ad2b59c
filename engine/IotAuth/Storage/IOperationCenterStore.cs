namespace Engine.IotAuth.Storage;

/// <summary>A device registered at the operation centre: its keys, whether it is revoked, the last epoch it was issued a tag for, and the time (Unix ms) of its last report.</summary>
public sealed record RegisteredDevice(string Id, byte[] SigningKey, byte[] EncryptionKey, bool Revoked, uint? IssuedEpoch, ulong LastReport);

/// <summary>Why the operation centre refused to issue a tag (SPEC.md §3.3 step 2: "with the reason logged").</summary>
public sealed record TagRefusal(string DeviceId, EngineStatus Status, string Reason, ulong Time);

/// <summary>
/// The operation centre's long-lived state: registrations, the current epoch, and the log of refused tag requests.
/// Thread-safe and bounded; <see cref="InMemoryOperationCenterStore"/> is the default (a restart loses it).
/// </summary>
public interface IOperationCenterStore
{
    /// <summary>The device, or null.</summary>
    RegisteredDevice? Find(string id);

    /// <summary>Stores or replaces a device; false when the table is full and the device is new.</summary>
    bool Put(RegisteredDevice device);

    /// <summary>Appends to the refusal log (the oldest entries go once it is full).</summary>
    void LogRefusal(TagRefusal refusal);

    /// <summary>The refusal log, oldest first.</summary>
    IReadOnlyList<TagRefusal> Refusals();
}
