using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using Engine.Primitives.Xor;
using Engine.TwoServer.Records;

namespace Engine.TwoServer.Roles;

/// <summary>One message a receiver reconstructed from a round's two inboxes.</summary>
/// <param name="MessageId">The id both servers delivered it under.</param>
/// <param name="Verdict">Accepted (for this receiver), noise, tampered or malformed.</param>
/// <param name="Payload">The message when accepted, else empty.</param>
public readonly record struct ReceivedMessage(ulong MessageId, RecordVerdict Verdict, byte[] Payload);

/// <summary>
/// Parses a member's two inboxes of one round (<see cref="FanOut"/>'s format), pairs the entries by message id and
/// reconstructs each (paper §4.5). An entry that only one server delivered is reported as tampered: a server that
/// drops shares is as visible as one that flips them.
/// </summary>
public static class InboxReader
{
    /// <summary>
    /// The round's messages in S1's order, or <see cref="EngineStatus.Malformed"/>/<see cref="EngineStatus.BadLength"/>
    /// when an inbox does not parse (nothing is reconstructed then).
    /// </summary>
    public static EngineStatus ReadRound(TwoServerParameters parameters, ReadOnlySpan<byte> fromS1, ReadOnlySpan<byte> fromS2, out List<ReceivedMessage> messages)
    {
        messages = new List<ReceivedMessage>();
        EngineStatus status = Parse(parameters, fromS1, allowThird: true, out var s1);
        if (status != EngineStatus.Ok) return status;
        status = Parse(parameters, fromS2, allowThird: false, out var s2Entries);
        if (status != EngineStatus.Ok) return status;
        var s2 = new Dictionary<ulong, Range>();
        foreach ((ulong id, Range share, Range _) in s2Entries!)
            if (!s2.TryAdd(id, share)) return EngineStatus.Malformed;        // one entry per message id
        // Pairs go through one batched verification; entries with a third share (subgroup mode) try their combinations one by one.
        int size = parameters.RecordSize;
        var pairs = new List<(int Index, ulong Id, Range S1, Range S2)>();
        var slots = new ReceivedMessage[s1!.Count];
        byte[] record = new byte[size];
        for (int k = 0; k < s1.Count; k++)
        {
            (ulong id, Range share, Range third) = s1[k];
            if (!s2.Remove(id, out Range other)) { slots[k] = new ReceivedMessage(id, RecordVerdict.Tampered, []); continue; }
            if (third.End.Value == 0) { pairs.Add((k, id, share, other)); continue; }
            RecordVerdict verdict = MessageReconstructor.Reconstruct(parameters, fromS1[share], fromS2[other], fromS1[third], record, out Range payload);
            slots[k] = new ReceivedMessage(id, verdict, verdict == RecordVerdict.Accepted ? record[payload] : []);
        }
        byte[] records = ArrayPool<byte>.Shared.Rent(pairs.Count * size);
        var verdicts = new RecordVerdict[pairs.Count];
        var payloads = new Range[pairs.Count];
        Span<byte> rebuilt = records.AsSpan(0, pairs.Count * size);
        for (int j = 0; j < pairs.Count; j++) XorKernels.Xor(fromS1[pairs[j].S1], fromS2[pairs[j].S2], rebuilt.Slice(j * size, size));
        AuthenticatedRecord.VerifyMany(parameters, rebuilt, verdicts, payloads);
        for (int j = 0; j < pairs.Count; j++)
            slots[pairs[j].Index] = new ReceivedMessage(pairs[j].Id, verdicts[j], verdicts[j] == RecordVerdict.Accepted ? rebuilt[payloads[j]].ToArray() : []);
        CryptographicOperations.ZeroMemory(rebuilt);
        CryptographicOperations.ZeroMemory(record);
        ArrayPool<byte>.Shared.Return(records);
        messages.AddRange(slots);
        foreach (ulong id in s2.Keys) messages.Add(new ReceivedMessage(id, RecordVerdict.Tampered, []));
        return EngineStatus.Ok;
    }

    private static EngineStatus Parse(TwoServerParameters parameters, ReadOnlySpan<byte> inbox, bool allowThird, out List<(ulong Id, Range Share, Range Third)>? entries)
    {
        entries = new List<(ulong, Range, Range)>();
        int size = parameters.RecordSize, offset = 0;
        while (offset < inbox.Length)
        {
            if (inbox.Length - offset < 9 + size) { entries = null; return EngineStatus.BadLength; }
            ulong id = BinaryPrimitives.ReadUInt64BigEndian(inbox[offset..]);
            byte kind = inbox[offset + 8];
            if (kind > 1 || (kind == 1 && !allowThird)) { entries = null; return EngineStatus.Malformed; }
            var share = new Range(offset + 9, offset + 9 + size);
            Range third = new(0, 0);
            offset += 9 + size;
            if (kind == 1)
            {
                if (inbox.Length - offset < size) { entries = null; return EngineStatus.BadLength; }
                third = new Range(offset, offset + size);
                offset += size;
            }
            entries.Add((id, share, third));
        }
        return EngineStatus.Ok;
    }
}
