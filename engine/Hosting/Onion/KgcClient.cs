using System.Net;
using Engine.Hosting.Framing;
using Engine.Onion;
using Engine.Onion.Keys;
using Engine.Onion.Setup;

namespace Engine.Hosting.Onion;

/// <summary>A node's or client's connection to a <see cref="KgcDirectoryServer"/>: enrol, register, fetch the directory.</summary>
public sealed class KgcClient : IAsyncDisposable
{
    private readonly IFrameExchange _connection;

    /// <summary>A client over <paramref name="connection"/> (a TCP connection, or a client role's bridged one).</summary>
    public KgcClient(IFrameExchange connection) => _connection = connection;

    /// <summary>Connects to the KGC.</summary>
    public static async Task<KgcClient> ConnectAsync(IPEndPoint kgc, CancellationToken cancellationToken = default)
        => new(await FrameConnection.ConnectAsync(kgc, 4 << 20, cancellationToken).ConfigureAwait(false));

    private Task<(byte Type, byte[] Payload)> RequestAsync(KgcFrameType type, byte[] payload, CancellationToken cancellationToken)
        => _connection.RequestAsync((byte)type, payload, cancellationToken);

    /// <summary>Enrols <paramref name="secret"/>'s identity: its private key and the KGC's public keys, or the refusal.</summary>
    public async Task<(EngineStatus Status, CertificatelessPrivateKey? Key, byte[]? MasterPublicKey, byte[]? ListSigningKey)> EnrolAsync(
        CertificatelessSecretValue secret, byte[] enrolmentKey, CancellationToken cancellationToken = default)
    {
        using Enrolment.Request request = Enrolment.CreateRequest(secret, enrolmentKey);
        (byte type, byte[] payload) = await RequestAsync(KgcFrameType.Enrol, request.Bytes, cancellationToken).ConfigureAwait(false);
        if (type == (byte)KgcFrameType.Error) return (Frame.ErrorStatus(payload), null, null, null);
        if (type != (byte)KgcFrameType.Enrolled) return (EngineStatus.UnknownMessageType, null, null, null);
        EngineStatus status = Enrolment.Complete(secret, request, enrolmentKey, payload, out CertificatelessPrivateKey? key, out byte[]? mpk, out byte[]? listKey);
        return (status, key, mpk, listKey);
    }

    /// <summary>Records that <paramref name="id"/> listens on <paramref name="port"/> (at the address this connection comes from).</summary>
    public async Task<EngineStatus> RegisterAsync(string id, int port, byte[] enrolmentKey, CancellationToken cancellationToken = default)
    {
        (byte type, byte[] payload) = await RequestAsync(KgcFrameType.Register, Enrolment.CreateRegistration(id, port, enrolmentKey, DateTimeOffset.UtcNow), cancellationToken).ConfigureAwait(false);
        return type == (byte)KgcFrameType.Registered ? EngineStatus.Ok : type == (byte)KgcFrameType.Error ? Frame.ErrorStatus(payload) : EngineStatus.UnknownMessageType;
    }

    /// <summary>
    /// The directory, verified: the node list's signature under <paramref name="listSigningKey"/> and every key
    /// (<see cref="PublicNodeList.Verify"/>), and each endpoint keyed by the node's routing handle.
    /// </summary>
    public async Task<(EngineStatus Status, IReadOnlyList<CertificatelessPublicKey> Keys, Dictionary<string, IPEndPoint> EndpointsByHandle)> GetDirectoryAsync(
        OnionParameters parameters, byte[] listSigningKey, byte[] masterPublicKey, CancellationToken cancellationToken = default)
    {
        (byte type, byte[] payload) = await RequestAsync(KgcFrameType.GetDirectory, [], cancellationToken).ConfigureAwait(false);
        if (type != (byte)KgcFrameType.Directory) return (EngineStatus.UnknownMessageType, [], new());
        EngineStatus status = KgcDirectoryServer.DecodeDirectory(payload, out byte[]? list, out Dictionary<string, IPEndPoint>? endpoints);
        if (status != EngineStatus.Ok) return (status, [], new());
        status = PublicNodeList.Verify(parameters, list, listSigningKey, masterPublicKey, out IReadOnlyList<CertificatelessPublicKey> keys);
        if (status != EngineStatus.Ok) return (status, [], new());
        var byHandle = endpoints!.ToDictionary(e => NodeHandle.Of(e.Key), e => e.Value, StringComparer.Ordinal);
        return (EngineStatus.Ok, keys, byHandle);
    }

    /// <summary>Closes the connection.</summary>
    public ValueTask DisposeAsync() => _connection.DisposeAsync();
}
