using System.Diagnostics;

namespace Engine.Tests.Support;

/// <summary>
/// A dudect-style check (Reparaz, Balasch, Verbauwhede, "Dude, is my code constant time?", 2017; noble's
/// benchmark/ct.ts): time an operation on a fixed class of secret inputs (the easiest for a leaky implementation)
/// and on a random class, interleaved at random, crop the slowest 10 % of each class (interrupts, other threads'
/// GC, as dudect crops), and compute Welch's t. |t| above 10 would be a clear leak; the bound is loose because the
/// machines are shared and noisy.
/// </summary>
internal static class TimingLeak
{
    /// <summary>
    /// Welch's t between the classes. For each sample, <paramref name="prepare"/> (untimed) sets up the inputs of its
    /// class (0 fixed, 1 random), then <paramref name="run"/> is timed.
    /// </summary>
    public static double WelchT(Random rng, int samples, Action<int> prepare, Action<int> run)
    {
        var timings = new List<double>[] { new(), new() };
        for (int i = 0; i < samples; i++)
        {
            int cls = rng.Next(2);
            prepare(cls);
            long start = Stopwatch.GetTimestamp();
            run(cls);
            timings[cls].Add(Stopwatch.GetTimestamp() - start);
        }
        double[][] kept = timings.Select(s => s.Order().Take(s.Count * 9 / 10).ToArray()).ToArray();
        return WelchT(kept[0], kept[1]);
    }

    public static double WelchT(double[] a, double[] b)
    {
        double ma = a.Average(), mb = b.Average();
        double va = a.Sum(x => (x - ma) * (x - ma)) / (a.Length - 1), vb = b.Sum(x => (x - mb) * (x - mb)) / (b.Length - 1);
        return (ma - mb) / Math.Sqrt(va / a.Length + vb / b.Length);
    }
}
