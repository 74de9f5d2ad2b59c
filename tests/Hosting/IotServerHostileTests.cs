using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Engine.Hosting.IotAuth;
using Engine.IotAuth.Roles;
using Engine.IotAuth.Wire;
using Engine.Tests.IotAuth;
using NUnit.Framework;

namespace Engine.Tests.Hosting;

/// <summary>The Protocol 3 frame server against hostile clients on loopback: oversized frames, garbage, idle connections.</summary>
[TestFixture, Category("EndToEnd"), NonParallelizable]
public sealed class IotServerHostileTests
{
    [Test]
    public async Task OversizedGarbageAndIdleClients_DoNotStopAnHonestDevice()
    {
        await using var net = new IotNetwork();
        // Every client here is 127.0.0.1: lift the per-address cap (ConnectionLimitsTests tries the caps themselves).
        await using var server = new IotServer(net.Oc) { Limits = Engine.Hosting.Framing.ConnectionLimits.Default.ForOneAddress() };
        await server.StartAsync(IPAddress.Loopback, 0);

        // 1. A frame announcing 1 MiB (the cap is 16 KiB) is refused before its bytes are buffered: the connection closes.
        using (var big = new TcpClient())
        {
            await big.ConnectAsync(server.EndPoint!);
            NetworkStream s = big.GetStream();
            await ReadFrame(s);                                               // the hello
            byte[] header = new byte[5];
            BinaryPrimitives.WriteUInt32BigEndian(header, 1 << 20);
            header[4] = (byte)IotMessageType.Authenticate;
            await s.WriteAsync(header);
            byte[] one = new byte[1];
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            Assert.That(await s.ReadAsync(one, timeout.Token), Is.Zero, "the server closed the connection");
        }

        // 2. Garbage frames of every type get typed errors on a connection that stays usable.
        await using (IotTcpConnection garbage = await IotTcpConnection.ConnectAsync(server.EndPoint!, expectHello: true))
        {
            var rng = new Random(1);
            for (int i = 0; i < 200; i++)
            {
                byte[] payload = new byte[rng.Next(0, 600)];
                rng.NextBytes(payload);
                (IotMessageType type, byte[] answer) = await garbage.RequestAsync((IotMessageType)rng.Next(0, 40), payload);
                if (type == IotMessageType.Challenge) continue;                 // a GetChallenge that happened to be well formed
                Assert.That(type, Is.EqualTo(IotMessageType.Error), $"frame {i}");
                Assert.That(IotWire.ReadError(answer).Status, Is.Not.EqualTo(EngineStatus.Ok));
            }
        }

        // 3. Many idle connections, then an honest device enrols and authenticates over TCP.
        var idle = new List<TcpClient>();
        try
        {
            for (int i = 0; i < 200; i++)
            {
                var c = new TcpClient();
                await c.ConnectAsync(server.EndPoint!);
                idle.Add(c);
            }
            Device device = net.NewDevice("honest");
            int tl = await device.EvaluateAsync(net.ToCloud, IotNetwork.GoodAttributes);
            await using IotTcpConnection oc = await IotTcpConnection.ConnectAsync(server.EndPoint!, expectHello: true);
            await device.RegisterAsync(oc, net.EnrolmentKey);
            await device.RequestTagAsync(oc, tl);
            (await device.AuthenticateAsync(oc)).Keys.Dispose();
            Assert.That(net.Oc.Counts.Confirmed, Is.EqualTo(1));
        }
        finally
        {
            foreach (TcpClient c in idle) c.Dispose();
        }
    }

    private static async Task ReadFrame(NetworkStream s)
    {
        byte[] header = new byte[5];
        await s.ReadExactlyAsync(header);
        await s.ReadExactlyAsync(new byte[BinaryPrimitives.ReadUInt32BigEndian(header) - 1]);
    }
}
