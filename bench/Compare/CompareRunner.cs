using System.Diagnostics;

namespace Engine.Bench.Compare;

/// <summary>
/// The quick side-by-side mode: every contender measured in the same process, interleaved round by round, on one
/// thread; the reported number is the median over rounds and the ratio against the reference of its row.
/// </summary>
internal static class CompareRunner
{
    public static int Run(string[] args, TextWriter output)
    {
        string subject = args.Length > 0 ? args[0] : "modexp";
        bool quick = args.Contains("--quick");
        switch (subject)
        {
            case "modexp":
                ModExpComparison.Run(output, quick);
                return 0;
            case "pairing":
                return PairingComparison.Run(output, quick);
            case "onion":
                return OnionComparison.Run(output, quick);
            case "two-server":
                return TwoServerComparison.Run(output, quick);
            case "iot-auth":
                return IotAuthComparison.Run(output, quick);
            case "abe":
                return AbeComparison.Run(output, quick);
            case "replay":
                return ReplayComparison.Run(output, quick);
            case "abi":
                return AbiComparison.Run(output, quick);
            case "fp-lanes":
                return FpLanesComparison.Run(output, quick);
            default:
                output.WriteLine($"unknown comparison '{subject}'; available: modexp, pairing, onion, two-server, iot-auth, abe, replay, abi, fp-lanes");
                return 2;
        }
    }

    /// <summary>Median time per call in microseconds over <paramref name="rounds"/> rounds of about
    /// <paramref name="roundMilliseconds"/> each, for several contenders measured in turn within each round.</summary>
    public static double[] Measure(IReadOnlyList<Action> contenders, int rounds, int roundMilliseconds)
    {
        var samples = contenders.Select(_ => new List<double>()).ToArray();
        var iterations = new int[contenders.Count];
        for (int c = 0; c < contenders.Count; c++)
        {
            contenders[c]();                                          // warm-up and calibration
            var sw = Stopwatch.StartNew();
            int k = 0;
            while (sw.ElapsedMilliseconds < 20 || k < 2) { contenders[c](); k++; }
            iterations[c] = Math.Max(1, (int)(k * roundMilliseconds / Math.Max(1.0, sw.Elapsed.TotalMilliseconds)));
        }
        for (int r = 0; r < rounds; r++)
        {
            for (int c = 0; c < contenders.Count; c++)
            {
                var sw = Stopwatch.StartNew();
                for (int i = 0; i < iterations[c]; i++) contenders[c]();
                samples[c].Add(sw.Elapsed.TotalMicroseconds / iterations[c]);
            }
        }
        return samples.Select(s => s.Order().ElementAt(s.Count / 2)).ToArray();
    }

    /// <summary>The CPU model from /proc/cpuinfo, for the report header.</summary>
    public static string CpuModel() => Engine.Simulations.MachineInfo.CpuModel();
}
