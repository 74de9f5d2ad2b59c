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
                        & ~IsZeroMask(r) & Ct.IsZeroMask((ulong)(flag >> 1));
        Code(parameters, mHat, r, expected);
        ulong matches = inRange & Ct.EqualMask(c, expected);
        Wipe(c); Wipe(r); Wipe(mHat); Wipe(expected);
        if (matches == 0) return RecordVerdict.Tampered;
        if (flag == 0) return RecordVerdict.Noise;
        int length = BinaryPrimitives.ReadUInt16BigEndian(record.Slice(2 * f + 1, 2));
        int start = 2 * f + 1 + TwoServerParameters.LengthPrefixSize;
        if (length > parameters.MaxPayload || record[(start + length)..].IndexOfAnyExcept((byte)0) >= 0) return RecordVerdict.Malformed;
        payload = start..(start + length);
        return RecordVerdict.Accepted;
    }

    private static ulong IsZeroMask(ReadOnlySpan<ulong> value)
    {
        ulong any = 0;
        foreach (ulong limb in value) any |= limb;
        return Ct.IsZeroMask(any);
    }

    private static void CheckRecord(TwoServerParameters parameters, ReadOnlySpan<byte> record)
    {
        if (record.Length != parameters.RecordSize)
            throw new ArgumentException($"A record has {parameters.RecordSize} bytes for B = {parameters.BlockSize}.", nameof(record));
    }

    private static void Wipe(Span<ulong> limbs) => CryptographicOperations.ZeroMemory(MemoryMarshal.AsBytes(limbs));
}
