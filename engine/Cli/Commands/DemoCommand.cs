using Engine.Simulations;
using System.CommandLine;
using System.Diagnostics;
using Engine.BigInt;
using Spectre.Console;

namespace Engine.Cli.Commands;

/// <summary>
/// <c>engine demo</c>: the main job. It exercises the big-integer core on the engine's own Schnorr group
/// (re-validates the parameters, runs each exponentiation path, checks that the paths agree) and the BLS12-381
/// pairing core (a BLS signature round and pairing identities, <see cref="PairingRows"/>), and reports how fast each
/// step is. Later protocol issues add their short simulations here.
/// </summary>
internal static partial class DemoCommand
{
    public static Command Create(TextWriter output)
    {
        var quick = new Option<bool>("--quick") { Description = "Fewer repetitions (for smoke tests)." };
        var command = new Command("demo", "Run the engine's demonstration: big-integer and pairing core checks and speeds.");
        command.Options.Add(quick);
        command.SetAction(r => Run(output, r.GetValue(quick)));
        return command;
    }

    private static int Run(TextWriter output, bool quick)
    {
        IAnsiConsole console = CreateConsole(output);
        SchnorrGroup group = SchnorrGroups.Modp2048Q256;
        MontgomeryContext p = group.P;
        int n = p.LimbCount, reps = quick ? 4 : 40;
        console.MarkupLine($"[bold]engine demo[/]: big-integer core on [blue]{group}[/], kernel tier [green]{Kernels.Describe()}[/]");

        var table = new Table().AddColumns("step", "check", "time per op (median)", "min–max (runs × ops)", "note");
        bool allOk = true;
        void Row(string step, bool ok, OpTiming timing, string note)
        {
            allOk &= ok;
            table.AddRow(Markup.Escape(step), ok ? "[green]ok[/]" : "[red]FAILED[/]", $"{timing.Median:F1} µs",
                         timing.Runs > 1 ? $"{timing.Min:F1}–{timing.Max:F1} µs ({timing.Runs} × {timing.OpsPerRun})" : "one run", Markup.Escape(note));
        }

        // 1. Parameters: q prime, p prime, q | p − 1, g of order q.
        var sw = Stopwatch.StartNew();
        bool qPrime = MillerRabin.IsProbablePrimeVarTime(group.Order, 32);
        bool pPrime = MillerRabin.IsProbablePrimeVarTime(group.Modulus, 32);
        ulong[] cofactor = SchnorrGroupGenerator.Cofactor(group.Modulus, group.Order);
        var gq = new ulong[n];
        p.PowVarTime(group.GeneratorMont, group.Order, gq);
        bool gOrder = gq.AsSpan().SequenceEqual(p.One) && cofactor.Length > 0;
        Row("parameters", qPrime && pPrime && gOrder, OpTiming.Once(sw.Elapsed.TotalMicroseconds), "p, q prime (32 MR rounds); q | p−1; g^q = 1");

        // 2. g^x three ways for a secret x: fixed-base table, fixed-window CT, sliding window.
        var x = new ulong[4];
        group.RandomScalar(x);
        ulong[] viaTable = new ulong[n], viaCt = new ulong[n], viaVar = new ulong[n];
        _ = group.GeneratorTable;                                   // build outside the timing
        OpTiming tTable = Time(reps * 4, () => group.PowGenerator(x, viaTable));
        OpTiming tCt = Time(reps, () => p.Pow(group.GeneratorMont, x, 256, viaCt));
        OpTiming tVar = Time(reps, () => p.PowVarTime(group.GeneratorMont, x, viaVar));
        bool same = viaTable.AsSpan().SequenceEqual(viaCt) && viaCt.AsSpan().SequenceEqual(viaVar);
        Row("g^x fixed-base (CT)", same, tTable, $"{tCt.Median / tTable.Median:F1}× faster than variable-base CT; table {group.GeneratorTable.SizeInBytes / 1024} KiB");
        Row("y^x fixed window (CT)", same, tCt, "secret 256-bit exponent");
        Row("y^x sliding window", same, tVar, "public exponent path");

        // 3. Batched CT exponentiation of 64 independent (base, exponent) pairs against one at a time.
        const int count = 64;
        var bases = new ulong[count * n];
        var exps = new ulong[count * 4];
        for (int k = 0; k < count; k++)
        {
            var e = exps.AsSpan(k * 4, 4);
            group.RandomScalar(e);
            group.PowGenerator(e, bases.AsSpan(k * n, n));
            p.FromMontgomery(bases.AsSpan(k * n, n), bases.AsSpan(k * n, n));
            group.RandomScalar(e);
        }
        var batched = new ulong[count * n];
        var single = new ulong[count * n];
        OpTiming tBatch = Time(Math.Max(1, reps / 8), () => BatchModExp.Pow(p, bases, exps, 4, 256, batched)).PerItem(count);
        var one = new ulong[n];
        for (int k = 0; k < count; k++)
        {
            p.ToMontgomery(bases.AsSpan(k * n, n), one);
            p.Pow(one, exps.AsSpan(k * 4, 4), 256, single.AsSpan(k * n, n));
            p.FromMontgomery(single.AsSpan(k * n, n), single.AsSpan(k * n, n));
        }
        Row($"batched CT modexp ×{count}", batched.AsSpan().SequenceEqual(single), tBatch,
            $"{BatchModExp.LaneCountFor(p)} lane(s){(BatchModExp.LaneCountFor(p) == 1 ? " (the generated kernel, one item at a time)" : "")}; {tCt.Median / tBatch.Median:F1}× the single CT path's throughput");

        // 4. Multi-exponentiation against the product of single exponentiations.
        const int terms = 64;
        var mBases = new ulong[terms * n];
        for (int k = 0; k < terms; k++) p.ToMontgomery(bases.AsSpan(k * n, n), mBases.AsSpan(k * n, n));
        var multi = new ulong[n];
        OpTiming tMulti = Time(Math.Max(1, reps / 8), () => MultiExp.PowVarTime(p, mBases, exps, 4, multi));
        var product = p.One.ToArray();
        var term = new ulong[n];
        for (int k = 0; k < terms; k++)
        {
            p.PowVarTime(mBases.AsSpan(k * n, n), exps.AsSpan(k * 4, 4), term);
            p.Multiply(product, term, product);
        }
        Row($"multi-exp Π b_i^e_i, {terms} terms", multi.AsSpan().SequenceEqual(product), tMulti,
            $"{tVar.Median * terms / tMulti.Median:F1}× faster than {terms} separate exponentiations");

        // 5. Inverse modulo the prime q: constant-time Fermat against the binary extended Euclid.
        var xm = new ulong[4];
        group.Q.ToMontgomery(x, xm);
        var inv = new ulong[4];
        OpTiming tInv = Time(reps, () => ModInverse.InvertPrime(group.Q, xm, inv));
        group.Q.FromMontgomery(inv, inv);
        var inv2 = new ulong[4];
        bool invOk = ModInverse.TryInvertVarTime(x, group.Order, inv2) && inv.AsSpan().SequenceEqual(inv2);
        Row("x⁻¹ mod q (CT)", invOk, tInv, "matches the binary extended Euclid");

        PairingRows(Row, reps);

        console.Write(table);
        console.MarkupLine(allOk ? "[green]all checks passed[/]" : "[red]some checks FAILED[/]");
        // A short onion-routing run over real loopback servers (the full one: engine simulate onion).
        int simulation = SimulateCommand.Run(output, new OnionSimulationOptions(Relays: 3, Links: quick ? 2 : 5, Messages: quick ? 5 : 50), json: null);
        // And a short two-server messaging run in process (the full one: engine simulate two-server).
        int twoServer = SimulateTwoServerCommand.Run(output, quick ? "100" : "200,500", sample: 4, block: 256, fraction: 0.25, million: quick ? 100 : 500, json: null, reportFile: null);
        // And Protocol 3 over loopback servers: trust evaluation, tags, anonymous authentication (the full one: engine simulate iot-auth).
        int iotAuth = Iot.SimulateIotCommand.Run(output, quick ? "4" : "10,40", concurrency: 4, repeat: 3, json: null, reportFile: null);
        // And Protocol 4 over loopback servers: CP-ABE, ring signatures, revocation (the full one: engine simulate revocation).
        int revocation = Abe.SimulateRevocationCommand.Run(output, authorities: 2, quick ? "2" : "2,10", quick ? "4" : "10,50", quick ? "4096" : "64KiB", repeat: 3, json: null, reportFile: null);
        return allOk && simulation == 0 && twoServer == 0 && iotAuth == 0 && revocation == 0 ? 0 : 1;
    }

    /// <summary>A Spectre console on <paramref name="output"/>: plain text when redirected or captured.</summary>
    internal static IAnsiConsole CreateConsole(TextWriter output)
    {
        bool plain = !ReferenceEquals(output, Console.Out) || Console.IsOutputRedirected;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = plain ? AnsiSupport.No : AnsiSupport.Detect,
            ColorSystem = plain ? ColorSystemSupport.NoColors : ColorSystemSupport.Detect,
        });
        console.Profile.Width = Math.Max(console.Profile.Width, 120);
        return console;
    }

    /// <summary>
    /// Warms <paramref name="action"/> up (at least 50 calls and 200 ms, then a pause for the JIT's background
    /// tier-1 compiles: the CLI runs without dynamic PGO, so there is no instrumented tier), then times three runs of
    /// <paramref name="repetitions"/> calls each.
    /// </summary>
    private static OpTiming Time(int repetitions, Action action)
    {
        var warm = Stopwatch.StartNew();
        for (int calls = 0; calls < 50 || warm.ElapsedMilliseconds < 200; calls++) action();
        Thread.Sleep(100);
        var perOp = new double[3];
        for (int run = 0; run < perOp.Length; run++)
        {
            var sw = Stopwatch.StartNew();
            for (int i = 0; i < repetitions; i++) action();
            perOp[run] = sw.Elapsed.TotalMicroseconds / repetitions;
        }
        Array.Sort(perOp);
        return new OpTiming(perOp[1], perOp[0], perOp[^1], perOp.Length, repetitions);
    }

    /// <summary>A demo row's time per operation: median and spread over <see cref="Runs"/> runs of <see cref="OpsPerRun"/> operations (µs).</summary>
    internal readonly record struct OpTiming(double Median, double Min, double Max, int Runs, int OpsPerRun)
    {
        public static OpTiming Once(double microseconds) => new(microseconds, microseconds, microseconds, 1, 1);

        public OpTiming PerItem(int items) => new(Median / items, Min / items, Max / items, Runs, OpsPerRun * items);
    }
}
