using System.Security.Cryptography;
using System.Text;

namespace Engine.Onion.Setup;

/// <summary>The 16-byte routing handle of a node: the first 16 bytes of SHA-256(UTF-8 ID).</summary>
public static class NodeHandle
{
    /// <summary>Writes the handle of <paramref name="id"/>.</summary>
    public static void Compute(string id, Span<byte> destination)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(id), hash);
        hash[..SetupLayout.HandleSize].CopyTo(destination);
    }

    /// <summary>The handle as a string key for lookups.</summary>
    public static string Of(string id)
    {
        Span<byte> h = stackalloc byte[SetupLayout.HandleSize];
        Compute(id, h);
        return Convert.ToHexStringLower(h);
    }
}
