using System.Buffers.Binary;

namespace Engine.Onion.Setup;

/// <summary>
/// A hop-local link identifier: the packet's first 16 bytes, held as a <see cref="UInt128"/> so that looking a link
/// up allocates nothing; shown as 32 lowercase hex digits in the public API and logs.
/// </summary>
internal static class LinkId
{
    public static UInt128 Read(ReadOnlySpan<byte> packet) => BinaryPrimitives.ReadUInt128BigEndian(packet);

    public static void Write(UInt128 id, Span<byte> packet) => BinaryPrimitives.WriteUInt128BigEndian(packet, id);

    public static UInt128 Random()
    {
        Span<byte> bytes = stackalloc byte[SetupLayout.LinkIdSize];
        System.Security.Cryptography.RandomNumberGenerator.Fill(bytes);
        return Read(bytes);
    }

    public static string ToHex(UInt128 id)
    {
        Span<byte> bytes = stackalloc byte[SetupLayout.LinkIdSize];
        Write(id, bytes);
        return Convert.ToHexStringLower(bytes);
    }

    public static bool TryParse(string hex, out UInt128 id)
    {
        id = default;
        Span<byte> bytes = stackalloc byte[SetupLayout.LinkIdSize];
        if (hex.Length != 2 * SetupLayout.LinkIdSize || Convert.FromHexString(hex, bytes, out _, out int written) != System.Buffers.OperationStatus.Done
            || written != SetupLayout.LinkIdSize) return false;
        id = Read(bytes);
        return true;
    }
}
