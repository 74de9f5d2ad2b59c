using System.CommandLine;
using System.Text;
using Engine.Pairing.Fields;
using Engine.Pairing.Groups;
using Engine.Pairing.HashToCurve;
using Engine.Pairing.Pairings;

namespace Engine.Cli.Commands;

/// <summary>
/// <c>engine pairing …</c>: BLS12-381 operations on lines from stdin, one result per line, for scripts and
/// differential tests. Points are ZCash-encoded hex (compressed or uncompressed; results are compressed), scalars
/// are big-endian hex below r, Gt values are the 576-byte encoding. Every input point is fully validated.
/// </summary>
internal static class PairingCommands
{
    /// <summary>Most pairs one pairing-check line may hold, to bound the work of one line.</summary>
    public const int MaxPairsPerLine = 64;

    public static Command Create(TextReader input, TextWriter output)
    {
        var pairing = new Command("pairing", "BLS12-381 on hexadecimal lines from stdin: hash, multiply, pair, check, decode.");
        Add(pairing, "hash-to-g1", "Read 'DST [MSG_HEX]' (DST as text); write hash_to_curve (RFC 9380 _RO_) to G1, compressed.", 1, 2,
            ops => Hex(HashToGroup.HashToG1(Message(ops), Dst(ops[0])).ToAffine()));
        Add(pairing, "hash-to-g2", "Read 'DST [MSG_HEX]'; write hash_to_curve to G2, compressed.", 1, 2,
            ops => Hex(HashToGroup.HashToG2(Message(ops), Dst(ops[0])).ToAffine()));
        Add(pairing, "g1-mul", "Read 'POINT_HEX SCALAR_HEX'; write [k]P in G1 (constant time).", 2, 2,
            ops => Hex(G1(ops[0]).ToProjective().Multiply(Scalar(ops[1])).ToAffine()));
        Add(pairing, "g2-mul", "Read 'POINT_HEX SCALAR_HEX'; write [k]Q in G2 (constant time).", 2, 2,
            ops => Hex(G2(ops[0]).ToProjective().Multiply(Scalar(ops[1])).ToAffine()));
        Add(pairing, "pair", "Read 'G1_HEX G2_HEX'; write e(P, Q) as 576 bytes of hex (c0.c0.c0, c0.c0.c1, …).", 2, 2, ops =>
        {
            Span<byte> gt = stackalloc byte[Gt.SizeInBytes];
            OptimalAte.Pair(G1(ops[0]), G2(ops[1])).Encode(gt);
            return Convert.ToHexStringLower(gt);
        });
        Add(pairing, "pairing-check", "Read 'G1_HEX G2_HEX [G1_HEX G2_HEX …]'; write true if Π e(Pi, Qi) = 1, else false.", 2, 2 * MaxPairsPerLine, ops =>
        {
            if (ops.Length % 2 != 0) throw new LineException("operands must come in G1 G2 pairs");
            var g1 = new G1Affine[ops.Length / 2];
            var g2 = new G2Affine[ops.Length / 2];
            for (int i = 0; i < g1.Length; i++) { g1[i] = G1(ops[2 * i]); g2[i] = G2(ops[2 * i + 1]); }
            return OptimalAte.Check(g1, g2) ? "true" : "false";
        });
        Add(pairing, "g1-decode", "Read 'HEX'; write ok or the rejection status (BadLength, NotCanonical, NotOnCurve, NotInSubgroup, …).", 1, 1,
            ops => G1Affine.Decode(Bytes(ops[0], "point"), out _) is var s && s == EngineStatus.Ok ? "ok" : s.ToString());
        Add(pairing, "g2-decode", "Read 'HEX'; write ok or the rejection status.", 1, 1,
            ops => G2Affine.Decode(Bytes(ops[0], "point"), out _) is var s && s == EngineStatus.Ok ? "ok" : s.ToString());
        return pairing;

        void Add(Command parent, string name, string description, int min, int max, Func<string[], string> handler)
        {
            var command = new Command(name, description);
            command.SetAction(_ => LineProcessor.Run(input, output, min, max, handler));
            parent.Subcommands.Add(command);
        }
    }

    private static byte[] Dst(string text)
    {
        byte[] dst = Encoding.UTF8.GetBytes(text);
        if (dst.Length == 0) throw new LineException("DST must not be empty");
        return dst;
    }

    private static byte[] Message(string[] ops) => ops.Length > 1 ? Bytes(ops[1], "message") : [];

    private static byte[] Bytes(string hex, string what)
    {
        string digits = hex.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? hex[2..] : hex;
        if (digits.Length % 2 != 0 || digits.Any(c => !char.IsAsciiHexDigit(c)))
            throw new LineException($"{what} is not an even number of hexadecimal digits: '{LineProcessor.Truncate(hex)}'");
        if (digits.Length > 2 * 65536) throw new LineException($"{what} exceeds 65536 bytes");
        return Convert.FromHexString(digits);
    }

    private static G1Affine G1(string hex)
    {
        EngineStatus s = G1Affine.Decode(Bytes(hex, "G1 point"), out G1Affine p);
        return s == EngineStatus.Ok ? p : throw new LineException($"G1 point: {s}");
    }

    private static G2Affine G2(string hex)
    {
        EngineStatus s = G2Affine.Decode(Bytes(hex, "G2 point"), out G2Affine p);
        return s == EngineStatus.Ok ? p : throw new LineException($"G2 point: {s}");
    }

    private static Fr Scalar(string hex)
    {
        byte[] raw = Bytes(hex.Length % 2 == 1 ? "0" + hex : hex, "scalar");
        if (raw.Length > Fr.SizeInBytes) throw new LineException("scalar: longer than 32 bytes");
        byte[] padded = new byte[Fr.SizeInBytes];
        raw.CopyTo(padded, Fr.SizeInBytes - raw.Length);
        EngineStatus s = Fr.Decode(padded, out Fr k);
        return s == EngineStatus.Ok ? k : throw new LineException($"scalar: {s}");
    }

    private static string Hex(in G1Affine p)
    {
        Span<byte> b = stackalloc byte[G1Affine.CompressedSizeInBytes];
        p.EncodeCompressed(b);
        return Convert.ToHexStringLower(b);
    }

    private static string Hex(in G2Affine p)
    {
        Span<byte> b = stackalloc byte[G2Affine.CompressedSizeInBytes];
        p.EncodeCompressed(b);
        return Convert.ToHexStringLower(b);
    }
}
