using System.CommandLine;
using Engine.BigInt;

namespace Engine.Cli.Commands;

/// <summary>
/// <c>engine math modexp|modmul|modinv</c>: line-oriented modular arithmetic for scripting and differential
/// testing. Each input line gives hexadecimal operands; each produces one output line, either the result in
/// lower-case hexadecimal or <c>error: line N: reason</c>, and processing goes on. Blank lines and lines starting
/// with '#' produce nothing. The exit code is 0 when every line succeeded and 1 otherwise.
/// </summary>
internal static class MathCommands
{
    /// <summary>Operands longer than this are refused, to bound the work one line can ask for.</summary>
    public const int MaxOperandBits = 65536;

    public static Command Create(TextReader input, TextWriter output)
    {
        var math = new Command("math", "Modular arithmetic on hexadecimal lines from stdin (for scripts and differential tests).");

        var constantTime = new Option<bool>("--constant-time") { Description = "Use the constant-time exponentiation (exponent length taken from its hex digits)." };
        var modexp = new Command("modexp", "Read lines 'BASE_HEX EXP_HEX MOD_HEX'; write BASE^EXP mod MOD per line (odd MOD up to 8192 bits).");
        modexp.Options.Add(constantTime);
        modexp.SetAction(r => Run(input, output, 3, (ops, cache) => ModExpLine(ops, cache, r.GetValue(constantTime))));

        var modmul = new Command("modmul", "Read lines 'A_HEX B_HEX MOD_HEX'; write A·B mod MOD per line (odd MOD up to 8192 bits).");
        modmul.SetAction(_ => Run(input, output, 3, ModMulLine));

        var modinv = new Command("modinv", "Read lines 'A_HEX MOD_HEX'; write A⁻¹ mod MOD per line (odd MOD up to 8192 bits).");
        modinv.SetAction(_ => Run(input, output, 2, ModInvLine));

        math.Subcommands.Add(modexp);
        math.Subcommands.Add(modmul);
        math.Subcommands.Add(modinv);
        return math;
    }

    private static int Run(TextReader input, TextWriter output, int operandCount, Func<string[], ContextCache, string> handler)
    {
        var cache = new ContextCache();
        return LineProcessor.Run(input, output, operandCount, operandCount, ops => handler(ops, cache));
    }

    private static string ModExpLine(string[] ops, ContextCache cache, bool constantTime)
    {
        ulong[] b = Parse(ops[0], "base"), e = Parse(ops[1], "exponent");
        MontgomeryContext? ctx = cache.Get(ops[2], out _);
        if (ctx is null) return "0";                 // m = 1
        int n = ctx.LimbCount;
        Span<ulong> x = new ulong[n], r = new ulong[n];
        ctx.Reduce(b, x);
        ctx.ToMontgomery(x, x);
        if (constantTime) ctx.Pow(x, e, e.Length * 64, r);
        else ctx.PowVarTime(x, e, r);
        ctx.FromMontgomery(r, r);
        return BigEndian.ToHex(r);
    }

    private static string ModMulLine(string[] ops, ContextCache cache)
    {
        ulong[] a = Parse(ops[0], "first operand"), b = Parse(ops[1], "second operand");
        MontgomeryContext? ctx = cache.Get(ops[2], out _);
        if (ctx is null) return "0";
        int n = ctx.LimbCount;
        Span<ulong> x = new ulong[n], y = new ulong[n];
        ctx.Reduce(a, x);
        ctx.Reduce(b, y);
        ctx.ToMontgomery(x, x);                      // x·R · y / R = x·y in normal form
        ctx.Multiply(x, y, x);
        return BigEndian.ToHex(x);
    }

    private static string ModInvLine(string[] ops, ContextCache cache)
    {
        ulong[] a = Parse(ops[0], "operand");
        MontgomeryContext? ctx = cache.Get(ops[1], out _);
        if (ctx is null) return "0";
        Span<ulong> x = new ulong[ctx.LimbCount], r = new ulong[ctx.LimbCount];
        ctx.Reduce(a, x);
        if (!ModInverse.TryInvertVarTime(x, ctx.Modulus, r)) throw new LineException("not invertible: gcd(a, m) ≠ 1");
        return BigEndian.ToHex(r);
    }

    private static ulong[] Parse(string hex, string what)
    {
        string digits = hex.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? hex[2..] : hex;
        if (digits.Length == 0 || digits.Any(c => !char.IsAsciiHexDigit(c)))
            throw new LineException($"{what} is not hexadecimal: '{LineProcessor.Truncate(hex)}'");
        int limbCount = BigEndian.LimbsForHex(hex);
        if (limbCount > MaxOperandBits / 64) throw new LineException($"{what} exceeds {MaxOperandBits} bits");
        var limbs = new ulong[limbCount];
        BigEndian.TryParseHex(hex, limbs);
        return limbs;
    }

    /// <summary>Contexts for the moduli seen recently; scripts usually repeat one modulus on many lines.</summary>
    private sealed class ContextCache
    {
        private readonly Dictionary<string, MontgomeryContext> _byHex = new(StringComparer.OrdinalIgnoreCase);

        /// <summary>The context for a modulus, or null with <paramref name="isOne"/> set when m = 1 (every residue is 0).</summary>
        public MontgomeryContext? Get(string hex, out bool isOne)
        {
            isOne = false;
            if (_byHex.TryGetValue(hex, out MontgomeryContext? ctx)) return ctx;
            ulong[] m = Parse(hex, "modulus");
            int bits = Limbs.BitLengthVarTime(m);
            if (bits == 0) throw new LineException("modulus is zero");
            if (bits == 1) { isOne = true; return null; }
            if ((m[0] & 1) == 0) throw new LineException("modulus is even; only odd moduli are supported");
            if (bits > MontgomeryContext.MaxBits) throw new LineException($"modulus exceeds {MontgomeryContext.MaxBits} bits");
            if (_byHex.Count >= 64) _byHex.Clear();
            ctx = new MontgomeryContext(m);
            _byHex[hex] = ctx;
            return ctx;
        }
    }
}
