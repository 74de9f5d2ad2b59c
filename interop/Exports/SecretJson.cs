using System.Security.Cryptography;
using System.Text.Json;

namespace Engine.Interop.Exports;

/// <summary>
/// A C caller's JSON configuration, read so that the secrets in it (keys as hex strings) never become .NET strings,
/// which could not be wiped: the bytes are copied once into a pinned buffer that <see cref="Dispose"/> zeroes, the
/// document is parsed over that buffer without copying it, and <see cref="SecretHex"/> decodes a secret field from
/// the buffer into a pinned array the caller wipes. Public fields (names, public keys, sizes) are read from
/// <see cref="Root"/> as usual.
/// </summary>
internal sealed class SecretJson : IDisposable
{
    private readonly byte[] _utf8;
    private readonly JsonDocument _document;

    private SecretJson(byte[] utf8, JsonDocument document) => (_utf8, _document) = (utf8, document);

    /// <summary>The top-level value.</summary>
    public JsonElement Root => _document.RootElement;

    /// <summary>Parses <paramref name="json"/>; throws <see cref="JsonException"/> for text that is not JSON.</summary>
    public static SecretJson Parse(ReadOnlySpan<byte> json)
    {
        byte[] utf8 = GC.AllocateArray<byte>(json.Length, pinned: true);
        json.CopyTo(utf8);
        try { return new SecretJson(utf8, JsonDocument.Parse(utf8.AsMemory())); }
        catch
        {
            CryptographicOperations.ZeroMemory(utf8);
            throw;
        }
    }

    /// <summary>
    /// The top-level string property <paramref name="name"/>, hex-decoded into a new pinned array; null when it is
    /// missing, not a string, escaped, or not an even number of hex digits.
    /// </summary>
    public byte[]? SecretHex(string name)
    {
        var reader = new Utf8JsonReader(_utf8);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            bool match = reader.ValueTextEquals(name);
            if (!reader.Read()) return null;
            if (!match)
            {
                reader.Skip();
                continue;
            }
            if (reader.TokenType != JsonTokenType.String || reader.ValueIsEscaped || reader.HasValueSequence || reader.ValueSpan.Length % 2 != 0) return null;
            ReadOnlySpan<byte> digits = reader.ValueSpan;
            byte[] value = GC.AllocateArray<byte>(digits.Length / 2, pinned: true);
            for (int i = 0; i < value.Length; i++)
            {
                int high = Nibble(digits[2 * i]), low = Nibble(digits[2 * i + 1]);
                if ((high | low) < 0)
                {
                    CryptographicOperations.ZeroMemory(value);
                    return null;
                }
                value[i] = (byte)(high << 4 | low);
            }
            return value;
        }
        return null;
    }

    private static int Nibble(byte c) => c switch
    {
        >= (byte)'0' and <= (byte)'9' => c - '0',
        >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => c - 'A' + 10,
        _ => -1,
    };

    /// <summary>Releases the document and zeroes the copy of the configuration.</summary>
    public void Dispose()
    {
        _document.Dispose();
        CryptographicOperations.ZeroMemory(_utf8);
    }
}
