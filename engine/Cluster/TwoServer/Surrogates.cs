using Engine.TwoServer.Storage;

namespace Engine.Cluster.TwoServer;

// Orleans copies grain arguments with generated serializers; the engine's store records do not depend on Orleans,
// so each crosses the wire as a surrogate with the same fields.

/// <summary>The wire form of <see cref="UserRecord"/>.</summary>
[GenerateSerializer, Immutable]
public readonly record struct UserRecordSurrogate([property: Id(0)] string Id, [property: Id(1)] byte[] SigningKey, [property: Id(2)] bool Active,
                                                  [property: Id(3)] DateTimeOffset Registered);

/// <summary>Converts <see cref="UserRecord"/>.</summary>
[RegisterConverter]
public sealed class UserRecordConverter : IConverter<UserRecord, UserRecordSurrogate>
{
    /// <inheritdoc/>
    public UserRecord ConvertFromSurrogate(in UserRecordSurrogate s) => new(s.Id, s.SigningKey, s.Active, s.Registered);

    /// <inheritdoc/>
    public UserRecordSurrogate ConvertToSurrogate(in UserRecord v) => new(v.Id, v.SigningKey, v.Active, v.Registered);
}

/// <summary>The wire form of <see cref="SessionRecord"/>.</summary>
[GenerateSerializer, Immutable]
public readonly record struct SessionRecordSurrogate([property: Id(0)] byte[] SessionId, [property: Id(1)] string Group, [property: Id(2)] int Epoch,
                                                     [property: Id(3)] int GroupSize, [property: Id(4)] string SenderId, [property: Id(5)] byte[] Partition,
                                                     [property: Id(6)] byte[]? Members, [property: Id(7)] byte[]? Third);

/// <summary>Converts <see cref="SessionRecord"/>.</summary>
[RegisterConverter]
public sealed class SessionRecordConverter : IConverter<SessionRecord, SessionRecordSurrogate>
{
    /// <inheritdoc/>
    public SessionRecord ConvertFromSurrogate(in SessionRecordSurrogate s) => new(s.SessionId, s.Group, s.Epoch, s.GroupSize, s.SenderId, s.Partition, s.Members, s.Third);

    /// <inheritdoc/>
    public SessionRecordSurrogate ConvertToSurrogate(in SessionRecord v) => new(v.SessionId, v.Group, v.Epoch, v.GroupSize, v.SenderId, v.Partition, v.Members, v.Third);
}

/// <summary>The wire form of <see cref="StoredUpload"/>.</summary>
[GenerateSerializer, Immutable]
public readonly record struct StoredUploadSurrogate([property: Id(0)] long Round, [property: Id(1)] ulong MessageId, [property: Id(2)] byte[] SessionId,
                                                    [property: Id(3)] byte[] Shares, [property: Id(4)] byte[] SenderSignature);

/// <summary>Converts <see cref="StoredUpload"/>.</summary>
[RegisterConverter]
public sealed class StoredUploadConverter : IConverter<StoredUpload, StoredUploadSurrogate>
{
    /// <inheritdoc/>
    public StoredUpload ConvertFromSurrogate(in StoredUploadSurrogate s) => new(s.Round, s.MessageId, s.SessionId, s.Shares, s.SenderSignature);

    /// <inheritdoc/>
    public StoredUploadSurrogate ConvertToSurrogate(in StoredUpload v) => new(v.Round, v.MessageId, v.SessionId, v.Shares, v.SenderSignature);
}

/// <summary>A group's epoch and members in ordinal order.</summary>
[GenerateSerializer, Immutable]
public readonly record struct GroupState([property: Id(0)] int Epoch, [property: Id(1)] string[] Members);
