namespace Engine.Hosting.Roles.Clients;

/// <summary>
/// One connection's client state for <see cref="ClientRole"/>: the running operation, the messages it asked to send
/// (handed to the host one at a time, each answered before the next), and a <see cref="BridgedConnection"/> per route.
/// </summary>
public sealed class ClientSession : IDisposable
{
    private readonly object _gate = new();
    private readonly Queue<PendingMessage> _queue = new();
    private readonly SemaphoreSlim _signal = new(0);
    private readonly Dictionary<string, BridgedConnection> _connections = new(StringComparer.Ordinal);
    private PendingMessage? _awaiting;
    private Task<byte[]>? _flow;

    private int _busy;

    /// <summary>Marks a host call in progress; false when one already is (a client connection takes one request at a time).</summary>
    internal bool TryEnter() => Interlocked.CompareExchange(ref _busy, 1, 0) == 0;

    /// <summary>Ends the host call <see cref="TryEnter"/> began.</summary>
    internal void Exit() => Volatile.Write(ref _busy, 0);

    /// <summary>The protocol client the flows keep between operations (a Protocol 2 user, made once its servers greeted).</summary>
    public object? Client { get; set; }

    /// <summary>True while an operation runs (or has ended and not been reported yet).</summary>
    internal bool Running => _flow is not null;

    /// <summary>Wipes what the client kept (an onion link's keys): the host closed the connection.</summary>
    public void Dispose()
    {
        if (Client is IDisposable owned) owned.Dispose();
        Client = null;
        _signal.Dispose();
    }

    /// <summary>The connection to <paramref name="route"/>, opened (its greeting asked of the host) on first use.</summary>
    public async Task<BridgedConnection> ConnectAsync(string route)
    {
        BridgedConnection connection;
        lock (_gate)
        {
            if (!_connections.TryGetValue(route, out connection!)) _connections[route] = connection = new BridgedConnection(this, route);
        }
        await connection.EnsureOpenAsync().ConfigureAwait(false);
        return connection;
    }

    /// <summary>Queues a message for the host to deliver to <paramref name="route"/>; completes with the server's answer.</summary>
    internal Task<(byte Type, byte[] Payload)> SendAsync(string route, byte type, byte[] payload)
    {
        var message = new PendingMessage(route, type, payload, new TaskCompletionSource<(byte, byte[])>(TaskCreationOptions.RunContinuationsAsynchronously));
        lock (_gate) _queue.Enqueue(message);
        _signal.Release();
        return message.Answer.Task;
    }

    /// <summary>Hands the host's answer to the message it was given; false when none is outstanding.</summary>
    internal bool TryAnswer(byte type, ReadOnlySpan<byte> payload)
    {
        PendingMessage? awaiting;
        lock (_gate) (awaiting, _awaiting) = (_awaiting, null);
        if (awaiting is null) return false;
        if (type == ClientRole.Command)
            awaiting.Answer.TrySetException(new IOException($"the host abandoned the message to {awaiting.Route}"));   // it could not deliver it
        else
            awaiting.Answer.TrySetResult((type, payload.ToArray()));
        return true;
    }

    /// <summary>Starts an operation on the thread pool.</summary>
    internal void Start(Func<Task<byte[]>> run)
    {
        Task<byte[]> flow = Task.Run(run);
        lock (_gate) _flow = flow;
        flow.ContinueWith(_ => _signal.Release(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>The next thing for the host: a message to deliver, or the operation's end; TimedOut if neither comes within <paramref name="timeout"/>.</summary>
    internal async Task<ClientStep> NextAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task<byte[]>? flow;
            lock (_gate)
            {
                if (_queue.TryDequeue(out PendingMessage? next))
                {
                    _awaiting = next;
                    return new ClientStep(EngineStatus.Ok, next, null, []);
                }
                flow = _flow;
                if (flow is { IsCompleted: true }) _flow = null;
            }
            if (flow is null) return new ClientStep(EngineStatus.Malformed, null, "no operation is running", []);
            if (flow.IsCompleted) return Outcome(flow);
            if (!await _signal.WaitAsync(timeout, cancellationToken).ConfigureAwait(false))
                return new ClientStep(EngineStatus.TimedOut, null, "the operation neither asked for a message nor ended in time", []);
        }
    }

    private static ClientStep Outcome(Task<byte[]> flow)
    {
        if (flow.IsCompletedSuccessfully) return new ClientStep(EngineStatus.Ok, null, null, flow.Result);
        Exception e = flow.Exception!.GetBaseException();
        EngineStatus status = e switch
        {
            EngineException engine => engine.Status,
            IOException => EngineStatus.Unreachable,
            ArgumentException or FormatException or KeyNotFoundException or InvalidOperationException or System.Text.Json.JsonException => EngineStatus.Malformed,
            _ => EngineStatus.InternalError,
        };
        return new ClientStep(status, null, e.Message, []);
    }
}

/// <summary>A message a client asked the host to deliver, and the completion its answer fills.</summary>
internal sealed record PendingMessage(string Route, byte Type, byte[] Payload, TaskCompletionSource<(byte, byte[])> Answer);

/// <summary>What <see cref="ClientSession.NextAsync"/> hands the host: a message, or the operation's status and result.</summary>
internal readonly record struct ClientStep(EngineStatus Status, PendingMessage? Message, string? Reason, byte[] Result);
