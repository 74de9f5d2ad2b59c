using Engine.Primitives.Xor;
using Engine.TwoServer.Records;

namespace Engine.TwoServer.Roles;

/// <summary>
/// The receiver's side (paper §4.5 and §5.4.1): XOR the shares of each sender that came from S1 and S2 and verify
/// the record; in subgroup mode try s_1 ⊕ s_2, s_1 ⊕ s_3, s_2 ⊕ s_3 and s_1 ⊕ s_2 ⊕ s_3.
/// </summary>
public static class MessageReconstructor
{
    /// <summary>
    /// Reconstructs one sender's message into <paramref name="record"/> (one record long) and returns the verdict;
    /// on <see cref="RecordVerdict.Accepted"/>, <paramref name="payload"/> locates the message inside
    /// <paramref name="record"/>. <paramref name="third"/> is empty unless S1 delivered a third share.
    /// </summary>
    public static RecordVerdict Reconstruct(TwoServerParameters parameters, ReadOnlySpan<byte> fromS1, ReadOnlySpan<byte> fromS2, ReadOnlySpan<byte> third,
                                            Span<byte> record, out Range payload)
    {
        XorKernels.Xor(fromS1, fromS2, record);
        RecordVerdict verdict = AuthenticatedRecord.Verify(parameters, record, out payload);
        if (third.IsEmpty || verdict == RecordVerdict.Accepted) return verdict;
        // Subgroup mode: the recipients' pair is s_1 ⊕ s_2 (tried above); G_τ̂ holds s_1 ⊕ s_2 ⊕ s_3 = N_3; the two
        // mixed pairs are tried because the paper's receiver cannot know which set it is in.
        RecordVerdict best = verdict;
        for (int combination = 1; combination <= 3; combination++)
        {
            switch (combination)
            {
                case 1: XorKernels.Xor(fromS1, third, record); break;
                case 2: XorKernels.Xor(fromS2, third, record); break;
                default: XorKernels.Xor(fromS1, fromS2, record); XorKernels.XorInPlace(record, third); break;
            }
            RecordVerdict v = AuthenticatedRecord.Verify(parameters, record, out Range p);
            if (v == RecordVerdict.Accepted) { payload = p; return v; }
            if (v == RecordVerdict.Noise || (v == RecordVerdict.Malformed && best == RecordVerdict.Tampered)) best = v;
        }
        return best;
    }

    /// <summary>
    /// Every sender's pair in one pass (the shape of a round's inboxes): <paramref name="fromS1"/> and
    /// <paramref name="fromS2"/> hold the same senders' shares in the same order, one record each; the XOR of the
    /// whole buffers is one vectorised call, then the records are verified together
    /// (<see cref="AuthenticatedRecord.VerifyMany"/>). <paramref name="records"/> has the same
    /// length; <paramref name="verdicts"/> gets one verdict per sender.
    /// </summary>
    public static void ReconstructMany(TwoServerParameters parameters, ReadOnlySpan<byte> fromS1, ReadOnlySpan<byte> fromS2, Span<byte> records,
                                       Span<RecordVerdict> verdicts, Span<Range> payloads)
    {
        int size = parameters.RecordSize, count = fromS1.Length / size;
        if (fromS1.Length != count * size || fromS2.Length != fromS1.Length || records.Length != fromS1.Length || verdicts.Length != count || payloads.Length != count)
            throw new ArgumentException("The inboxes, records, verdicts and payloads must describe the same senders.");
        XorKernels.Xor(fromS1, fromS2, records);
        AuthenticatedRecord.VerifyMany(parameters, records, verdicts, payloads);
    }
}
