using System.Buffers;
using System.Text;

namespace Engine.Onion.Keys;

/// <summary>h = H1(ID ‖ enc(sD) ‖ enc(u)), the hash that binds a partial key to its identity and secret value.</summary>
/// <remarks>
/// SPEC.md §1.1 [repair]: the paper hashes only (ID, sD), which lets anyone replace u and decrypt without the
/// partial key; covering u closes that (tests mount the attack against both formulas). ID is length-prefixed so
/// that (ID, sD) pairs cannot be re-split.
/// </remarks>
internal static class PartialKeyHash
{
    public static void Compute(OnionParameters parameters, string id, ReadOnlySpan<byte> sD, ReadOnlySpan<byte> u, Span<ulong> h)
    {
        int idBytes = Encoding.UTF8.GetByteCount(id);
        int length = 2 + idBytes + sD.Length + u.Length;
        byte[] buffer = ArrayPool<byte>.Shared.Rent(length);
        Span<byte> input = buffer.AsSpan(0, length);
        input[0] = (byte)(idBytes >> 8);
        input[1] = (byte)idBytes;
        Encoding.UTF8.GetBytes(id, input[2..]);
        sD.CopyTo(input[(2 + idBytes)..]);
        u.CopyTo(input[(2 + idBytes + sD.Length)..]);
        parameters.Group.HashToScalar(input, parameters.H1Dst, h);
        ArrayPool<byte>.Shared.Return(buffer);
    }

    /// <summary>Identities are UTF-8, 1 to 255 bytes.</summary>
    public static bool IsValidIdentity(string? id) => !string.IsNullOrEmpty(id) && Encoding.UTF8.GetByteCount(id) <= 255;
}
