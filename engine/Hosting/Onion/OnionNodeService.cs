using System.Collections.Concurrent;
using System.Net;
using Engine.Onion;
using Engine.Onion.Keys;
using Engine.Onion.Roles;

namespace Engine.Hosting.Onion;

/// <summary>How an <see cref="OnionNodeService"/> starts.</summary>
public sealed record OnionNodeServiceOptions(string Id, IPEndPoint Kgc, byte[] EnrolmentKey, OnionParameters Parameters)
{
    /// <summary>Address to listen on (loopback by default).</summary>
    public IPAddress Address { get; init; } = IPAddress.Loopback;

    /// <summary>Port (0 picks a free one).</summary>
    public int Port { get; init; }

    /// <summary>A destination answers each delivered message with this function's reply (null: a relay).</summary>
    public Func<byte[], byte[]?>? OnMessage { get; init; }

    /// <summary>How often the directory (handles → endpoints) is fetched again from the KGC.</summary>
    public TimeSpan DirectoryRefresh { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// The node's saved secret value (null: a fresh one). A node that restarts with the one it enrolled with gets the
    /// same partial key from the KGC again, so its published key does not change. Stays the caller's to dispose.
    /// </summary>
    public CertificatelessSecretValue? SecretValue { get; init; }

    /// <summary>The server's connection limits (null: <see cref="OnionNodeServer"/>'s defaults).</summary>
    public Framing.ConnectionLimits? Limits { get; init; }
}

/// <summary>
/// One relay or destination as <c>engine serve relay|destination</c> runs it: makes its secret value, enrols at the
/// KGC over the enrolment channel, completes and checks its key, starts an <see cref="OnionNodeServer"/> whose node
/// comes from the <see cref="EngineHost"/> (batched setups), registers its endpoint, and keeps its copy of the
/// directory fresh so it can reach next hops that start later.
/// </summary>
public sealed class OnionNodeService : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, IPEndPoint> _directory = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private CertificatelessPrivateKey? _key;
    private OnionNode? _node;
    private OnionNodeServer? _server;
    private Task? _refresh;
    private byte[]? _masterPublicKey, _listSigningKey;
    private OnionNodeServiceOptions? _options;

    private OnionNodeService() { }

    /// <summary>The node (for its counters and handle).</summary>
    public OnionNode Node => _node!;

    /// <summary>The server (for its endpoint and counters).</summary>
    public OnionNodeServer Server => _server!;

    /// <summary>Enrols, starts and registers a node. Throws <see cref="EngineException"/> with the KGC's refusal.</summary>
    public static async Task<OnionNodeService> StartAsync(OnionNodeServiceOptions options, EngineHost host, CancellationToken cancellationToken = default)
    {
        var service = new OnionNodeService { _options = options };
        try
        {
            await using KgcClient kgc = await KgcClient.ConnectAsync(options.Kgc, cancellationToken).ConfigureAwait(false);
            using CertificatelessSecretValue? fresh = options.SecretValue is null ? new CertificatelessSecretValue(options.Parameters, options.Id) : null;
            CertificatelessSecretValue secret = options.SecretValue ?? fresh!;
            if (secret.Id != options.Id) throw new ArgumentException($"The secret value is for '{secret.Id}', not '{options.Id}'.", nameof(options));
            (EngineStatus status, CertificatelessPrivateKey? key, byte[]? masterPublicKey, byte[]? listSigningKey) =
                await kgc.EnrolAsync(secret, options.EnrolmentKey, cancellationToken).ConfigureAwait(false);
            if (status != EngineStatus.Ok) throw new EngineException(status, $"The KGC refused to enrol '{options.Id}': {status}{Explain(status)}.");
            service._key = key!;
            service._masterPublicKey = masterPublicKey;
            service._listSigningKey = listSigningKey;
            service._node = host.CreateOnionNode(key!);
            service._server = options.Limits is null ? new OnionNodeServer(service._node, service._directory, options.OnMessage)
                                                     : new OnionNodeServer(service._node, service._directory, options.OnMessage) { Limits = options.Limits };
            await service._server.StartAsync(options.Address, options.Port).ConfigureAwait(false);
            status = await kgc.RegisterAsync(options.Id, service._server.EndPoint!.Port, options.EnrolmentKey, cancellationToken).ConfigureAwait(false);
            if (status != EngineStatus.Ok) throw new EngineException(status, $"The KGC refused to register '{options.Id}': {status}.");
            await service.RefreshOnceAsync(kgc, options).ConfigureAwait(false);
            service._refresh = service.RefreshLoopAsync(options);
            return service;
        }
        catch
        {
            await service.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static string Explain(EngineStatus status) => status switch
    {
        EngineStatus.Replay => " (the identity is enrolled with another secret value: another node holds it, or this node lost its key file)",
        EngineStatus.VerificationFailed => " (wrong enrolment key, or the answer was tampered with)",
        EngineStatus.Malformed => " (the identity is not usable: 1 to 255 bytes of UTF-8)",
        _ => "",
    };

    private async Task RefreshLoopAsync(OnionNodeServiceOptions options)
    {
        // The node only needs handle → endpoint; keys are the clients' business (they verify the signed list).
        while (!_stopping.IsCancellationRequested)
        {
            try
            {
                await using KgcClient kgc = await KgcClient.ConnectAsync(options.Kgc, _stopping.Token).ConfigureAwait(false);
                while (!_stopping.IsCancellationRequested)
                {
                    await RefreshOnceAsync(kgc, options).ConfigureAwait(false);
                    await Task.Delay(options.DirectoryRefresh, _stopping.Token).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) { return; }
            catch (Exception e) when (e is System.Net.Sockets.SocketException or IOException or System.Threading.Channels.ChannelClosedException)
            {
                try { await Task.Delay(options.DirectoryRefresh, _stopping.Token).ConfigureAwait(false); } catch (OperationCanceledException) { return; }
            }
        }
    }

    /// <summary>Fetches the directory now (the refresh loop does this periodically).</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken = default)
    {
        await using KgcClient kgc = await KgcClient.ConnectAsync(_options!.Kgc, cancellationToken).ConfigureAwait(false);
        await RefreshOnceAsync(kgc, _options).ConfigureAwait(false);
    }

    private async Task RefreshOnceAsync(KgcClient kgc, OnionNodeServiceOptions options)
    {
        (EngineStatus status, _, Dictionary<string, IPEndPoint> endpoints) =
            await kgc.GetDirectoryAsync(options.Parameters, _listSigningKey!, _masterPublicKey!, _stopping.Token).ConfigureAwait(false);
        if (status != EngineStatus.Ok) return;                              // a bad list is ignored; the last good one stays
        foreach ((string handle, IPEndPoint endpoint) in endpoints) _directory[handle] = endpoint;
    }

    /// <summary>Stops the server and wipes the node's links and key.</summary>
    public async ValueTask DisposeAsync()
    {
        _stopping.Cancel();
        if (_refresh is not null) await _refresh.ConfigureAwait(false);
        if (_server is not null) await _server.DisposeAsync().ConfigureAwait(false);
        _node?.Dispose();
        _key?.Dispose();
    }
}
