using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Engine.BigInt;

namespace Engine.TwoServer.Records;

/// <summary>
/// The authenticated record of paper §4.4 (SPEC.md §2.1): C ‖ r ‖ m̂ with m̂ = b·2^(8B) + m, r ∈ [1, q − 1] and
/// C = m̂·r mod q, each field B + 1 bytes big-endian. A real record has b = 1 and m = length (2 bytes) ‖ payload ‖
/// zero padding; a noise record (Algorithm 2 steps 5–7) has b = 0 and m = r′ uniform in [1, 2^(8B) − 1].
/// Verification (§4.5) recomputes C from r and m̂: two Montgomery multiplications (m̂ into Montgomery form, then
/// times r).
/// </summary>
/// <remarks>
/// Records are built and checked without branches on their content until the verdict; scratch is wiped. The
/// paper draws r′ below ⌊q/2⌋; the engine draws it below 2^(8B) so that the flag always parses as 0 [choice].
/// </remarks>
public static class AuthenticatedRecord
{
    /// <summary>Writes a real record for <paramref name="payload"/> (at most <see cref="TwoServerParameters.MaxPayload"/> bytes).</summary>
    /// <exception cref="ArgumentException">Payload too long or destination not <see cref="TwoServerParameters.RecordSize"/> bytes.</exception>
    [SkipLocalsInit]
    public static void WriteReal(TwoServerParameters parameters, ReadOnlySpan<byte> payload, Span<byte> record)
    {
        CheckRecord(parameters, record);
        if (payload.Length > parameters.MaxPayload)
            throw new ArgumentException($"A message block holds at most {parameters.MaxPayload} bytes; split or hash longer messages.", nameof(payload));
        int f = parameters.FieldSize;
        Span<byte> mHat = record.Slice(2 * f, f);
        mHat.Clear();
        mHat[0] = 1;                                                          // b = 1: m̂ = 2^(8B) + m
        BinaryPrimitives.WriteUInt16BigEndian(mHat[1..], (ushort)payload.Length);
        payload.CopyTo(mHat[(1 + TwoServerParameters.LengthPrefixSize)..]);
        Seal(parameters, record);
    }

    /// <summary>Writes a noise record: b = 0, m = r′ uniform in [1, 2^(8B) − 1].</summary>
    [SkipLocalsInit]
    public static void WriteNoise(TwoServerParameters parameters, Span<byte> record)
    {
        CheckRecord(parameters, record);
        int f = parameters.FieldSize;
        Span<byte> mHat = record.Slice(2 * f, f);
        mHat[0] = 0;
        do RandomNumberGenerator.Fill(mHat[1..]);
        while (mHat[1..].IndexOfAnyExcept((byte)0) < 0);                      // r′ ≠ 0 (probability 2^(−8B) of a retry)
        Seal(parameters, record);
    }

    /// <summary>Draws r ∈ [1, q − 1] into the r field and writes C = m̂·r mod q (m̂ already in place).</summary>
    [SkipLocalsInit]
    private static void Seal(TwoServerParameters parameters, Span<byte> record)
    {
        int f = parameters.FieldSize, n = parameters.LimbCount;
        Span<ulong> r = stackalloc ulong[n], mHat = stackalloc ulong[n], c = stackalloc ulong[n];
        RandomScalar.NonZeroBelow(parameters.Q.Modulus, r);
        BigEndian.TryToLimbs(record.Slice(2 * f, f), mHat);
        Code(parameters, mHat, r, c);
        BigEndian.TryFromLimbs(r, record.Slice(f, f));
        BigEndian.TryFromLimbs(c, record[..f]);
        Wipe(r); Wipe(mHat); Wipe(c);
    }

    /// <summary>C = m̂·r mod q: m̂·R by <c>ToMontgomery</c>, then (m̂·R)·r·R⁻¹.</summary>
    private static void Code(TwoServerParameters parameters, ReadOnlySpan<ulong> mHat, ReadOnlySpan<ulong> r, Span<ulong> c)
    {
        Span<ulong> t = stackalloc ulong[parameters.LimbCount];
        parameters.Q.ToMontgomery(mHat, t);
        parameters.Q.Multiply(t, r, c);
        Wipe(t);
    }

    /// <summary>
    /// Verifies a reconstructed record (paper §4.5): <see cref="RecordVerdict.Accepted"/> with the payload's
    /// position, <see cref="RecordVerdict.Noise"/>, <see cref="RecordVerdict.Tampered"/> (C mismatch or a field out of
    /// range: c ≥ q, r = 0, r ≥ q, flag above 1) or <see cref="RecordVerdict.Malformed"/> (a verified real record whose
    /// length prefix exceeds the block or whose padding is not zero).
    /// </summary>
    [SkipLocalsInit]
    public static RecordVerdict Verify(TwoServerParameters parameters, ReadOnlySpan<byte> record, out Range payload)
    {
        CheckRecord(parameters, record);
        payload = default;
        int f = parameters.FieldSize, n = parameters.LimbCount;
        Span<ulong> c = stackalloc ulong[n], r = stackalloc ulong[n], mHat = stackalloc ulong[n], expected = stackalloc ulong[n];
        BigEndian.TryToLimbs(record[..f], c);
        BigEndian.TryToLimbs(record.Slice(f, f), r);
        BigEndian.TryToLimbs(record.Slice(2 * f, f), mHat);
        byte flag = record[2 * f];
        // Every check is computed; the verdict is formed at the end from masks.
        ulong inRange = Limbs.LessThanMask(c, parameters.Q.Modulus) & Limbs.LessThanMask(r, parameters.Q.Modulus)
                        & ~Ct.IsZeroMask(r) & Ct.IsZeroMask((ulong)(flag >> 1));
        Code(parameters, mHat, r, expected);
        ulong matches = inRange & Ct.EqualMask(c, expected);
        Wipe(c); Wipe(r); Wipe(mHat); Wipe(expected);
        return matches == 0 ? RecordVerdict.Tampered : Classify(parameters, record, out payload);
    }

    private static long _failedBatches;

    /// <summary>Batches whose combined check failed, so that their records were checked one by one (tests watch it).</summary>
    internal static long FailedBatches => Interlocked.Read(ref _failedBatches);

    /// <summary>Records per random linear combination in <see cref="VerifyMany"/>.</summary>
    public const int BatchSize = 64;

    /// <summary>
    /// Verifies many records (concatenated) with one check per <see cref="BatchSize"/>: with random 64-bit ρ_i,
    /// Σ ρ_i·m̂_i·r_i ≡ Σ ρ_i·c_i (mod q) holds for a batch containing a record with C ≠ m̂·r with probability at
    /// most 2^(−64) (q > 2^64, so ρ_i·e_i mod q takes each value at most once). The products are exact products
    /// summed without reduction (<see cref="SumOfProducts"/>: eight at once with AVX-512); two reductions mod q end
    /// the batch. A failing batch is re-checked one
    /// record at a time, so the verdicts are exactly <see cref="Verify"/>'s. Payload ranges are relative to
    /// <paramref name="records"/>. Allocates nothing.
    /// </summary>
    [SkipLocalsInit]
    public static void VerifyMany(TwoServerParameters parameters, ReadOnlySpan<byte> records, Span<RecordVerdict> verdicts, Span<Range> payloads)
    {
        int size = parameters.RecordSize, count = records.Length / size;
        if (records.Length != count * size || verdicts.Length != count || payloads.Length != count)
            throw new ArgumentException("Expected whole records and one verdict and payload slot per record.");
        for (int start = 0; start < count; start += BatchSize)
        {
            int batch = Math.Min(BatchSize, count - start);
            VerifyBatch(parameters, records.Slice(start * size, batch * size), verdicts.Slice(start, batch), payloads.Slice(start, batch));
            for (int i = start; i < start + batch; i++)
                if (payloads[i].End.Value > 0) payloads[i] = new Range(payloads[i].Start.Value + start * size, payloads[i].End.Value + start * size);
        }
    }

    [SkipLocalsInit]
    private static void VerifyBatch(TwoServerParameters parameters, ReadOnlySpan<byte> records, Span<RecordVerdict> verdicts, Span<Range> payloads)
    {
        int size = parameters.RecordSize, f = parameters.FieldSize, n = parameters.LimbCount, count = verdicts.Length;
        int leftLimbs = SumOfProducts.ResultLimbs(n + 1, n);
        ulong[] rented = ArrayPool<ulong>.Shared.Rent(count * (2 * n + 1));
        Span<ulong> scaledAll = rented.AsSpan(0, count * (n + 1)), rAll = rented.AsSpan(count * (n + 1), count * n);
        Span<ulong> c = stackalloc ulong[n], mHat = stackalloc ulong[n], scaled = stackalloc ulong[n + 1];
        Span<ulong> left = stackalloc ulong[leftLimbs], right = stackalloc ulong[n + 2];
        Span<ulong> leftModQ = stackalloc ulong[n], rightModQ = stackalloc ulong[n], rho = stackalloc ulong[BatchSize];
        right.Clear();
        RandomNumberGenerator.Fill(MemoryMarshal.AsBytes(rho));
        ReadOnlySpan<ulong> q = parameters.Q.Modulus;
        int valid = 0;
        for (int i = 0; i < count; i++)
        {
            ReadOnlySpan<byte> record = records.Slice(i * size, size);
            payloads[i] = default;
            Span<ulong> r = rAll.Slice(valid * n, n);
            BigEndian.TryToLimbs(record[..f], c);
            BigEndian.TryToLimbs(record.Slice(f, f), r);
            BigEndian.TryToLimbs(record.Slice(2 * f, f), mHat);
            ulong inRange = Limbs.LessThanMask(c, q) & Limbs.LessThanMask(r, q) & ~Ct.IsZeroMask(r) & Ct.IsZeroMask((ulong)(record[2 * f] >> 1));
            // A record out of range is refused on its own (a valid one never is), and left out of the combination.
            verdicts[i] = inRange == 0 ? RecordVerdict.Tampered : RecordVerdict.Noise;
            if (inRange == 0) continue;
            // left = Σ (ρ_i·m̂_i)·r_i (SumOfProducts below); right += ρ_i·c_i.
            MulWord(mHat, rho[i], scaledAll.Slice(valid * (n + 1), n + 1));
            MulWord(c, rho[i], scaled);
            AddInto(right, scaled);
            valid++;
        }
        SumOfProducts.Compute(scaledAll, n + 1, rAll, n, valid, left);
        parameters.Q.Reduce(left, leftModQ);
        parameters.Q.Reduce(right, rightModQ);
        bool batchHolds = Ct.EqualMask(leftModQ, rightModQ) != 0;
        if (!batchHolds) Interlocked.Increment(ref _failedBatches);
        for (int i = 0; i < count; i++)
        {
            if (verdicts[i] == RecordVerdict.Tampered) continue;
            ReadOnlySpan<byte> record = records.Slice(i * size, size);
            verdicts[i] = batchHolds ? Classify(parameters, record, out Range p) : Verify(parameters, record, out p);
            if (verdicts[i] == RecordVerdict.Accepted) payloads[i] = (p.Start.Value + i * size)..(p.End.Value + i * size);
        }
        CryptographicOperations.ZeroMemory(MemoryMarshal.AsBytes(rented.AsSpan(0, count * (2 * n + 1))));
        ArrayPool<ulong>.Shared.Return(rented);
        Wipe(c); Wipe(mHat); Wipe(scaled); Wipe(left); Wipe(right); Wipe(leftModQ); Wipe(rightModQ);
    }

    /// <summary>The verdict of a record whose code is known to hold: noise, or a real message with a sound length.</summary>
    private static RecordVerdict Classify(TwoServerParameters parameters, ReadOnlySpan<byte> record, out Range payload)
    {
        payload = default;
        int f = parameters.FieldSize;
        if (record[2 * f] == 0) return RecordVerdict.Noise;
        int length = BinaryPrimitives.ReadUInt16BigEndian(record.Slice(2 * f + 1, 2));
        int start = 2 * f + 1 + TwoServerParameters.LengthPrefixSize;
        if (length > parameters.MaxPayload || record[(start + length)..].IndexOfAnyExcept((byte)0) >= 0) return RecordVerdict.Malformed;
        payload = start..(start + length);
        return RecordVerdict.Accepted;
    }

    /// <summary>result (a.Length + 1 limbs) = a·w.</summary>
    private static void MulWord(ReadOnlySpan<ulong> a, ulong w, Span<ulong> result) => Limbs.Multiply(result, a, new ReadOnlySpan<ulong>(in w));

    /// <summary>accumulator += term (the accumulator is longer; the carry runs to its end).</summary>
    private static void AddInto(Span<ulong> accumulator, ReadOnlySpan<ulong> term)
        => Limbs.AddWord(accumulator[term.Length..], Limbs.Add(accumulator[..term.Length], accumulator[..term.Length], term));

    private static void CheckRecord(TwoServerParameters parameters, ReadOnlySpan<byte> record)
    {
        if (record.Length != parameters.RecordSize)
            throw new ArgumentException($"A record has {parameters.RecordSize} bytes for B = {parameters.BlockSize}.", nameof(record));
    }

    private static void Wipe(Span<ulong> limbs) => CryptographicOperations.ZeroMemory(MemoryMarshal.AsBytes(limbs));
}
