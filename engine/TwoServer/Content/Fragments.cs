using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Engine.TwoServer.Content;

/// <summary>One block's worth of a message: its header fields and its slice of the content.</summary>
public readonly record struct Fragment(ContentKind Kind, uint Tag, int Index, int Count, byte[] Data);

/// <summary>
/// Messages longer than one block (SPEC.md §2.1: "longer split"): each record's payload is kind (1) ‖ tag (4) ‖
/// index (1) ‖ count (1) ‖ data. The tag is random per message, so a receiver reassembles fragments that share it
/// without learning who sent them; all fragments travel in the same round under the same session.
/// </summary>
public static class Fragments
{
    /// <summary>Header bytes in every fragment.</summary>
    public const int HeaderSize = 7;

    /// <summary>Most fragments per message.</summary>
    public const int MaxCount = 255;

    /// <summary>Data bytes per fragment for these parameters.</summary>
    public static int DataPerFragment(TwoServerParameters parameters) => parameters.MaxPayload - HeaderSize;

    /// <summary>Splits <paramref name="content"/> into block payloads (at least one, even when empty).</summary>
    /// <exception cref="ArgumentException">More than <see cref="MaxCount"/> fragments would be needed.</exception>
    public static List<byte[]> Split(TwoServerParameters parameters, ContentKind kind, ReadOnlySpan<byte> content)
    {
        int per = DataPerFragment(parameters), count = Math.Max(1, (content.Length + per - 1) / per);
        if (count > MaxCount) throw new ArgumentException($"At most {MaxCount * per} bytes per message with B = {parameters.BlockSize}.", nameof(content));
        uint tag = BinaryPrimitives.ReadUInt32BigEndian(RandomNumberGenerator.GetBytes(4));
        var payloads = new List<byte[]>(count);
        for (int i = 0; i < count; i++)
        {
            ReadOnlySpan<byte> data = content.Slice(i * per, Math.Min(per, content.Length - i * per));
            byte[] payload = new byte[HeaderSize + data.Length];
            payload[0] = (byte)kind;
            BinaryPrimitives.WriteUInt32BigEndian(payload.AsSpan(1), tag);
            payload[5] = (byte)i;
            payload[6] = (byte)count;
            data.CopyTo(payload.AsSpan(HeaderSize));
            payloads.Add(payload);
        }
        return payloads;
    }

    /// <summary>Reads a block payload: <see cref="EngineStatus.Malformed"/> for an unknown kind or impossible index, else Ok.</summary>
    public static EngineStatus Read(ReadOnlySpan<byte> payload, out Fragment fragment)
    {
        fragment = default;
        if (payload.Length < HeaderSize) return EngineStatus.BadLength;
        var kind = (ContentKind)payload[0];
        int index = payload[5], count = payload[6];
        if (kind is not (ContentKind.Data or ContentKind.DialRequest or ContentKind.DialAnswer) || count == 0 || index >= count) return EngineStatus.Malformed;
        fragment = new Fragment(kind, BinaryPrimitives.ReadUInt32BigEndian(payload[1..]), index, count, payload[HeaderSize..].ToArray());
        return EngineStatus.Ok;
    }

    /// <summary>
    /// Reassembles the complete messages among <paramref name="fragments"/> (grouped by tag and kind, in index order);
    /// incomplete or inconsistent groups are left out.
    /// </summary>
    public static List<(ContentKind Kind, byte[] Content)> Reassemble(IEnumerable<Fragment> fragments)
    {
        var complete = new List<(ContentKind, byte[])>();
        foreach (var group in fragments.GroupBy(f => (f.Tag, f.Kind)))
        {
            Fragment[] parts = group.OrderBy(f => f.Index).ToArray();
            int count = parts[0].Count;
            if (parts.Length != count || parts.Any(p => p.Count != count) || parts.Select(p => p.Index).Distinct().Count() != count) continue;
            complete.Add((group.Key.Kind, parts.SelectMany(p => p.Data).ToArray()));
        }
        return complete;
    }
}
