using System.Security.Cryptography;
using System.Text.Json;
using Engine.IotAuth;
using Engine.IotAuth.Auth;
using Engine.IotAuth.Tags;
using Engine.Pairing.Fields;
using Engine.Pairing.Groups;
using Engine.Pairing.HashToCurve;
using Engine.Pairing.Pairings;

namespace Engine.Bench.Compare;

/// <summary>
/// <c>compare iot-auth</c> (Protocol 3, SPEC.md §3.4): the device's proof, the OC's verification with γ and the public
/// verification with the pairing, each single and batched ×64, against @chainsafe/blst's BLS verify (hash to G2 + a
/// two-pair product: the pairing work of the public verifier) measured in the same run. Also the paper's other
/// cost figures (tag issue, the device's tag check) and the components that bound the verifiers.
/// </summary>
internal static class IotAuthComparison
{
    private sealed record Op(string Name, string Description, Action Engine, int PerCall = 1);

    public static int Run(TextWriter output, bool quick)
    {
        int rounds = quick ? 3 : 7, roundMs = quick ? 60 : 250;
        const int batch = 64;
        using TagKey key = TagKey.Generate(1);
        byte[] nonce = RandomNumberGenerator.GetBytes(32);
        Fr m = TagMessage.Compute("sensor-17"u8, 1, nonce);
        key.TryIssue(m, out G1Affine tag);
        DeviceCredential.Create(tag, m, 1, nonce, key.PublicKey, "oc-1"u8, out DeviceCredential? credential);
        using DeviceCredential device = credential!;
        device.Precompute();

        var challenges = new byte[batch][];
        var proofs = new byte[batch][];
        for (int i = 0; i < batch; i++)
        {
            challenges[i] = NewChallenge();
            proofs[i] = new byte[IotAuthParameters.ProofSize];
            DeviceProver.Prove(device, challenges[i], proofs[i], out SessionKeys? k);
            k!.Dispose();
        }
        ProofVerifier withGamma = ProofVerifier.WithTagKey(key, batch), publicVerifier = ProofVerifier.WithPublicKey(key.PublicKey, batch);
        var results = new EngineStatus[batch];
        if (withGamma.Verify(challenges[0], proofs[0]) != EngineStatus.Ok || publicVerifier.Verify(challenges[0], proofs[0]) != EngineStatus.Ok)
            throw new InvalidOperationException("engine proofs do not verify");
        byte[] scratchProof = new byte[IotAuthParameters.ProofSize];
        byte[] a1 = proofs[0][..48];
        G1Projective[] msmPoints = new G1Projective[4];
        Fr[] msmScalars = new Fr[4];
        for (int i = 0; i < 4; i++) { msmPoints[i] = G1Projective.Generator.Multiply(Fr.FromUInt64((ulong)(i + 2))); msmScalars[i] = Fr.RandomNonZero(); }
        G2Prepared[] prepared = [G2Prepared.Generator, key.Prepared];
        G1Affine[] twoG1 = [tag, G1Affine.Generator.Negate()];

        void VerifyBatch(ProofVerifier v)
        {
            v.Clear();
            for (int i = 0; i < batch; i++) v.Add(challenges[i], proofs[i]);
            v.VerifyAll(results);
        }

        var ops = new List<Op>
        {
            new("device_prove", "device: proof generation (5 fixed-base + 1 variable-base G1 mul, no pairing)", () =>
            {
                DeviceProver.Prove(device, challenges[0], scratchProof, out SessionKeys? k);
                k!.Dispose();
            }),
            new("oc_verify", "OC: verification with γ, single", () => withGamma.Verify(challenges[0], proofs[0])),
            new("oc_verify_batch", $"OC: verification with γ, batched ×{batch} (per proof)", () => VerifyBatch(withGamma), batch),
            new("public_verify", "public verifier (pairing), single", () => publicVerifier.Verify(challenges[0], proofs[0])),
            new("public_verify_batch", $"public verifier (pairing), batched ×{batch} (per proof)", () => VerifyBatch(publicVerifier), batch),
            new("tag_issue", "OC: tag issue A = g1^(1/(γ+m)) (inversion + fixed-base mul)", () => key.TryIssue(m, out _)),
            new("tag_check", "device: tag check e(A, W·g2^m) = e(g1, g2)", () => DeviceCredential.CheckTag(tag, m, key.PublicKey)),
            new("g1_decode", "component: G1 decompress + subgroup check (4 per proof)", () => G1Affine.Decode(a1, out _)),
            new("msm4", "component: 4-term G1 sum (Straus + GLV), the Σ-equation", () => G1Projective.MultiplySumVarTime(msmPoints, msmScalars)),
            new("g1_mul", "component: G1 multiplication, constant time (A'^γ)", () => msmPoints[0].Multiply(msmScalars[0])),
            new("pairing2", "component: two-pair product with prepared G2 (the public tag equation)", () => OptimalAte.Check(twoG1, prepared)),
        };

        output.WriteLine($"# compare iot-auth — {DateTime.UtcNow:yyyy-MM-dd}, {CompareRunner.CpuModel()}, .NET {Environment.Version}, one thread");
        output.WriteLine($"rounds {rounds} × {roundMs} ms per block, blocks engine/node/engine/node; µs per proof (mean of two block medians)");
        double? blstVerify = null;
        string? skipReason = null;
        string? inputs = null;
        if (!NodeReference.EnsureInstalled(output, out string reason)) skipReason = reason;
        else inputs = BlsReferenceInputs.Create(8).Write(Path.Combine(NodeReference.Folder, "iot-inputs.json"), only: ["verify"]);

        var engine = new double[ops.Count];
        for (int block = 0; block < 2; block++)
        {
            double[] e = CompareRunner.Measure(ops.Select(o => o.Engine).ToList(), rounds, roundMs);
            for (int i = 0; i < e.Length; i++) engine[i] += e[i] / ops[i].PerCall / 2;
            if (inputs is null) continue;
            using JsonDocument doc = JsonDocument.Parse(NodeReference.Measure(inputs, rounds, roundMs));
            if (!doc.RootElement.GetProperty("checks").GetProperty("blstVerify").GetBoolean()) throw new InvalidOperationException("blst does not verify the reference signature");
            blstVerify = (blstVerify ?? 0) + doc.RootElement.GetProperty("results").GetProperty("verify").GetProperty("blst").GetDouble() / 2;
        }
        if (skipReason is not null) output.WriteLine($"warning: blst skipped: {skipReason}");
        double T(string name) => engine[ops.FindIndex(o => o.Name == name)];
        output.WriteLine();
        output.WriteLine("| operation | engine µs | engine / blst verify |");
        output.WriteLine("|---|---:|---:|");
        foreach ((Op op, double t) in ops.Zip(engine))
            output.WriteLine($"| {op.Description} | {t:F1} | {(blstVerify is double b ? $"{t / b:F2}" : "n/a")} |");
        output.WriteLine($"| reference: @chainsafe/blst BLS verify (hash to G2 + 2-pair product) | {(blstVerify is double bv ? $"{bv:F1}" : "n/a")} | 1.00 |");
        output.WriteLine();
        output.WriteLine("| target | measured | met? |");
        output.WriteLine("|---|---:|---|");
        if (blstVerify is double v)
        {
            Row("public verification ≤ 1.5 × blst verify", T("public_verify") / v, r => r <= 1.5);
            Row("OC verification with γ ≤ 0.5 × blst verify", T("oc_verify") / v, r => r <= 0.5);
            Row("device proof ≤ 0.5 × blst verify", T("device_prove") / v, r => r <= 0.5);
        }
        Row($"OC batched ×{batch} ≥ 5 × single-proof throughput", T("oc_verify") / T("oc_verify_batch"), r => r >= 5, "×");
        Row($"public batched ×{batch} ≥ 5 × single-proof throughput", T("public_verify") / T("public_verify_batch"), r => r >= 5, "×");
        output.WriteLine();
        output.WriteLine($"per proof, decoding the four points costs {4 * T("g1_decode"):F0} µs: {4 * T("g1_decode") / T("oc_verify_batch") * 100:F0} % of a batched OC verification " +
                         $"(subgroup checks cannot be batched soundly: the cofactor has small factors)");
        return 0;

        void Row(string target, double ratio, Func<double, bool> met, string unit = "")
            => output.WriteLine($"| {target} | {ratio:F2}{unit} | {(met(ratio) ? "yes" : "**no**")} |");
    }

    private static byte[] NewChallenge()
    {
        Fr a = Fr.RandomNonZero();
        byte[] y = new byte[48], ch = new byte[ChallengeFields.SizeFor(4)];
        G1FixedBase.Generator.Multiply(a).ToAffine().EncodeCompressed(y);
        ChallengeFields.Write(RandomNumberGenerator.GetBytes(32), (ulong)DateTimeOffset.UtcNow.ToUnixTimeSeconds(), y, "oc-1"u8, ch);
        return ch;
    }
}
