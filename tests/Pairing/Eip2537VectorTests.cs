using System.Text.Json;
using Engine.Tests.Support;
using NUnit.Framework;

namespace Engine.Tests.Pairing;

/// <summary>go-ethereum's EIP-2537 precompile vectors: every valid case and every fail-* case with its exact status.</summary>
[TestFixture, Category("Vectors")]
public sealed class Eip2537VectorTests
{
    private static readonly string[] Precompiles = ["G1Add", "G1Mul", "G1MultiExp", "G2Add", "G2Mul", "G2MultiExp", "Pairing", "MapG1", "MapG2"];

    public static IEnumerable<TestCaseData> ValidCases()
    {
        foreach (string p in Precompiles)
        {
            using JsonDocument doc = VectorFiles.Json($"eip2537/bls{p}.json");
            foreach (JsonElement v in doc.RootElement.EnumerateArray())
                yield return new TestCaseData(p, v.GetProperty("Input").GetString()!, v.GetProperty("Expected").GetString()!)
                    .SetName($"Eip2537_{p}_{v.GetProperty("Name").GetString()}");
        }
    }

    public static IEnumerable<TestCaseData> FailCases()
    {
        foreach (string p in Precompiles)
        {
            using JsonDocument doc = VectorFiles.Json($"eip2537/fail-bls{p}.json");
            foreach (JsonElement v in doc.RootElement.EnumerateArray())
                yield return new TestCaseData(p, v.GetProperty("Input").GetString()!, v.GetProperty("ExpectedError").GetString()!)
                    .SetName($"Eip2537_Fail_{p}_{v.GetProperty("Name").GetString()}");
        }
    }

    [TestCaseSource(nameof(ValidCases))]
    public void Precompile_ProducesTheExpectedOutput(string precompile, string input, string expected)
    {
        Assert.That(Eip2537Precompiles.Run(precompile, Hex.Decode(input), out byte[] output), Is.EqualTo(EngineStatus.Ok));
        Assert.That(Hex.Encode(output), Is.EqualTo(expected.ToLowerInvariant()));
    }

    [TestCaseSource(nameof(FailCases)), Category("Malformed")]
    public void Precompile_RejectsWithTheExactStatus(string precompile, string input, string expectedError)
    {
        Assert.That(Eip2537Precompiles.Run(precompile, Hex.Decode(input), out _), Is.EqualTo(Eip2537Precompiles.StatusFor(expectedError)), expectedError);
    }
}
