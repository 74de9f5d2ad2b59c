using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Engine.Hosting.Framing;
using Engine.Hosting.Onion;
using Engine.Primitives.Groups;
using Engine.Tests.Onion;
using NUnit.Framework;

namespace Engine.Tests.Hosting;

/// <summary>
/// The KGC directory on the one role server (issue #14) under hostile clients: connections over the caps are closed,
/// a flood of refused frames (unknown types, forged registrations) gets Error answers and changes nothing, an
/// oversized frame closes its connection before its body is read, and an honest client is served throughout.
/// </summary>
[TestFixture, Category("EndToEnd"), NonParallelizable]
public sealed class KgcServerHostileClientTests
{
    [Test]
    public async Task Floods_OverCapConnections_AndOversizedFrames_AreRefused_WhileAnHonestClientIsServed()
    {
        using var network = new OnionTestNetwork(PrimeOrderGroups.Modp2048Q256);
        byte[] enrolmentKey = new byte[Engine.Onion.Keys.Enrolment.KeySize];
        await using var server = new KgcDirectoryServer(network.Kgc, enrolmentKey) { Limits = ConnectionLimits.Default with { MaxConnections = 8, MaxConnectionsPerAddress = 4 } };
        await server.StartAsync(IPAddress.Loopback, 0);

        var idle = new List<TcpClient>();
        try
        {
            for (int i = 0; i < 10; i++)
            {
                var c = new TcpClient();
                await c.ConnectAsync(server.EndPoint!);
                idle.Add(c);
            }
            for (int i = 0; i < 100 && server.Connections.RefusedPerAddress < 6; i++) await Task.Delay(50);
            Assert.That(server.Connections.RefusedPerAddress, Is.EqualTo(6), "all but 4 from one address closed at once");

            // While 127.0.0.1 holds its four, a connection from another address floods refused requests: every one is
            // answered with an Error frame and none is stored.
            using var flooder = new TcpClient(new IPEndPoint(IPAddress.Parse("127.0.0.2"), 0));
            await flooder.ConnectAsync(server.EndPoint!);
            NetworkStream stream = flooder.GetStream();
            byte[] forged = Engine.Onion.Keys.Enrolment.CreateRegistration("relay-1", 7401, new byte[32].Select((_, i) => (byte)(i + 1)).ToArray(), DateTimeOffset.UtcNow);
            int errors = 0;
            for (int i = 0; i < 500; i++)
            {
                (byte type, byte[] payload) = i % 2 == 0 ? ((byte)99, new byte[] { 1, 2, 3 }) : ((byte)KgcFrameType.Register, forged);
                byte[] frame = new byte[Frame.HeaderSize + payload.Length];
                Frame.Write(frame, type, payload);
                await stream.WriteAsync(frame);
                byte[] header = new byte[Frame.HeaderSize];
                await stream.ReadExactlyAsync(header);
                byte[] answer = new byte[BinaryPrimitives.ReadUInt32BigEndian(header) - 1];
                await stream.ReadExactlyAsync(answer);
                if (header[4] == (byte)KgcFrameType.Error) errors++;
            }
            Assert.That(errors, Is.EqualTo(500), "every flooded request was refused");
            Assert.That(server.Endpoints, Is.Empty, "a registration under the wrong enrolment key is not recorded");

            // A frame announcing more than the KGC's 64 KiB is cut off before its body is read.
            using var oversized = new TcpClient(new IPEndPoint(IPAddress.Parse("127.0.0.3"), 0));
            await oversized.ConnectAsync(server.EndPoint!);
            byte[] big = new byte[Frame.HeaderSize];
            BinaryPrimitives.WriteUInt32BigEndian(big, 1 << 20);
            big[4] = (byte)KgcFrameType.GetDirectory;
            await oversized.GetStream().WriteAsync(big);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            int read;
            try { read = await oversized.GetStream().ReadAsync(new byte[16], timeout.Token); }
            catch (IOException) { read = 0; }
            Assert.That(read, Is.Zero, "the connection was closed");

            // Meanwhile an honest client (from yet another address) gets the signed directory.
            using var honestSocket = new TcpClient(new IPEndPoint(IPAddress.Parse("127.0.0.4"), 0));
            await honestSocket.ConnectAsync(server.EndPoint!);
            NetworkStream h = honestSocket.GetStream();
            byte[] request = new byte[Frame.HeaderSize];
            Frame.Write(request, (byte)KgcFrameType.GetDirectory, []);
            await h.WriteAsync(request);
            byte[] head = new byte[Frame.HeaderSize];
            await h.ReadExactlyAsync(head);
            byte[] body = new byte[BinaryPrimitives.ReadUInt32BigEndian(head) - 1];
            await h.ReadExactlyAsync(body);
            Assert.That(head[4], Is.EqualTo((byte)KgcFrameType.Directory));
            Assert.That(KgcDirectoryServer.DecodeDirectory(body, out byte[]? list, out _), Is.EqualTo(EngineStatus.Ok));
            Assert.That(Engine.Onion.Keys.PublicNodeList.Verify(network.Kgc.Parameters, list, network.Kgc.ListSigningKey, network.Kgc.MasterPublicKey, out var keys),
                        Is.EqualTo(EngineStatus.Ok));
            Assert.That(keys.Select(k => k.Id), Does.Contain("relay-1"));
        }
        finally
        {
            foreach (TcpClient c in idle) c.Dispose();
        }
    }
}
