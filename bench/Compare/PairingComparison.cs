using System.Text;
using System.Text.Json;
using Engine.BigInt;
using Engine.Pairing.Fields;
using Engine.Pairing.Groups;
using Engine.Pairing.HashToCurve;
using Engine.Pairing.Pairings;

namespace Engine.Bench.Compare;

/// <summary>
/// <c>compare pairing</c>: the engine against blst (through @chainsafe/blst) and @noble/curves on the same inputs.
/// The engine writes the inputs (keys, messages, BLS signatures in the min-pk scheme), the reference script checks
/// that blst and noble accept them, then both sides are measured in alternating blocks (engine, node, engine, node)
/// and each time is the mean of the two block medians. Ratios are engine time / reference time.
/// </summary>
/// <remarks>
/// The npm binding of blst exposes the signature API only, so blst rows are composite operations (sign = hash to G2
/// + G2 multiplication; verify = hash to G2 + two Miller loops + one final exponentiation), and the engine runs the
/// same composite. Bare pairing, Miller loop and final exponentiation are compared with noble only.
/// </remarks>
internal static class PairingComparison
{
    // The proof-of-possession ciphersuite DST that @chainsafe/blst (Ethereum consensus) signs with.
    private static readonly byte[] Dst = BlsReferenceInputs.Dst;

    private sealed record Op(string Name, string Description, Action Engine, string? Target);

    public static int Run(TextWriter output, bool quick)
    {
        int rounds = quick ? 3 : 7, roundMs = quick ? 60 : 250;
        const int n = 8;

        var inputs = BlsReferenceInputs.Create(n);
        (Fr[] sks, G1Affine[] pks, byte[][] msgs, G2Affine[] hashed, G2Affine sig, G2Affine agg) = (inputs.SecretKeys, inputs.PublicKeys, inputs.Messages, inputs.Hashed, inputs.Signature, inputs.Aggregate);
        G1Affine minusG1 = G1Affine.Generator.Negate();
        byte[] pk0 = new byte[48], sigBytes = new byte[96];
        pks[0].EncodeCompressed(pk0);
        sig.EncodeCompressed(sigBytes);
        MillerLoopResult ml = MillerLoop.Run(pks[0], sig);
        G2Affine[] verifyG2 = new G2Affine[n + 1];
        G1Affine[] verifyG1 = new G1Affine[n + 1];
        G2Projective[] hashScratch = new G2Projective[n];
        G2Affine[] hashAffine = new G2Affine[n];

        var ops = new List<Op>
        {
            new("g1_mul", "G1 scalar multiplication, GLV (generator, secret scalar)", () => G1Projective.Generator.Multiply(sks[0]).ToAffine(), "≤ 2.0 × blst"),
            new("g1_mul_fixed", "G1 generator multiplication, fixed-base table (secret scalar)", () => G1FixedBase.Generator.Multiply(sks[0]).ToAffine(), "≤ 2.0 × blst"),
            new("g2_mul", "G2 scalar multiplication (secret scalar)", () => sig.ToProjective().Multiply(sks[0]).ToAffine(), "≤ 2.0 × blst"),
            new("hash_to_g1", "hash to G1 (RFC 9380 RO, 32-byte message)", () => HashToGroup.HashToG1(msgs[0], Dst).ToAffine(), "≤ 2.0 × blst"),
            new("hash_to_g2", "hash to G2 (RFC 9380 RO, 32-byte message)", () => HashToGroup.HashToG2(msgs[0], Dst).ToAffine(), "≤ 2.0 × blst"),
            new("sign", "BLS sign = hash to G2 + G2 multiplication", () => HashToGroup.HashToG2(msgs[0], Dst).Multiply(sks[0]).ToAffine(), "G2 mul and hash ≤ 2.0 × blst"),
            new("pairing", "pairing e(P, Q)", () => OptimalAte.Pair(pks[0], sig), "≤ 2.0 × blst"),
            new("miller_loop", "Miller loop (one pair)", () => MillerLoop.Run(pks[0], sig), null),
            new("final_exp", "final exponentiation", () => ml.FinalExponentiation(), null),
            new("pairing_product_8", "product of 8 pairings (shared final exponentiation)", () => OptimalAte.MultiPair(pks, hashed), "≤ 2.0 × blst aggregate verify of 8"),
            new("verify", "BLS verify = hash to G2 + 2-pair product check", () =>
            {
                G2Affine h = HashToGroup.HashToG2(msgs[0], Dst).ToAffine();
                OptimalAte.Check([minusG1, pks[0]], [sig, h]);
            }, "pairing ≤ 2.0 × blst"),
            new("aggregate_verify_8", "BLS aggregate verify of 8 = 8 hashes + 9-pair product check", () =>
            {
                HashToGroup.HashToG2(msgs.Select(m => (ReadOnlyMemory<byte>)m).ToArray(), Dst, hashScratch);
                G2Projective.BatchToAffine(hashScratch, hashAffine);
                verifyG1[0] = minusG1; verifyG2[0] = agg;
                for (int i = 0; i < n; i++) { verifyG1[i + 1] = pks[i]; verifyG2[i + 1] = hashAffine[i]; }
                OptimalAte.Check(verifyG1, verifyG2);
            }, "≤ 2.0 × blst"),
            new("g1_decode", "G1 decompress + subgroup check", () => G1Affine.Decode(pk0, out _), null),
            new("g2_decode", "G2 decompress + subgroup check", () => G2Affine.Decode(sigBytes, out _), null),
        };

        output.WriteLine($"# compare pairing — {DateTime.UtcNow:yyyy-MM-dd}, {CompareRunner.CpuModel()}, .NET {Environment.Version}, one thread");
        output.WriteLine($"rounds {rounds} × {roundMs} ms per block, blocks engine/node/engine/node; µs per call (mean of two block medians)");

        // Engine sanity: what we feed the references must verify here first.
        if (!OptimalAte.Check([minusG1, pks[0]], [sig, hashed[0]])) throw new InvalidOperationException("engine signature does not verify");

        string? inputsPath = null;
        string? skipReason = null;
        if (!NodeReference.EnsureInstalled(output, out string reason)) skipReason = reason;
        else inputsPath = inputs.Write(Path.Combine(NodeReference.Folder, "inputs.json"), only: null);

        var engine = new double[ops.Count];
        var blst = new Dictionary<string, double>();
        var noble = new Dictionary<string, double>();
        for (int block = 0; block < 2; block++)
        {
            double[] e = CompareRunner.Measure(ops.Select(o => o.Engine).ToList(), rounds, roundMs);
            for (int i = 0; i < e.Length; i++) engine[i] += e[i] / 2;
            if (inputsPath is null) continue;
            using JsonDocument doc = JsonDocument.Parse(NodeReference.Measure(inputsPath, rounds, roundMs));
            if (block == 0)
            {
                foreach (JsonProperty check in doc.RootElement.GetProperty("checks").EnumerateObject())
                {
                    if (!check.Value.GetBoolean()) throw new InvalidOperationException($"reference cross-check failed: {check.Name}");
                }
                output.WriteLine("cross-checks: blst and noble verify the engine's signatures, blst derives the same public key");
            }
            foreach (JsonProperty op in doc.RootElement.GetProperty("results").EnumerateObject())
                foreach (JsonProperty lib in op.Value.EnumerateObject())
                {
                    var into = lib.Name == "blst" ? blst : noble;
                    into[op.Name] = into.GetValueOrDefault(op.Name) + lib.Value.GetDouble() / 2;
                }
        }

        if (skipReason is not null) output.WriteLine($"warning: reference implementations skipped: {skipReason}");
        output.WriteLine();
        output.WriteLine("| operation | engine µs | blst µs | noble µs | engine / blst | noble / engine | target |");
        output.WriteLine("|---|---:|---:|---:|---:|---:|---|");
        for (int i = 0; i < ops.Count; i++)
        {
            Op op = ops[i];
            string b = blst.TryGetValue(op.Name, out double bt) ? $"{bt:F1}" : "n/a";
            string nb = noble.TryGetValue(op.Name, out double nt) ? $"{nt:F1}" : "n/a";
            string ratio = blst.ContainsKey(op.Name) ? $"**{engine[i] / bt:F2}**" : "n/a";
            string speedup = noble.ContainsKey(op.Name) ? $"{nt / engine[i]:F1}" : "n/a";
            output.WriteLine($"| {op.Description} | {engine[i]:F1} | {b} | {nb} | {ratio} | {speedup} | {op.Target ?? ""} |");
        }
        if (blst.TryGetValue("aggregate_verify_8", out double agg8))
        {
            int product8 = ops.FindIndex(o => o.Name == "pairing_product_8");
            output.WriteLine();
            output.WriteLine($"product of 8 pairings per pairing: engine {engine[product8] / 8:F1} µs vs blst aggregate verify of 8 " +
                             $"{agg8 / 9:F1} µs per pairing (9 pairings, including 8 hashes): ratio **{engine[product8] / 8 / (agg8 / 9):F2}**");
        }
        return 0;
    }

}
