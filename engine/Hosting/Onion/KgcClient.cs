using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Engine.Hosting.Framing;
using Engine.Onion;
using Engine.Onion.Keys;
using Engine.Onion.Setup;

namespace Engine.Hosting.Onion;

/// <summary>A node's or client's connection to a <see cref="KgcDirectoryServer"/>: enrol, register, fetch the directory.</summary>
public sealed class KgcClient : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly FrameChannel _channel;
    private readonly System.Threading.Channels.Channel<(byte Type, byte[] Payload)> _received =
        System.Threading.Channels.Channel.CreateUnbounded<(byte, byte[])>();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _loop;
    private readonly SemaphoreSlim _oneAtATime = new(1, 1);

    private KgcClient(Socket socket)
    {
        _socket = socket;
        var stream = new NetworkStream(socket, ownsSocket: true);
        _channel = new FrameChannel(PipeReader.Create(stream), PipeWriter.Create(stream), 4 << 20);
        _loop = _channel.RunAsync((type, payload) => _received.Writer.WriteAsync((type, payload.ToArray())), _stopping.Token)
                        .ContinueWith(_ => _received.Writer.TryComplete(), TaskScheduler.Default);
    }

    /// <summary>Connects to the KGC.</summary>
    public static async Task<KgcClient> ConnectAsync(IPEndPoint kgc, CancellationToken cancellationToken = default)
    {
        var socket = new Socket(kgc.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(kgc, cancellationToken).ConfigureAwait(false);
        return new KgcClient(socket);
    }

    private async Task<(byte Type, byte[] Payload)> RequestAsync(KgcFrameType type, byte[] payload, CancellationToken cancellationToken)
    {
        await _oneAtATime.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _channel.SendAsync((byte)type, payload, cancellationToken).ConfigureAwait(false);
            return await _received.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _oneAtATime.Release();
        }
    }

    /// <summary>Enrols <paramref name="secret"/>'s identity: its private key and the KGC's public keys, or the refusal.</summary>
    public async Task<(EngineStatus Status, CertificatelessPrivateKey? Key, byte[]? MasterPublicKey, byte[]? ListSigningKey)> EnrolAsync(
        CertificatelessSecretValue secret, byte[] enrolmentKey, CancellationToken cancellationToken = default)
    {
        using Enrolment.Request request = Enrolment.CreateRequest(secret, enrolmentKey);
        (byte type, byte[] payload) = await RequestAsync(KgcFrameType.Enrol, request.Bytes, cancellationToken).ConfigureAwait(false);
        if (type == (byte)KgcFrameType.Error) return ((EngineStatus)payload[0], null, null, null);
        if (type != (byte)KgcFrameType.Enrolled) return (EngineStatus.UnknownMessageType, null, null, null);
        EngineStatus status = Enrolment.Complete(secret, request, enrolmentKey, payload, out CertificatelessPrivateKey? key, out byte[]? mpk, out byte[]? listKey);
        return (status, key, mpk, listKey);
    }

    /// <summary>Records that <paramref name="id"/> listens on <paramref name="port"/> (at the address this connection comes from).</summary>
    public async Task<EngineStatus> RegisterAsync(string id, int port, byte[] enrolmentKey, CancellationToken cancellationToken = default)
    {
        (byte type, byte[] payload) = await RequestAsync(KgcFrameType.Register, Enrolment.CreateRegistration(id, port, enrolmentKey), cancellationToken).ConfigureAwait(false);
        return type == (byte)KgcFrameType.Registered ? EngineStatus.Ok : type == (byte)KgcFrameType.Error ? (EngineStatus)payload[0] : EngineStatus.UnknownMessageType;
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
    public async ValueTask DisposeAsync()
    {
        _stopping.Cancel();
        _socket.Dispose();
        try { await _loop.ConfigureAwait(false); } catch (OperationCanceledException) { }
    }
}
