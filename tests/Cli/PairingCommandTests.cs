using System.Text.Json;
using Engine.Cli;
using Engine.Pairing.Groups;
using Engine.Tests.Support;
using NUnit.Framework;

namespace Engine.Tests.Cli;

/// <summary><c>engine pairing …</c>: results against the public vectors, statuses by name, errors per line.</summary>
[TestFixture]
public sealed class PairingCommandTests
{
    private static (int ExitCode, string[] Lines) Run(string input, params string[] args)
    {
        var output = new StringWriter();
        int code = Program.BuildRoot(new StringReader(input), output).Parse(args).Invoke();
        return (code, output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray());
    }

    private static string ZcashVector(string file, int size, int index)
        => Hex.Encode(VectorFiles.Bytes("zcash-serialization/" + file).AsSpan(index * size, size));

    [Test]
    public void HashToG1_MatchesTheRfc9380Vectors()
    {
        using JsonDocument doc = VectorFiles.Json("hash-to-curve/BLS12381G1_XMD_SHA-256_SSWU_RO_.json");
        string dst = doc.RootElement.GetProperty("dst").GetString()!;
        var vectors = doc.RootElement.GetProperty("vectors").EnumerateArray().ToArray();
        string input = string.Join('\n', vectors.Select(v => $"{dst} {Hex.Encode(System.Text.Encoding.ASCII.GetBytes(v.GetProperty("msg").GetString()!))}"));
        var (code, lines) = Run(input, "pairing", "hash-to-g1");
        Assert.That(code, Is.Zero);
        for (int i = 0; i < vectors.Length; i++)
        {
            Assert.That(G1Affine.Decode(Hex.Decode(lines[i]), out G1Affine p), Is.EqualTo(EngineStatus.Ok), $"vector {i}");
            Assert.That("0x" + p.X, Is.EqualTo(vectors[i].GetProperty("P").GetProperty("x").GetString()), $"vector {i}");
            Assert.That("0x" + p.Y, Is.EqualTo(vectors[i].GetProperty("P").GetProperty("y").GetString()), $"vector {i}");
        }
    }

    [Test]
    public void MulPairAndCheck_MatchTheZcashAndRelicVectors()
    {
        string g1 = ZcashVector("g1_compressed_valid_test_vectors.dat", 48, 1);
        string g2 = ZcashVector("g2_compressed_valid_test_vectors.dat", 96, 1);
        var (c1, mul1) = Run($"{g1} 07\n{g1} 3e7", "pairing", "g1-mul");
        Assert.That(c1, Is.Zero);
        Assert.That(mul1, Is.EqualTo(new[] { ZcashVector("g1_compressed_valid_test_vectors.dat", 48, 7), ZcashVector("g1_compressed_valid_test_vectors.dat", 48, 999) }));
        var (c2, mul2) = Run($"{g2} 0x05", "pairing", "g2-mul");
        Assert.That(c2, Is.Zero);
        Assert.That(mul2, Is.EqualTo(new[] { ZcashVector("g2_compressed_valid_test_vectors.dat", 96, 5) }));

        string relic = string.Concat(File.ReadAllLines(VectorFiles.PathOf("pairing/e_G1_G2_relic.txt")).Where(l => l.Length > 0 && l[0] != '#'));
        var (c3, pair) = Run($"{g1} {g2}", "pairing", "pair");
        Assert.That(c3, Is.Zero);
        Assert.That(pair, Is.EqualTo(new[] { relic }));

        byte[] minusG1 = new byte[48];
        G1Affine.Generator.Negate().EncodeCompressed(minusG1);
        var (c4, check) = Run($"{g1} {g2} {Hex.Encode(minusG1)} {g2}\n{g1} {g2}", "pairing", "pairing-check");
        Assert.That(c4, Is.Zero);
        Assert.That(check, Is.EqualTo(new[] { "true", "false" }));
    }

    [Test]
    public void Decode_PrintsOkOrTheStatusName()
    {
        using JsonDocument doc = VectorFiles.Json("deserialization/deserialization_G1.json");
        string notInG1 = doc.RootElement.EnumerateArray().First(v => v.GetProperty("name").GetString() == "deserialization_fails_not_in_G1")
            .GetProperty("input").GetProperty("pubkey").GetString()!;
        string g1 = ZcashVector("g1_compressed_valid_test_vectors.dat", 48, 3);
        var (code, lines) = Run($"{g1}\n{notInG1}\n{g1[..94]}", "pairing", "g1-decode");
        Assert.That(code, Is.Zero);
        Assert.That(lines, Is.EqualTo(new[] { "ok", "NotInSubgroup", "BadLength" }));
        var (code2, lines2) = Run(ZcashVector("g2_uncompressed_valid_test_vectors.dat", 192, 4), "pairing", "g2-decode");
        Assert.That(code2, Is.Zero);
        Assert.That(lines2, Is.EqualTo(new[] { "ok" }));
    }

    [Test, Category("Malformed")]
    public void BadLines_AreReportedByNumber_AndProcessingGoesOn()
    {
        string g1 = ZcashVector("g1_compressed_valid_test_vectors.dat", 48, 1);
        string order = Engine.Pairing.Bls12381.OrderHex;
        string input = $"{g1} 02\n{g1}\n{g1} {order}\nzz 01\n{g1[..90]}00 01\n{g1} 01";
        var (code, lines) = Run(input, "pairing", "g1-mul");
        Assert.That(code, Is.EqualTo(1));
        Assert.That(lines[0], Is.EqualTo(ZcashVector("g1_compressed_valid_test_vectors.dat", 48, 2)));
        Assert.That(lines[1], Does.StartWith("error: line 2: expected 2 operands"));
        Assert.That(lines[2], Is.EqualTo("error: line 3: scalar: ScalarOutOfRange"));
        Assert.That(lines[3], Does.StartWith("error: line 4: G1 point is not"));
        Assert.That(lines[4], Does.StartWith("error: line 5: G1 point: "));
        Assert.That(lines[5], Is.EqualTo(g1));
        var (code2, lines2) = Run("a b c", "pairing", "pairing-check");
        Assert.That(code2, Is.EqualTo(1));
        Assert.That(lines2, Is.EqualTo(new[] { "error: line 1: operands must come in G1 G2 pairs" }));
    }
}
