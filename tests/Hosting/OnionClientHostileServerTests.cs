using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Engine.Hosting.Framing;
using Engine.Hosting.Onion;
using Engine.Onion.Roles;
using Engine.Primitives.Groups;
using Engine.Tests.Onion;
using NUnit.Framework;

namespace Engine.Tests.Hosting;

/// <summary>
/// The onion client against a first hop that misbehaves (issue #15: <c>onion send</c> died on an empty error frame
/// or a closed connection): every case is a status, never an exception.
/// </summary>
[TestFixture, Category("EndToEnd"), NonParallelizable]
public sealed class OnionClientHostileServerTests
{
    /// <summary>A one-connection server that reads one frame and then does <paramref name="answer"/>.</summary>
    private static async Task<(IPEndPoint EndPoint, Task Served)> ServeOnceAsync(Func<NetworkStream, Task> answer)
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var endpoint = (IPEndPoint)listener.LocalEndpoint;
        Task served = Task.Run(async () =>
        {
            using TcpClient peer = await listener.AcceptTcpClientAsync();
            NetworkStream s = peer.GetStream();
            byte[] header = new byte[Frame.HeaderSize];
            await s.ReadExactlyAsync(header);
            await s.ReadExactlyAsync(new byte[BinaryPrimitives.ReadUInt32BigEndian(header) - 1]);
            await answer(s);
            listener.Stop();
        });
        await Task.Yield();
        return (endpoint, served);
    }

    private static async Task<EngineStatus> EstablishAgainstAsync(Func<NetworkStream, Task> answer)
    {
        using var network = new OnionTestNetwork(PrimeOrderGroups.Bls12381G1);
        (IPEndPoint endpoint, Task served) = await ServeOnceAsync(answer);
        await using OnionTcpClient client = await OnionTcpClient.ConnectAsync(endpoint);
        using ClientLink link = OnionClient.BeginLink(network.Path(1), DateTimeOffset.UtcNow.AddMinutes(5));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        EngineStatus status = await client.EstablishAsync(link, timeout.Token);
        await served;
        return status;
    }

    [Test]
    public async Task AnEmptyErrorFrame_IsMalformed()
    {
        byte[] empty = new byte[Frame.HeaderSize];
        Frame.Write(empty, (byte)OnionFrameType.Error, []);
        Assert.That(await EstablishAgainstAsync(s => s.WriteAsync(empty).AsTask()), Is.EqualTo(EngineStatus.Malformed));
    }

    [Test]
    public async Task AnErrorFrameSayingOk_IsMalformed_NotSuccess()
    {
        byte[] ok = new byte[Frame.HeaderSize + 1];
        Frame.Write(ok, (byte)OnionFrameType.Error, [(byte)EngineStatus.Ok]);
        Assert.That(await EstablishAgainstAsync(s => s.WriteAsync(ok).AsTask()), Is.EqualTo(EngineStatus.Malformed));
    }

    [Test]
    public async Task AFirstHopThatCloses_IsUnreachable()
    {
        Assert.That(await EstablishAgainstAsync(_ => Task.CompletedTask), Is.EqualTo(EngineStatus.Unreachable));
    }
}
