using System.Text;

namespace Engine.TwoServer.Content;

/// <summary>
/// What a dial request or answer carries (SPEC.md §2.2): the sender's public element followed by its user id in UTF-8,
/// so the callee learns whom to answer (paper §4.3: a user reveals its identity to a friend through the network, never
/// to the servers, which see only XOR shares). The element has the dial group's fixed size, so no length field is needed.
/// </summary>
public static class DialContent
{
    /// <summary>Longest user id a dial names (the wire format's name limit).</summary>
    public const int MaxIdBytes = 255;

    /// <summary>element ‖ UTF-8(id).</summary>
    /// <exception cref="ArgumentException">An empty or over-long id.</exception>
    public static byte[] Write(ReadOnlySpan<byte> element, string senderId)
    {
        int idBytes = Encoding.UTF8.GetByteCount(senderId);
        if (idBytes is 0 or > MaxIdBytes) throw new ArgumentException($"A user id has 1 to {MaxIdBytes} UTF-8 bytes.", nameof(senderId));
        byte[] content = new byte[element.Length + idBytes];
        element.CopyTo(content);
        Encoding.UTF8.GetBytes(senderId, content.AsSpan(element.Length));
        return content;
    }

    /// <summary>
    /// Splits a reassembled dial content: <see cref="EngineStatus.BadLength"/> when it is shorter than an element plus
    /// one byte or the id is too long, <see cref="EngineStatus.Malformed"/> when the id is not UTF-8, else Ok. The
    /// element is only cut out here; <see cref="Dial.DeriveKey"/> validates it.
    /// </summary>
    public static EngineStatus Read(int elementSize, ReadOnlySpan<byte> content, out byte[] element, out string senderId)
    {
        element = [];
        senderId = "";
        if (content.Length <= elementSize || content.Length - elementSize > MaxIdBytes) return EngineStatus.BadLength;
        try { senderId = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(content[elementSize..]); }
        catch (DecoderFallbackException) { return EngineStatus.Malformed; }
        element = content[..elementSize].ToArray();
        return EngineStatus.Ok;
    }
}
