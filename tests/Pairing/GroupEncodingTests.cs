using System.Text.Json;
using Engine.Pairing.Groups;
using Engine.Tests.Support;
using NUnit.Framework;

namespace Engine.Tests.Pairing;

/// <summary>ZCash encodings: the zkcrypto files of [i]G for i = 0…999, and the Teku/bls12-381-tests deserialization cases.</summary>
[TestFixture, Category("Vectors")]
public sealed class GroupEncodingTests
{
    [TestCase("g1_compressed_valid_test_vectors.dat", 48)]
    [TestCase("g1_uncompressed_valid_test_vectors.dat", 96)]
    public void G1_EncodesAndDecodesEachMultipleOfTheGenerator(string file, int size)
    {
        byte[] data = VectorFiles.Bytes("zcash-serialization/" + file);
        Assert.That(data.Length, Is.EqualTo(1000 * size));
        G1Projective acc = G1Projective.Identity;
        byte[] encoded = new byte[size];
        for (int i = 0; i < 1000; i++)
        {
            ReadOnlySpan<byte> expected = data.AsSpan(i * size, size);
            G1Affine a = acc.ToAffine();
            if (size == 48) a.EncodeCompressed(encoded); else a.EncodeUncompressed(encoded);
            Assert.That(Hex.Encode(encoded), Is.EqualTo(Hex.Encode(expected)), $"{file} vector {i}");
            Assert.That(G1Affine.Decode(expected, out G1Affine decoded), Is.EqualTo(EngineStatus.Ok), $"{file} vector {i}");
            Assert.That(decoded, Is.EqualTo(a), $"{file} vector {i}");
            acc += G1Projective.Generator;
        }
    }

    [TestCase("g2_compressed_valid_test_vectors.dat", 96)]
    [TestCase("g2_uncompressed_valid_test_vectors.dat", 192)]
    public void G2_EncodesAndDecodesEachMultipleOfTheGenerator(string file, int size)
    {
        byte[] data = VectorFiles.Bytes("zcash-serialization/" + file);
        Assert.That(data.Length, Is.EqualTo(1000 * size));
        G2Projective acc = G2Projective.Identity;
        byte[] encoded = new byte[size];
        for (int i = 0; i < 1000; i++)
        {
            ReadOnlySpan<byte> expected = data.AsSpan(i * size, size);
            G2Affine a = acc.ToAffine();
            if (size == 96) a.EncodeCompressed(encoded); else a.EncodeUncompressed(encoded);
            Assert.That(Hex.Encode(encoded), Is.EqualTo(Hex.Encode(expected)), $"{file} vector {i}");
            Assert.That(G2Affine.Decode(expected, out G2Affine decoded), Is.EqualTo(EngineStatus.Ok), $"{file} vector {i}");
            Assert.That(decoded, Is.EqualTo(a), $"{file} vector {i}");
            acc += G2Projective.Generator;
        }
    }

    public static IEnumerable<TestCaseData> DeserializationCases()
    {
        foreach ((string file, string key) in new[] { ("deserialization_G1.json", "pubkey"), ("deserialization_G2.json", "signature") })
        {
            using JsonDocument doc = VectorFiles.Json("deserialization/" + file);
            foreach (JsonElement v in doc.RootElement.EnumerateArray())
                yield return new TestCaseData(key == "pubkey", v.GetProperty("input").GetProperty(key).GetString()!, v.GetProperty("output").GetBoolean())
                    .SetName($"Deserialization_{v.GetProperty("name").GetString()}");
        }
    }

    [TestCaseSource(nameof(DeserializationCases))]
    public void Decode_AcceptsExactlyTheValidEncodings(bool g1, string hex, bool valid)
    {
        byte[] input = Hex.Decode(hex);
        EngineStatus status = g1 ? G1Affine.Decode(input, out _) : G2Affine.Decode(input, out _);
        Assert.That(status == EngineStatus.Ok, Is.EqualTo(valid), $"status {status}");
    }
}

/// <summary>Decoder statuses for every kind of hostile input (STYLE.md B6 order: length, flags, canonical, curve, subgroup).</summary>
[TestFixture, Category("Malformed")]
public sealed class GroupDecodeMalformedTests
{
    private static byte[] G1Compressed(G1Affine p) { var b = new byte[48]; p.EncodeCompressed(b); return b; }
    private static byte[] G2Compressed(G2Affine p) { var b = new byte[96]; p.EncodeCompressed(b); return b; }

    [Test]
    public void G1_Decode_ReturnsThePreciseStatus()
    {
        byte[] good = G1Compressed(G1Affine.Generator);
        Assert.That(G1Affine.Decode(good.AsSpan(0, 47), out _), Is.EqualTo(EngineStatus.BadLength));
        Assert.That(G1Affine.Decode(new byte[49], out _), Is.EqualTo(EngineStatus.BadLength));

        byte[] noCompressionFlag = (byte[])good.Clone(); noCompressionFlag[0] &= 0x7f;
        Assert.That(G1Affine.Decode(noCompressionFlag, out _), Is.EqualTo(EngineStatus.Malformed));

        byte[] infinityWithSign = new byte[48]; infinityWithSign[0] = 0xe0;
        Assert.That(G1Affine.Decode(infinityWithSign, out _), Is.EqualTo(EngineStatus.Malformed));
        byte[] infinityWithX = new byte[48]; infinityWithX[0] = 0xc0; infinityWithX[47] = 1;
        Assert.That(G1Affine.Decode(infinityWithX, out _), Is.EqualTo(EngineStatus.NotCanonical));
        byte[] infinity = new byte[48]; infinity[0] = 0xc0;
        Assert.That(G1Affine.Decode(infinity, out G1Affine id), Is.EqualTo(EngineStatus.Ok));
        Assert.That(id.IsIdentity, Is.True);

        byte[] xIsP = Hex.Fp48(Engine.Pairing.Bls12381.ModulusHex); xIsP[0] |= 0x80;
        Assert.That(G1Affine.Decode(xIsP, out _), Is.EqualTo(EngineStatus.NotCanonical));

        var rng = new Random(31);
        byte[] outside = G1Compressed(PairingOracles.RandomCurvePointOutsideG1(rng));
        Assert.That(G1Affine.Decode(outside, out _), Is.EqualTo(EngineStatus.NotInSubgroup));

        // x = 1: 1 + 4 = 5 is not a square mod p, so no point has x = 1.
        byte[] offCurve = new byte[48]; offCurve[0] = 0x80; offCurve[47] = 1;
        Assert.That(G1Affine.Decode(offCurve, out _), Is.EqualTo(EngineStatus.NotOnCurve));

        byte[] uncompressed = new byte[96]; G1Affine.Generator.EncodeUncompressed(uncompressed);
        uncompressed[95] ^= 1;
        Assert.That(G1Affine.Decode(uncompressed, out _), Is.EqualTo(EngineStatus.NotOnCurve));
        byte[] uncompressedWithSign = new byte[96]; G1Affine.Generator.EncodeUncompressed(uncompressedWithSign);
        uncompressedWithSign[0] |= 0x20;
        Assert.That(G1Affine.Decode(uncompressedWithSign, out _), Is.EqualTo(EngineStatus.Malformed));
    }

    [Test]
    public void G2_Decode_ReturnsThePreciseStatus()
    {
        byte[] good = G2Compressed(G2Affine.Generator);
        Assert.That(G2Affine.Decode(good.AsSpan(0, 95), out _), Is.EqualTo(EngineStatus.BadLength));
        byte[] noCompressionFlag = (byte[])good.Clone(); noCompressionFlag[0] &= 0x7f;
        Assert.That(G2Affine.Decode(noCompressionFlag, out _), Is.EqualTo(EngineStatus.Malformed));
        byte[] c0IsP = (byte[])good.Clone(); Hex.Fp48(Engine.Pairing.Bls12381.ModulusHex).CopyTo(c0IsP, 48);
        Assert.That(G2Affine.Decode(c0IsP, out _), Is.EqualTo(EngineStatus.NotCanonical));
        var rng = new Random(32);
        Assert.That(G2Affine.Decode(G2Compressed(PairingOracles.RandomCurvePointOutsideG2(rng)), out _), Is.EqualTo(EngineStatus.NotInSubgroup));
        byte[] uncompressed = new byte[192]; G2Affine.Generator.EncodeUncompressed(uncompressed);
        uncompressed[191] ^= 1;
        Assert.That(G2Affine.Decode(uncompressed, out _), Is.EqualTo(EngineStatus.NotOnCurve));
        byte[] infinity = new byte[96]; infinity[0] = 0xc0;
        Assert.That(G2Affine.Decode(infinity, out G2Affine id), Is.EqualTo(EngineStatus.Ok));
        Assert.That(id.IsIdentity, Is.True);
    }
}
