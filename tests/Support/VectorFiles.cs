using System.Text.Json;

namespace Engine.Tests.Support;

/// <summary>Reads the public vectors copied into tests/Vectors (see Vectors/PROVENANCE.md).</summary>
internal static class VectorFiles
{
    public static string PathOf(string relative) => Path.Combine(AppContext.BaseDirectory, "Vectors", relative);

    public static JsonDocument Json(string relative) => JsonDocument.Parse(File.ReadAllBytes(PathOf(relative)));

    public static byte[] Bytes(string relative) => File.ReadAllBytes(PathOf(relative));
}

/// <summary>Hex helpers for vectors ("0x" prefixes allowed).</summary>
internal static class Hex
{
    public static byte[] Decode(string hex) => Convert.FromHexString(hex.StartsWith("0x", StringComparison.Ordinal) ? hex[2..] : hex);

    public static string Encode(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);

    /// <summary>A 0x-prefixed big-endian field element padded to 48 bytes.</summary>
    public static byte[] Fp48(string hex)
    {
        string h = hex.StartsWith("0x", StringComparison.Ordinal) ? hex[2..] : hex;
        return Convert.FromHexString(h.PadLeft(96, '0'));
    }
}
