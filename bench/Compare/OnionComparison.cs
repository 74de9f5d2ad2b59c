using System.Diagnostics;
using System.Security.Cryptography;
using Engine.BigInt;
using Engine.Onion;
using Engine.Onion.Keys;
using Engine.Onion.Roles;
using Engine.Primitives.Groups;

namespace Engine.Bench.Compare;

/// <summary>
/// <c>compare onion</c>: the relay's per-packet costs against the references of issue #4, measured in one run.
/// Link setup at a relay (two variable-base exponentiations plus hashing and AES) against two OpenSSL
/// BN_mod_exp_mont_consttime calls (2048-bit modulus, 256-bit exponents) per setup; data forwarding at a relay
/// against AES-256-GCM encryption of a buffer of the same size. The relay runs unbatched for now.
/// </summary>
internal static class OnionComparison
{
    public static int Run(TextWriter output, bool quick)
    {
        int setups = quick ? 20 : 100, packets = quick ? 500 : 3000, rounds = quick ? 3 : 7, roundMs = quick ? 60 : 250;
        PrimeOrderGroup group = PrimeOrderGroups.Modp2048Q256;
        var parameters = new OnionParameters(group);
        using var kgc = new KeyGenerationCenter(parameters);
        (OnionNode relay, CertificatelessPrivateKey relayKey) = Enrol(kgc, "relay-1");
        (OnionNode destination, CertificatelessPrivateKey destinationKey) = Enrol(kgc, "destination");
        PublicNodeList.Verify(parameters, kgc.PublishNodeList(), kgc.ListSigningKey, kgc.MasterPublicKey, out var keys);
        var path = new List<CertificatelessPublicKey> { keys.Single(k => k.Id == "relay-1"), keys.Single(k => k.Id == "destination") };

        output.WriteLine($"# compare onion — {DateTime.UtcNow:yyyy-MM-dd}, {CompareRunner.CpuModel()}, .NET {Environment.Version}, one thread, {group.Name}");

        // Link setup at the relay: every packet can be processed once (replay cache), so prepare them first.
        var prepared = Enumerable.Range(0, setups).Select(_ => OnionClient.BeginLink(path, DateTimeOffset.UtcNow.AddHours(1))).ToList();
        var sw = Stopwatch.StartNew();
        foreach (ClientLink link in prepared)
            if (relay.ProcessSetup(link.Packet, "client", DateTimeOffset.UtcNow, out _) != EngineStatus.Ok) throw new InvalidOperationException("setup refused");
        double relaySetupUs = sw.Elapsed.TotalMicroseconds / setups;

        byte[] modulus = new byte[256];
        BigEndian.TryFromLimbs(SchnorrGroups.Modp2048Q256.P.Modulus, modulus);
        byte[] b = RandomNumberGenerator.GetBytes(256), e = RandomNumberGenerator.GetBytes(32);
        b[0] &= 0x7f;
        Action? openssl = ModExpComparison.OpenSslCall(modulus, b, e, constantTime: true);
        double opensslUs = openssl is null ? double.NaN : CompareRunner.Measure([openssl], rounds, roundMs)[0];

        // Data forwarding at the relay: one established link, packets prepared in sequence order.
        ClientLink established = OnionClient.BeginLink(path, DateTimeOffset.UtcNow.AddHours(1));
        relay.ProcessSetup(established.Packet, "client", DateTimeOffset.UtcNow, out Outgoing forward);
        destination.ProcessSetup(forward.Packet, relay.Handle, DateTimeOffset.UtcNow, out Outgoing ack);
        relay.ProcessAck(ack.Packet, DateTimeOffset.UtcNow, out Outgoing toClient);
        if (established.Complete(toClient.Packet) != EngineStatus.Ok) throw new InvalidOperationException("link not established");

        output.WriteLine();
        output.WriteLine("| operation | engine µs | reference µs | ratio | target |");
        output.WriteLine("|---|---:|---:|---:|---|");
        output.WriteLine($"| relay link setup vs 2 × OpenSSL consttime modexp (2048/256) | {relaySetupUs:F0} | {2 * opensslUs:F0} | engine / reference **{relaySetupUs / (2 * opensslUs):F2}** (throughput {2 * opensslUs / relaySetupUs:F2} ×) | batched throughput ≥ 2 × |");
        foreach (int payload in new[] { 256, 1024, 4096 })
        {
            var dataPackets = Enumerable.Range(0, packets).Select(_ => established.SealForward(new byte[payload], DateTimeOffset.UtcNow.AddHours(1))).ToList();
            sw.Restart();
            foreach (byte[] p in dataPackets)
                if (relay.ProcessData(p, DateTimeOffset.UtcNow, out _, out _) != EngineStatus.Ok) throw new InvalidOperationException("data refused");
            double relayDataUs = sw.Elapsed.TotalMicroseconds / packets;
            int size = dataPackets[0].Length;
            byte[] key = RandomNumberGenerator.GetBytes(32), nonce = new byte[12], plain = new byte[size], cipher = new byte[size], tag = new byte[16];
            using var gcm = new AesGcm(key, 16);
            double gcmUs = CompareRunner.Measure([() => gcm.Encrypt(nonce, plain, cipher, tag)], rounds, roundMs)[0];
            output.WriteLine($"| relay forwards a {size}-byte data packet ({payload}-byte payload) vs AES-256-GCM of {size} bytes | {relayDataUs:F1} | {gcmUs:F1} | relay throughput = **{gcmUs / relayDataUs * 100:F0} %** of AES-GCM | ≥ 50 % |");
        }
        output.WriteLine();
        output.WriteLine("Exponentiations per hop (paper's efficiency table): sender 4 per hop (2 fixed-base: g^ω, g^X; 2 variable-base: P^ω, P^X, with P_ID precomputed); relay 2 variable-base (W^x, Y^x) on setup and 1 fixed-base + 1 variable-base (g^X', Y^X') on the ACK; none per data packet.");

        foreach (ClientLink l in prepared) l.Dispose();
        established.Dispose();
        relay.Dispose(); destination.Dispose(); relayKey.Dispose(); destinationKey.Dispose();
        return 0;
    }

    private static (OnionNode, CertificatelessPrivateKey) Enrol(KeyGenerationCenter kgc, string id)
    {
        using var secret = new CertificatelessSecretValue(kgc.Parameters, id);
        byte[] partial = new byte[kgc.PartialKeySizeInBytes];
        kgc.IssuePartialKey(id, secret.PublicValue, partial);
        secret.Complete(partial, kgc.MasterPublicKey, out CertificatelessPrivateKey? key);
        return (new OnionNode(key!), key!);
    }
}
