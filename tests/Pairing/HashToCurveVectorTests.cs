using System.Text;
using System.Text.Json;
using Engine.Pairing.Fields;
using Engine.Pairing.Groups;
using Engine.Pairing.HashToCurve;
using Engine.Tests.Support;
using NUnit.Framework;

namespace Engine.Tests.Pairing;

/// <summary>RFC 9380 vectors (Appendix J.9–J.10, K.1–K.2): every intermediate value, not just the final point.</summary>
[TestFixture, Category("Vectors"), Category("Kernels")]
public sealed class HashToCurveVectorTests
{
    public static IEnumerable<TestCaseData> SuiteCases()
    {
        foreach (string suite in new[] { "BLS12381G1_XMD_SHA-256_SSWU_RO_", "BLS12381G1_XMD_SHA-256_SSWU_NU_", "BLS12381G2_XMD_SHA-256_SSWU_RO_", "BLS12381G2_XMD_SHA-256_SSWU_NU_" })
        {
            using JsonDocument doc = VectorFiles.Json($"hash-to-curve/{suite}.json");
            int i = 0;
            foreach (JsonElement v in doc.RootElement.GetProperty("vectors").EnumerateArray())
                yield return new TestCaseData(suite, i).SetName($"HashToCurve_{suite}_vector{i++}");
        }
    }

    [TestCaseSource(nameof(SuiteCases))]
    public void Suite_ReproducesFieldElementsMapOutputsAndPoint(string suite, int index)
    {
        using JsonDocument doc = VectorFiles.Json($"hash-to-curve/{suite}.json");
        byte[] dst = Encoding.ASCII.GetBytes(doc.RootElement.GetProperty("dst").GetString()!);
        JsonElement v = doc.RootElement.GetProperty("vectors")[index];
        byte[] msg = Encoding.ASCII.GetBytes(v.GetProperty("msg").GetString()!);
        bool ro = suite.EndsWith("RO_", StringComparison.Ordinal);
        string[] u = v.GetProperty("u").EnumerateArray().Select(e => e.GetString()!).ToArray();

        if (suite.Contains("G1", StringComparison.Ordinal))
        {
            var fields = new Fp[u.Length];
            HashToField.ToFp(msg, dst, fields);
            for (int i = 0; i < u.Length; i++) Assert.That(fields[i].ToString(), Is.EqualTo(Strip(u[i])), $"u[{i}]");
            for (int i = 0; i < u.Length; i++)
                AssertPoint(HashToGroup.MapToCurveG1(fields[i]).ToAffine(), v.GetProperty(ro ? $"Q{i}" : "Q"), $"Q{i}");
            G1Affine p = (ro ? HashToGroup.HashToG1(msg, dst) : HashToGroup.EncodeToG1(msg, dst)).ToAffine();
            AssertPoint(p, v.GetProperty("P"), "P");
            Assert.That(p.IsTorsionFree, Is.True);
        }
        else
        {
            var fields = new Fp2[u.Length];
            HashToField.ToFp2(msg, dst, fields);
            for (int i = 0; i < u.Length; i++) Assert.That(Fp2Hex(fields[i]), Is.EqualTo(u[i]), $"u[{i}]");
            for (int i = 0; i < u.Length; i++)
                AssertPoint(HashToGroup.MapToCurveG2(fields[i]).ToAffine(), v.GetProperty(ro ? $"Q{i}" : "Q"), $"Q{i}");
            G2Affine p = (ro ? HashToGroup.HashToG2(msg, dst) : HashToGroup.EncodeToG2(msg, dst)).ToAffine();
            AssertPoint(p, v.GetProperty("P"), "P");
            Assert.That(p.IsTorsionFree, Is.True);
        }
    }

    private static string Strip(string hex) => hex[2..];

    private static string Fp2Hex(Fp2 f) => $"0x{f.C0},0x{f.C1}";

    private static void AssertPoint(G1Affine p, JsonElement expected, string what)
    {
        Assert.That(p.X.ToString(), Is.EqualTo(Strip(expected.GetProperty("x").GetString()!)), what + ".x");
        Assert.That(p.Y.ToString(), Is.EqualTo(Strip(expected.GetProperty("y").GetString()!)), what + ".y");
    }

    private static void AssertPoint(G2Affine p, JsonElement expected, string what)
    {
        Assert.That(Fp2Hex(p.X), Is.EqualTo(expected.GetProperty("x").GetString()!), what + ".x");
        Assert.That(Fp2Hex(p.Y), Is.EqualTo(expected.GetProperty("y").GetString()!), what + ".y");
    }

    public static IEnumerable<TestCaseData> ExpandCases()
    {
        foreach (string file in new[] { "expand_message_xmd_SHA256_38.json", "expand_message_xmd_SHA256_256.json" })
        {
            using JsonDocument doc = VectorFiles.Json("hash-to-curve/" + file);
            string dst = doc.RootElement.GetProperty("DST").GetString()!;
            int i = 0;
            foreach (JsonElement t in doc.RootElement.GetProperty("tests").EnumerateArray())
                yield return new TestCaseData(dst, t.GetProperty("msg").GetString()!, Convert.ToInt32(t.GetProperty("len_in_bytes").GetString()!, 16),
                                              t.GetProperty("uniform_bytes").GetString()!).SetName($"ExpandMessageXmd_{file}_{i++}");
        }
    }

    [TestCaseSource(nameof(ExpandCases))]
    public void ExpandMessageXmd_MatchesRfc9380(string dst, string msg, int length, string expected)
    {
        byte[] output = new byte[length];
        ExpandMessageXmd.Expand(Encoding.ASCII.GetBytes(msg), Encoding.ASCII.GetBytes(dst), output);
        Assert.That(Hex.Encode(output), Is.EqualTo(expected));
    }

    [Test, Category("Malformed")]
    public void ExpandMessageXmd_RejectsBadLengths()
    {
        Assert.Throws<ArgumentException>(() => ExpandMessageXmd.Expand([], "D"u8, new byte[0]));
        Assert.Throws<ArgumentException>(() => ExpandMessageXmd.Expand([], "D"u8, new byte[8161]));
        Assert.Throws<ArgumentException>(() => ExpandMessageXmd.Expand([], [], new byte[32]));
    }

    [Test, Category("Property")]
    public void BatchHashing_EqualsOneAtATime_AndHashToScalarIsUniformlyReduced()
    {
        byte[] dst = "ENGINE-V1-TEST"u8.ToArray();
        ReadOnlyMemory<byte>[] messages = Enumerable.Range(0, 5).Select(i => (ReadOnlyMemory<byte>)Encoding.ASCII.GetBytes("m" + i)).ToArray();
        var g1 = new G1Projective[5];
        var g2 = new G2Projective[5];
        HashToGroup.HashToG1(messages, dst, g1);
        HashToGroup.HashToG2(messages, dst, g2);
        for (int i = 0; i < 5; i++)
        {
            Assert.That(g1[i], Is.EqualTo(HashToGroup.HashToG1(messages[i].Span, dst)), $"G1 {i}");
            Assert.That(g2[i], Is.EqualTo(HashToGroup.HashToG2(messages[i].Span, dst)), $"G2 {i}");
        }
        // hash_to_scalar = expand_message_xmd(48 bytes) mod r, checked with BigInteger.
        byte[] uniform = new byte[48];
        ExpandMessageXmd.Expand("abc"u8, dst, uniform);
        var expected = new System.Numerics.BigInteger(uniform, true, true) % PairingOracles.R;
        Assert.That(PairingOracles.FromFr(HashToGroup.HashToScalar("abc"u8, dst)), Is.EqualTo(expected));
    }
}
