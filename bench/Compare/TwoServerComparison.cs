using System.Diagnostics;
using System.Security.Cryptography;
using Engine.BigInt;
using Engine.Interop.Reference;
using Engine.Primitives.Xor;
using Engine.TwoServer;
using Engine.TwoServer.Partitions;
using Engine.TwoServer.Records;
using Engine.TwoServer.Roles;

namespace Engine.Bench.Compare;

/// <summary>
/// <c>compare two-server</c>: the costs of issue #5 against their references in one run. XOR kernels against a
/// plain copy of the same bytes (memory traffic per second: XOR reads two buffers and writes one, a copy reads one
/// and writes one); record verification (two Montgomery multiplications mod the 2050-bit q) against two OpenSSL
/// BN_mod_mul_montgomery calls; and a round of the paper's experiment (n = 2000, one message per user) split into
/// share generation, fan-out and reconstruction with verification, measured on sampled users and scaled.
/// </summary>
internal static class TwoServerComparison
{
    public static int Run(TextWriter output, bool quick)
    {
        int rounds = quick ? 3 : 7, roundMs = quick ? 60 : 200;
        output.WriteLine($"# compare two-server — {DateTime.UtcNow:yyyy-MM-dd}, {CompareRunner.CpuModel()}, .NET {Environment.Version}, one thread, tier {Kernels.Describe()}");
        output.WriteLine();
        output.WriteLine("| operation | engine | reference | ratio | target |");
        output.WriteLine("|---|---:|---:|---:|---|");
        foreach ((string label, int bytes) in new[] { ("64 MiB buffers (memory)", 64 << 20), ("64 KiB buffers (L2)", 64 << 10) })
        {
            byte[] a = RandomNumberGenerator.GetBytes(bytes), b = RandomNumberGenerator.GetBytes(bytes), dst = new byte[bytes];
            double[] t = CompareRunner.Measure([() => XorKernels.Xor(a, b, dst), () => XorKernels.XorInPlace(dst, a), () => a.AsSpan().CopyTo(dst)], rounds, roundMs);
            double xorGBs = 3.0 * bytes / t[0] / 1e3, inPlaceGBs = 3.0 * bytes / t[1] / 1e3, copyGBs = 2.0 * bytes / t[2] / 1e3;
            output.WriteLine($"| dst = a ⊕ b, {label}: memory traffic | {xorGBs:F1} GB/s | copy {copyGBs:F1} GB/s | **{xorGBs / copyGBs * 100:F0} %** of copy | ≥ 80 % |");
            output.WriteLine($"| dst ⊕= a, {label}: memory traffic | {inPlaceGBs:F1} GB/s | copy {copyGBs:F1} GB/s | **{inPlaceGBs / copyGBs * 100:F0} %** of copy | ≥ 80 % |");
        }

        TwoServerParameters p = TwoServerParameters.Default;
        const int records = 256;
        int size = p.RecordSize;
        byte[] s1 = new byte[records * size], s2 = new byte[records * size], rebuilt = new byte[records * size], shares = new byte[4 * size];
        for (int k = 0; k < records; k++)
        {
            GroupPartition partition = GroupPartition.ForRecipient(2, 0);
            MessageSharer.CreateShares(p, partition, "benchmark"u8, false, shares);
            int side = partition.RecipientSideAtS1;
            shares.AsSpan(ShareLayout.Index(1, side) * size, size).CopyTo(s1.AsSpan(k * size));
            shares.AsSpan(ShareLayout.Index(2, 1 - side) * size, size).CopyTo(s2.AsSpan(k * size));
        }
        var verdicts = new RecordVerdict[records];
        var payloads = new Range[records];
        Action engine = () => MessageReconstructor.ReconstructMany(p, s1, s2, rebuilt, verdicts, payloads);
        Action? openssl = null;
        OpenSslModulus? modulus = null;
        OpenSslBigNum? x = null, y = null, r = null;
        if (OpenSsl.IsAvailable)
        {
            byte[] q = new byte[p.FieldSize];
            BigEndian.TryFromLimbs(p.Q.Modulus, q);
            modulus = new OpenSslModulus(q);
            x = OpenSslBigNum.FromBigEndian(s1.AsSpan(2 * p.FieldSize, p.FieldSize));
            y = OpenSslBigNum.FromBigEndian(s1.AsSpan(p.FieldSize, p.FieldSize));
            r = new OpenSslBigNum();
            modulus.ToMontgomery(x, x);
            OpenSslModulus m = modulus;
            OpenSslBigNum xx = x, yy = y, rr = r;
            openssl = () => { for (int k = 0; k < records; k++) { m.MulMontgomery(rr, xx, yy); m.MulMontgomery(rr, rr, yy); } };
        }
        double[] v = CompareRunner.Measure(openssl is null ? [engine] : [engine, openssl], rounds, roundMs);
        if (verdicts.Any(verdict => verdict != RecordVerdict.Accepted)) throw new InvalidOperationException("verification failed");
        double enginePer = v[0] / records, sslPer = openssl is null ? double.NaN : v[1] / records;
        output.WriteLine($"| record verification (XOR, then one random linear combination per {AuthenticatedRecord.BatchSize} records mod the {p.Q.BitLength}-bit q), {records} at once, per record | {enginePer:F2} µs | 2 × OpenSSL BN_mod_mul_montgomery {sslPer:F2} µs | throughput **{sslPer / enginePer:F2} ×** | ≥ 2 × |");
        modulus?.Dispose(); x?.Dispose(); y?.Dispose(); r?.Dispose();

        RoundSplit(output, p, quick ? 500 : 2000, quick ? 4 : 16);
        return 0;
    }

    /// <summary>
    /// The paper's round (Figures 2–3): n users, one message each to a random recipient. Share generation is measured
    /// for every sender; the servers' fan-out and the receivers' reconstruction for <paramref name="sampled"/> users,
    /// scaled to n (every member's inbox has the same shape, one entry per message).
    /// </summary>
    private static void RoundSplit(TextWriter output, TwoServerParameters p, int n, int sampled)
    {
        var round = new InProcessRound(p, n);
        var partitions = Enumerable.Range(0, n).Select(_ => GroupPartition.ForRecipient(n, RandomNumberGenerator.GetInt32(n))).ToArray();
        byte[] payload = RandomNumberGenerator.GetBytes(p.MaxPayload);
        var sw = Stopwatch.StartNew();
        foreach (GroupPartition partition in partitions) round.Send(partition, payload);
        double generationMs = sw.Elapsed.TotalMilliseconds;

        int inboxBytes = FanOut.InboxSize(round.S1Uploads, 0, p.RecordSize);
        byte[] inbox1 = new byte[inboxBytes], inbox2 = new byte[inboxBytes];
        int[] users = Enumerable.Range(0, sampled).Select(i => i * (n / sampled)).ToArray();
        double fanOutMs = 0, receiveMs = 0;
        int accepted = 0;
        foreach (int u in users)
        {
            sw.Restart();
            FanOut.WriteInbox(round.S1Uploads, u, p.RecordSize, inbox1);
            FanOut.WriteInbox(round.S2Uploads, u, p.RecordSize, inbox2);
            fanOutMs += sw.Elapsed.TotalMilliseconds;
            sw.Restart();
            InboxReader.ReadRound(p, inbox1, inbox2, out List<ReceivedMessage> got);
            receiveMs += sw.Elapsed.TotalMilliseconds;
            accepted += got.Count(m => m.Verdict == RecordVerdict.Accepted);
        }
        double scale = n / (double)sampled;
        double fanOut = fanOutMs * scale, receive = receiveMs * scale, total = generationMs + fanOut + receive;
        output.WriteLine();
        output.WriteLine($"Round of the paper's experiment, in process: n = {n}, B = {p.BlockSize}, one message per user; fan-out and reconstruction measured on {sampled} users and scaled by n/{sampled}; {accepted} messages accepted by the sampled users.");
        output.WriteLine();
        output.WriteLine("| step | whole round (ms, one core) | per message (ms) | share of the round |");
        output.WriteLine("|---|---:|---:|---:|");
        void Row(string step, double ms) => output.WriteLine($"| {step} | {ms:F0} | {ms / n:F3} | {ms / total * 100:F0} % |");
        Row("share generation (senders)", generationMs);
        Row($"fan-out (both servers; {2L * inboxBytes * n / 1e6:F0} MB of inboxes)", fanOut);
        Row("reconstruction and verification (receivers)", receive);
        Row("total", total);
    }
}
