using Engine.Primitives.Drbg;
using Engine.Tests.Support;
using NUnit.Framework;

namespace Engine.Tests.Primitives;

/// <summary>CTR_DRBG (AES-256, no df) against NIST CAVP vectors, and its behaviour as a generator.</summary>
[TestFixture]
public sealed class CtrDrbgTests
{
    public static IEnumerable<TestCaseData> CavpVectors()
    {
        var fields = new Dictionary<string, string>();
        int index = 0;
        foreach (string raw in File.ReadLines(VectorFiles.PathOf("ctr-drbg/aes256_no_df.txt")).Append(""))
        {
            string line = raw.Trim();
            if (line.StartsWith('#')) continue;
            if (line.Length == 0)
            {
                if (fields.Count > 0) yield return new TestCaseData(new Dictionary<string, string>(fields)).SetName($"CtrDrbg_Cavp_{index++}");
                fields.Clear();
                continue;
            }
            int eq = line.IndexOf('=');
            fields[line[..eq].Trim()] = line[(eq + 1)..].Trim();
        }
    }

    [TestCaseSource(nameof(CavpVectors)), Category("Vectors")]
    public void Generate_MatchesCavp(Dictionary<string, string> v)
    {
        using CtrDrbg drbg = CtrDrbg.CreateForTesting(Hex.Decode(v["EntropyInput"]), Hex.Decode(v["PersonalizationString"]));
        drbg.Reseed(Hex.Decode(v["EntropyInputReseed"]), Hex.Decode(v["AdditionalInputReseed"]));
        byte[] output = new byte[64];
        drbg.Generate(output, Hex.Decode(v["AdditionalInput1"]));
        drbg.Generate(output, Hex.Decode(v["AdditionalInput2"]));
        Assert.That(Hex.Encode(output), Is.EqualTo(v["ReturnedBits"]));
    }

    [Test]
    public void LongRequests_AreSplitConsistently_AndInstancesDiffer()
    {
        byte[] entropy = Enumerable.Range(0, 48).Select(i => (byte)i).ToArray();
        using CtrDrbg a = CtrDrbg.CreateForTesting(entropy, []);
        using CtrDrbg b = CtrDrbg.CreateForTesting(entropy, []);
        byte[] big = new byte[200_000];
        a.Generate(big);
        // The same stream requested in 64 KiB pieces (the internal request size) gives the same bytes.
        byte[] pieces = new byte[200_000];
        for (int offset = 0; offset < pieces.Length; offset += 1 << 16)
            b.Generate(pieces.AsSpan(offset, Math.Min(1 << 16, pieces.Length - offset)));
        Assert.That(pieces, Is.EqualTo(big));
        Assert.That(big.Distinct().Count(), Is.EqualTo(256), "all byte values occur");

        using CtrDrbg c = CtrDrbg.Create(), d = CtrDrbg.Create();
        byte[] x = new byte[64], y = new byte[64];
        c.Generate(x);
        d.Generate(y);
        Assert.That(x, Is.Not.EqualTo(y), "independently seeded instances");
        Assert.Throws<ArgumentException>(() => c.Generate(x, new byte[49]));
        c.Dispose();
        Assert.Throws<ObjectDisposedException>(() => c.Generate(x));
    }
}
