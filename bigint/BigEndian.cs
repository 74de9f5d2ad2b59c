namespace Engine.BigInt;

/// <summary>
/// Conversions between big-endian byte strings (RFC 8017 I2OSP/OS2IP, the engine's wire order) and
/// little-endian limb spans, plus hexadecimal text for the CLI and tests.
/// </summary>
public static class BigEndian
{
    /// <summary>Limbs needed to hold <paramref name="byteCount"/> bytes.</summary>
    public static int LimbsForBytes(int byteCount) => (byteCount + 7) / 8;

    /// <summary>
    /// OS2IP: reads a big-endian byte string into <paramref name="limbs"/> (zero-extended). Returns false, with
    /// <paramref name="limbs"/> unspecified, when the value does not fit. Timing depends on lengths only.
    /// </summary>
    public static bool TryToLimbs(ReadOnlySpan<byte> source, Span<ulong> limbs)
    {
        limbs.Clear();
        ulong overflow = 0;
        // Whole limbs from the end, eight bytes at a time (a byte loop cost about a microsecond per 2048-bit value),
        // then the leading bytes that do not fill a limb.
        int whole = source.Length / 8, leading = source.Length % 8;
        for (int k = 0; k < whole; k++)
        {
            ulong value = System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(source.Slice(source.Length - 8 * (k + 1), 8));
            if (k < limbs.Length) limbs[k] = value; else overflow |= value;
        }
        ulong top = 0;
        for (int i = 0; i < leading; i++) top = (top << 8) | source[i];
        if (whole < limbs.Length) limbs[whole] = top; else overflow |= top;
        return overflow == 0;
    }

    /// <summary>
    /// I2OSP: writes <paramref name="limbs"/> big-endian into exactly <paramref name="destination"/>.Length bytes.
    /// Returns false when the value needs more bytes than that.
    /// </summary>
    public static bool TryFromLimbs(ReadOnlySpan<ulong> limbs, Span<byte> destination)
    {
        ulong overflow = 0;
        for (int limb = 0; limb < limbs.Length; limb++)
        {
            for (int k = 0; k < 8; k++)
            {
                int bytePos = limb * 8 + k;   // 0 = least significant byte
                byte b = (byte)(limbs[limb] >> (8 * k));
                if (bytePos < destination.Length) destination[destination.Length - 1 - bytePos] = b;
                else overflow |= b;
            }
        }
        for (int bytePos = limbs.Length * 8; bytePos < destination.Length; bytePos++)
            destination[destination.Length - 1 - bytePos] = 0;
        return overflow == 0;
    }

    /// <summary>Minimal big-endian byte length of a value (0 for zero). Variable time.</summary>
    public static int MinimalByteLengthVarTime(ReadOnlySpan<ulong> limbs) => (Limbs.BitLengthVarTime(limbs) + 7) / 8;

    /// <summary>
    /// Parses hexadecimal text (optional 0x prefix, either case, odd length allowed) into limbs. Returns false on
    /// a non-hex character, empty text, or a value that does not fit.
    /// </summary>
    public static bool TryParseHex(ReadOnlySpan<char> text, Span<ulong> limbs)
    {
        if (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)) text = text[2..];
        if (text.IsEmpty) return false;
        limbs.Clear();
        int bit = 0;
        for (int i = text.Length - 1; i >= 0; i--, bit += 4)
        {
            int v = HexValue(text[i]);
            if (v < 0) return false;
            if (v == 0) continue;
            int limb = bit >> 6;
            if (limb >= limbs.Length) return false;
            limbs[limb] |= (ulong)v << (bit & 63);
        }
        return true;
    }

    /// <summary>Limbs needed for hexadecimal text, ignoring leading zeros and an optional 0x prefix.</summary>
    public static int LimbsForHex(ReadOnlySpan<char> text)
    {
        if (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)) text = text[2..];
        text = text.TrimStart('0');
        return Math.Max(1, (text.Length + 15) / 16);
    }

    /// <summary>Lower-case hexadecimal without leading zeros ("0" for zero). Variable time.</summary>
    public static string ToHex(ReadOnlySpan<ulong> limbs)
    {
        int n = Limbs.SignificantLimbsVarTime(limbs);
        if (n == 0) return "0";
        Span<char> buffer = n * 16 <= 2048 ? stackalloc char[n * 16] : new char[n * 16];
        for (int i = 0; i < n; i++) limbs[n - 1 - i].TryFormat(buffer.Slice(i * 16, 16), out _, "x16");
        return new string(buffer.TrimStart('0'));
    }

    private static int HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };
}
