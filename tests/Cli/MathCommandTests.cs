using System.Numerics;
using Engine.Cli;
using NUnit.Framework;

namespace Engine.Tests.Cli;

/// <summary>The CLI's line-oriented math commands: results against BigInteger, malformed lines reported by
/// number while processing goes on, and the exit code.</summary>
[TestFixture]
public sealed class MathCommandTests
{
    private static (int ExitCode, string[] Lines) Run(string input, params string[] args)
    {
        var output = new StringWriter();
        int code = Program.BuildRoot(new StringReader(input), output).Parse(args).Invoke();
        return (code, output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray());
    }

    [TestCase(false)]
    [TestCase(true)]
    public void ModExp_RandomLines_MatchBigInteger(bool constantTime)
    {
        var rng = new Random(constantTime ? 1 : 2);
        var lines = new List<string>();
        var expected = new List<string>();
        foreach (int bits in new[] { 3, 64, 521, 2048, 8192 })
        {
            for (int i = 0; i < 6; i++)
            {
                BigInteger m = RandomBig(rng, bits) | 1 | (BigInteger.One << (bits - 1));
                BigInteger b = RandomBig(rng, bits + 70), e = RandomBig(rng, rng.Next(1, 300));
                lines.Add($"{b:x} 0x{e:x} {m:X}");
                expected.Add(BigInteger.ModPow(b, e, m).ToString("x").TrimStart('0') is { Length: > 0 } s ? s : "0");
            }
        }
        string[] args = constantTime ? ["math", "modexp", "--constant-time"] : ["math", "modexp"];
        var (code, output) = Run(string.Join('\n', lines), args);
        Assert.That(code, Is.Zero);
        Assert.That(output, Is.EqualTo(expected.ToArray()));
    }

    [Test, Category("Malformed")]
    public void ModExp_MalformedLines_ReportLineNumbersAndContinue()
    {
        string input = string.Join('\n',
            "2 10 0x3fb",          // 1: ok
            "",                    // 2: blank, skipped
            "# comment",           // 3: skipped
            "2 10",                // 4: too few operands
            "2 xyz 7",             // 5: not hex
            "2 3 8",               // 6: even modulus
            "2 3 0",               // 7: zero modulus
            "5 3 1",               // 8: m = 1 → 0
            "-2 3 7",              // 9: negative
            "1 1 1" + new string('f', 2049),   // 10: modulus over 8192 bits
            "3 4 5");              // 11: ok
        var (code, output) = Run(input, "math", "modexp");
        Assert.That(code, Is.EqualTo(1));
        Assert.That(output, Has.Length.EqualTo(9));
        Assert.That(output[0], Is.EqualTo("140"), "2^0x10 mod 0x3fb = 65536 mod 1019 = 320 = 0x140");
        Assert.That(output[1], Does.StartWith("error: line 4: expected 3"));
        Assert.That(output[2], Does.StartWith("error: line 5: exponent is not hexadecimal"));
        Assert.That(output[3], Does.StartWith("error: line 6: modulus is even"));
        Assert.That(output[4], Does.StartWith("error: line 7: modulus is zero"));
        Assert.That(output[5], Is.EqualTo("0"));
        Assert.That(output[6], Does.StartWith("error: line 9: base is not hexadecimal"));
        Assert.That(output[7], Does.StartWith("error: line 10: modulus exceeds 8192 bits"));
        Assert.That(output[8], Is.EqualTo("1"));
    }

    [Test]
    public void ModMulAndModInv_MatchBigInteger()
    {
        var rng = new Random(3);
        var mulLines = new List<string>(); var mulExpected = new List<string>();
        var invLines = new List<string>(); var invExpected = new List<string>();
        for (int i = 0; i < 30; i++)
        {
            int bits = rng.Next(2, 3000);
            BigInteger m = RandomBig(rng, bits) | 1 | (BigInteger.One << (bits - 1));
            BigInteger a = RandomBig(rng, bits + 10), b = RandomBig(rng, bits);
            mulLines.Add($"{a:x} {b:x} {m:x}");
            mulExpected.Add(Hex(a * b % m));
            invLines.Add($"{a:x} {m:x}");
            invExpected.Add(BigInteger.GreatestCommonDivisor(a % m, m).IsOne ? Hex(Inverse(a % m, m)) : "error");
        }
        var (code, output) = Run(string.Join('\n', mulLines), "math", "modmul");
        Assert.That(code, Is.Zero);
        Assert.That(output, Is.EqualTo(mulExpected.ToArray()));
        var (_, inv) = Run(string.Join('\n', invLines), "math", "modinv");
        for (int i = 0; i < inv.Length; i++)
        {
            if (invExpected[i] == "error") Assert.That(inv[i], Does.Contain("not invertible"));
            else Assert.That(inv[i], Is.EqualTo(invExpected[i]), $"line {i + 1}");
        }
        var (code2, notInv) = Run("6 9", "math", "modinv");
        Assert.That(code2, Is.EqualTo(1));
        Assert.That(notInv[0], Is.EqualTo("error: line 1: not invertible: gcd(a, m) ≠ 1"));
    }

    [Test, Category("EndToEnd")]
    public void Demo_Quick_PassesItsOwnChecks()
    {
        var (code, output) = Run("", "demo", "--quick");
        Assert.That(code, Is.Zero, string.Join('\n', output));
        Assert.That(output, Has.Some.Contains("all checks passed"));
    }

    private static BigInteger RandomBig(Random rng, int bits)
    {
        var bytes = new byte[(bits + 7) / 8 + 1];
        rng.NextBytes(bytes);
        return new BigInteger(bytes, isUnsigned: true) & ((BigInteger.One << bits) - 1);
    }

    private static string Hex(BigInteger v) => v.IsZero ? "0" : v.ToString("x").TrimStart('0');

    // Extended Euclid on BigInteger: an oracle independent of the engine.
    private static BigInteger Inverse(BigInteger a, BigInteger m)
    {
        BigInteger r0 = m, r1 = a, s0 = 0, s1 = 1;
        while (!r1.IsZero)
        {
            BigInteger q = r0 / r1;
            (r0, r1) = (r1, r0 - q * r1);
            (s0, s1) = (s1, s0 - q * s1);
        }
        return ((s0 % m) + m) % m;
    }
}
