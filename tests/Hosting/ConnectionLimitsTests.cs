using System.Buffers.Binary;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Engine.Hosting.Framing;
using Engine.Hosting.TwoServer;
using Engine.Primitives.Groups;
using Engine.Primitives.Schnorr;
using Engine.TwoServer;
using Engine.TwoServer.Roles;
using Engine.TwoServer.Wire;
using NUnit.Framework;

namespace Engine.Tests.Hosting;

/// <summary>
/// Issue #15's connection hygiene, tried as a hostile client would on loopback against a two-server node (every
/// server shares the same listener and frame layer): caps, header/frame/idle timeouts, the per-role frame size, and a
/// client that never reads its replies.
/// </summary>
[TestFixture, Category("EndToEnd"), NonParallelizable]
public sealed class ConnectionLimitsTests
{
    private static readonly PrimeOrderGroup Group = PrimeOrderGroups.Bls12381G1;

    private static async Task<TwoServerServer> StartAsync(ConnectionLimits limits)
    {
        SchnorrSigningKey k1 = SchnorrSigningKey.Generate(Group), k2 = SchnorrSigningKey.Generate(Group);
        var server = new TwoServerServer(new TwoServerNode(1, k1, k2.PublicKey, TwoServerParameters.ForBlockSize(64))) { Limits = limits };
        await server.StartAsync(IPAddress.Loopback, 0);
        return server;
    }

    private static async Task<TcpClient> ConnectAsync(IPEndPoint server, IPAddress? from = null)
    {
        var client = from is null ? new TcpClient() : new TcpClient(new IPEndPoint(from, 0));
        await client.ConnectAsync(server);
        return client;
    }

    /// <summary>True when the server greets (a Hello frame arrives); false when it closes without one.</summary>
    private static async Task<bool> GreetedAsync(TcpClient client)
    {
        byte[] header = new byte[Frame.HeaderSize];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await client.GetStream().ReadExactlyAsync(header, timeout.Token);
            await client.GetStream().ReadExactlyAsync(new byte[BinaryPrimitives.ReadUInt32BigEndian(header) - 1], timeout.Token);
            return header[4] == (byte)TwoServerMessageType.Hello;
        }
        catch (EndOfStreamException) { return false; }
        catch (IOException) { return false; }
    }

    /// <summary>Reads (and drops) whatever arrives until the server closes; the time that took, or null if it stayed open for <paramref name="limit"/>.</summary>
    private static async Task<TimeSpan?> TimeUntilClosedAsync(TcpClient client, TimeSpan limit, Stopwatch since)
    {
        byte[] sink = new byte[4096];
        using var timeout = new CancellationTokenSource(limit);
        try
        {
            while (await client.GetStream().ReadAsync(sink, timeout.Token) > 0) { }
        }
        catch (OperationCanceledException) { return null; }
        catch (IOException) { }
        return since.Elapsed;
    }

    private static byte[] FrameBytes(TwoServerMessageType type, byte[] payload)
    {
        byte[] frame = new byte[Frame.HeaderSize + payload.Length];
        Frame.Write(frame, (byte)type, payload);
        return frame;
    }

    [Test]
    public async Task ConnectionsOverTheCaps_AreClosedAtOnce_AndCounted_PerAddressAndInTotal()
    {
        await using TwoServerServer server = await StartAsync(ConnectionLimits.Default with { MaxConnections = 5, MaxConnectionsPerAddress = 3 });
        var open = new List<TcpClient>();
        try
        {
            for (int i = 0; i < 3; i++)
            {
                open.Add(await ConnectAsync(server.EndPoint!));
                Assert.That(await GreetedAsync(open[^1]), Is.True, $"connection {i} from 127.0.0.1");
            }
            using (TcpClient fourth = await ConnectAsync(server.EndPoint!))
                Assert.That(await GreetedAsync(fourth), Is.False, "a fourth connection from one address is closed");
            Assert.That(server.Connections.RefusedPerAddress, Is.EqualTo(1));

            IPAddress other = IPAddress.Parse("127.0.0.2");                   // all of 127/8 is local on Linux
            for (int i = 0; i < 2; i++)
            {
                open.Add(await ConnectAsync(server.EndPoint!, other));
                Assert.That(await GreetedAsync(open[^1]), Is.True, $"connection {i} from 127.0.0.2");
            }
            using (TcpClient sixth = await ConnectAsync(server.EndPoint!, other))
                Assert.That(await GreetedAsync(sixth), Is.False, "a sixth connection in total is closed");
            Assert.That(server.Connections.RefusedTotal, Is.EqualTo(1));

            // A slot that frees up is usable again.
            open[0].Dispose();
            open.RemoveAt(0);
            bool greeted = false;
            for (int attempt = 0; attempt < 50 && !greeted; attempt++)
            {
                await Task.Delay(100);
                using TcpClient again = await ConnectAsync(server.EndPoint!);
                greeted = await GreetedAsync(again);
            }
            Assert.That(greeted, Is.True, "after one connection closed, a new one from its address is served");
        }
        finally
        {
            foreach (TcpClient c in open) c.Dispose();
        }
    }

    [Test]
    public async Task SlowHeaders_StalledFrames_AndIdleConnections_AreCutOff_WhileAnActiveClientIsNot()
    {
        var limits = ConnectionLimits.Default with { HeaderTimeout = TimeSpan.FromSeconds(1), FrameTimeout = TimeSpan.FromSeconds(2), IdleTimeout = TimeSpan.FromSeconds(3) };
        await using TwoServerServer server = await StartAsync(limits);
        using TcpClient slowHeader = await ConnectAsync(server.EndPoint!), stalled = await ConnectAsync(server.EndPoint!),
                        idle = await ConnectAsync(server.EndPoint!), active = await ConnectAsync(server.EndPoint!);
        foreach (TcpClient c in new[] { slowHeader, stalled, idle, active }) Assert.That(await GreetedAsync(c), Is.True);
        var clock = Stopwatch.StartNew();

        // One header byte every 400 ms: the 5-byte header would take 2 s, the limit is 1 s.
        Task dribble = Task.Run(async () =>
        {
            try { for (int i = 0; i < 5; i++) { await slowHeader.GetStream().WriteAsync(new byte[] { 0 }); await Task.Delay(400); } }
            catch (IOException) { }
        });
        // A header announcing 1000 bytes, 10 of them, then silence.
        byte[] partial = new byte[Frame.HeaderSize + 10];
        BinaryPrimitives.WriteUInt32BigEndian(partial, 1001);
        partial[4] = (byte)TwoServerMessageType.GetRound;
        await stalled.GetStream().WriteAsync(partial);
        // Meanwhile an honest client asks for the round every 500 ms, for longer than every limit.
        Task<int> answered = Task.Run(async () =>
        {
            int answers = 0;
            byte[] request = FrameBytes(TwoServerMessageType.GetRound, new TwoServerWire.Writer().ToArray());
            byte[] header = new byte[Frame.HeaderSize];
            for (int i = 0; i < 9; i++)
            {
                await active.GetStream().WriteAsync(request);
                await active.GetStream().ReadExactlyAsync(header);
                byte[] body = new byte[BinaryPrimitives.ReadUInt32BigEndian(header) - 1];
                await active.GetStream().ReadExactlyAsync(body);
                if (header[4] == (byte)TwoServerMessageType.Round) answers++;
                await Task.Delay(500);
            }
            return answers;
        });

        TimeSpan? header = await TimeUntilClosedAsync(slowHeader, TimeSpan.FromSeconds(15), clock);
        TimeSpan? frame = await TimeUntilClosedAsync(stalled, TimeSpan.FromSeconds(15), clock);
        TimeSpan? silent = await TimeUntilClosedAsync(idle, TimeSpan.FromSeconds(15), clock);
        Assert.That(header, Is.Not.Null.And.GreaterThan(TimeSpan.FromSeconds(0.9)), "the dribbled header is cut off after its 1 s");
        Assert.That(frame, Is.Not.Null.And.GreaterThan(TimeSpan.FromSeconds(1.9)), "the stalled frame is cut off after its 2 s");
        Assert.That(silent, Is.Not.Null.And.GreaterThan(TimeSpan.FromSeconds(2.9)), "the idle connection is closed after its 3 s");
        Assert.That(await answered, Is.EqualTo(9), "the active client got every answer over 4.5 s");
        await dribble;
        Assert.That(server.Connections.TimedOut, Is.EqualTo(3));
    }

    [Test]
    public async Task ARequestFrameAboveTheRolesLargestRequest_IsRefusedBeforeItsBytesAreRead()
    {
        await using TwoServerServer server = await StartAsync(ConnectionLimits.Default);
        Assert.That(server.MaxRequestBytes, Is.LessThan(64 << 10), "S1's largest request at B = 64 is a few KiB (it used to accept 64 MiB)");
        using TcpClient client = await ConnectAsync(server.EndPoint!);
        Assert.That(await GreetedAsync(client), Is.True);
        byte[] header = new byte[Frame.HeaderSize];
        BinaryPrimitives.WriteUInt32BigEndian(header, (uint)server.MaxRequestBytes + 2);
        header[4] = (byte)TwoServerMessageType.Upload;
        await client.GetStream().WriteAsync(header);
        Assert.That(await TimeUntilClosedAsync(client, TimeSpan.FromSeconds(10), Stopwatch.StartNew()), Is.Not.Null, "closed without waiting for the body");
        Assert.That(server.Connections.FramesTooLarge, Is.EqualTo(1));
    }

    [Test]
    public async Task AClientThatNeverReads_IsDropped_AndOtherClientsAreServedMeanwhile()
    {
        var limits = ConnectionLimits.Default with { SendQueueBytes = 256 << 10, WriteTimeout = TimeSpan.FromSeconds(1) };
        await using TwoServerServer server = await StartAsync(limits);
        for (int i = 0; i < 3000; i++) server.Node.Store.AddMember("big", $"member-{i:D5}");     // a ~45 KB answer per GetGroup
        using TcpClient hostile = await ConnectAsync(server.EndPoint!);
        Assert.That(await GreetedAsync(hostile), Is.True);
        await using TwoServerTcpConnection honest = await TwoServerTcpConnection.ConnectAsync(server.EndPoint!);

        // 2000 pipelined GetGroup requests (≈ 90 MB of answers), none of them read.
        byte[] one = FrameBytes(TwoServerMessageType.GetGroup, new TwoServerWire.Writer().Name("big").ToArray());
        byte[] flood = new byte[one.Length * 2000];
        for (int i = 0; i < 2000; i++) one.CopyTo(flood, i * one.Length);
        Task write = hostile.GetStream().WriteAsync(flood).AsTask().ContinueWith(_ => { }, TaskScheduler.Default);

        var slowest = TimeSpan.Zero;
        var clock = Stopwatch.StartNew();
        while (server.Connections.SlowReadersDropped == 0 && clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            var sw = Stopwatch.StartNew();
            (TwoServerMessageType type, _) = await honest.RequestAsync(TwoServerMessageType.GetRound, new TwoServerWire.Writer().ToArray());
            Assert.That(type, Is.EqualTo(TwoServerMessageType.Round));
            if (sw.Elapsed > slowest) slowest = sw.Elapsed;
            await Task.Delay(50);
        }
        Assert.That(server.Connections.SlowReadersDropped, Is.EqualTo(1), "the client that never read was dropped");
        Assert.That(slowest, Is.LessThan(TimeSpan.FromSeconds(2)), "no honest request waited on the hostile client");
        Assert.That(await TimeUntilClosedAsync(hostile, TimeSpan.FromSeconds(60), clock), Is.Not.Null, "the hostile connection is closed");
        await write;
        // And the honest connection still works after the drop.
        Assert.That((await honest.RequestAsync(TwoServerMessageType.GetRound, new TwoServerWire.Writer().ToArray())).Type, Is.EqualTo(TwoServerMessageType.Round));
    }

    [Test]
    public async Task AFloodOfIdleConnectionsAndRegistrations_IsCapped_AndAnHonestClientIsServed()
    {
        await using TwoServerServer server = await StartAsync(ConnectionLimits.Default);      // 1024 in total, 64 per address
        var flood = new List<TcpClient>();
        try
        {
            // 1500 connections from one address (the 20 000 filled the file table and killed the server).
            for (int i = 0; i < 1500; i++)
            {
                var c = new TcpClient();
                try { await c.ConnectAsync(server.EndPoint!); flood.Add(c); }
                catch (SocketException) { c.Dispose(); }
            }
            for (int i = 0; i < 100 && server.Connections.RefusedPerAddress < flood.Count - 64; i++) await Task.Delay(50);
            Assert.That(server.Connections.RefusedPerAddress, Is.EqualTo(flood.Count - 64), "all but 64 closed at once");
            // Another address is served, and its registrations are capped, not stored without end.
            using TcpClient honestSocket = await ConnectAsync(server.EndPoint!, IPAddress.Parse("127.0.0.3"));
            Assert.That(await GreetedAsync(honestSocket), Is.True, "an honest client from another address is greeted");
            NetworkStream honest = honestSocket.GetStream();
            using SchnorrSigningKey key = SchnorrSigningKey.Generate(Group);
            int max = server.Node.Quotas.MaxPendingRegistrations, refused = 0;
            byte[] header = new byte[Frame.HeaderSize];
            for (int i = 0; i < max + 200; i++)
            {
                await honest.WriteAsync(FrameBytes(TwoServerMessageType.Register, new TwoServerWire.Writer().Name($"squat-{i}").Blob(key.PublicKey).ToArray()));
                await honest.ReadExactlyAsync(header);
                byte[] answer = new byte[BinaryPrimitives.ReadUInt32BigEndian(header) - 1];
                await honest.ReadExactlyAsync(answer);
                if (header[4] == (byte)TwoServerMessageType.Error && answer[^1] == (byte)EngineStatus.QuotaExceeded) refused++;
            }
            Assert.That(refused, Is.EqualTo(200));
            Assert.That(server.Node.Store.PendingUserCount, Is.EqualTo(max));
        }
        finally
        {
            foreach (TcpClient c in flood) c.Dispose();
        }
    }

    [Test, Category("Malformed")]
    public void QueuedSends_ReturnAtOnce_AndDropAPeerThatLetsTheQueueFill()
    {
        var never = new Pipe(new PipeOptions(pauseWriterThreshold: 1024, resumeWriterThreshold: 512));   // nobody reads never.Reader
        var input = new Pipe();
        bool aborted = false;
        var channel = new FrameChannel(input.Reader, never.Writer, 1024, new FrameChannelOptions
        {
            Limits = ConnectionLimits.Default with { SendQueueBytes = 64 << 10 },
            QueueSends = true,
            Abort = () => aborted = true,
        });
        byte[] payload = new byte[1000];
        for (int i = 0; i < 200; i++)
        {
            ValueTask sent = channel.SendAsync(3, payload);
            Assert.That(sent.IsCompletedSuccessfully, Is.True, $"send {i} did not wait");
        }
        Assert.That(channel.Dropped, Is.True, "200 KB queued for a peer that reads nothing passes the 64 KiB queue");
        Assert.That(aborted, Is.True, "the transport was closed");
    }

    [Test, Category("Malformed")]
    public void ClientSends_GiveUpAfterTheWriteTimeout()
    {
        var never = new Pipe(new PipeOptions(pauseWriterThreshold: 1024, resumeWriterThreshold: 512));
        var channel = new FrameChannel(new Pipe().Reader, never.Writer, 1024, FrameChannelOptions.Client with
        {
            Limits = ConnectionLimits.Default with { WriteTimeout = TimeSpan.FromMilliseconds(300) },
        });
        var clock = Stopwatch.StartNew();
        Assert.That(async () => await channel.SendAsync(3, new byte[4096]), Throws.TypeOf<IOException>());
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(10)));
    }
}
