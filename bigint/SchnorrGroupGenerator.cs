using System.Security.Cryptography;

namespace Engine.BigInt;

/// <summary>
/// Verifiable generation of Schnorr group parameters: primes q (N bits) and p (L bits) with q | p − 1 by
/// FIPS 186-4 Appendix A.1.1.2 with SHA-256, and a generator g of the order-q subgroup by the verifiable
/// canonical method of Appendix A.2.3. Anyone holding the seed and counter can recompute p, q and g.
/// </summary>
public static class SchnorrGroupGenerator
{
    private const int OutLen = 256;                                  // SHA-256 output bits

    /// <summary>Miller–Rabin rounds for p and q, from FIPS 186-4 Table C.1 (L = 2048 and 3072, N = 256).</summary>
    public static int RoundsForP(int pBits) => pBits <= 2048 ? 56 : 64;

    /// <summary>Miller–Rabin rounds for q (Table C.1).</summary>
    public const int RoundsForQ = 64;

    /// <summary>
    /// q from a seed (A.1.1.2 steps 6–7): U = SHA-256(seed) mod 2^(N−1), q = 2^(N−1) + U + 1 − (U mod 2).
    /// The caller tests q for primality (step 8). N is 256 here, so q fills 4 limbs.
    /// </summary>
    public static ulong[] CandidateQ(ReadOnlySpan<byte> seed)
    {
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(seed, digest);
        var q = new ulong[4];
        BigEndian.TryToLimbs(digest, q);
        q[3] &= ~(1UL << 63);                                        // U mod 2^255
        q[3] |= 1UL << 63;                                           // + 2^255
        q[0] |= 1;                                                   // + 1 − (U mod 2): makes q odd
        return q;
    }

    /// <summary>
    /// The p candidate for one counter value (A.1.1.2 steps 11.1–11.5), or null when it falls below 2^(L−1)
    /// (step 11.6). offset = 1 + counter·(n + 1), so any counter can be recomputed directly.
    /// </summary>
    public static ulong[]? CandidateP(ReadOnlySpan<byte> seed, ReadOnlySpan<ulong> q, int pBits, int counter)
    {
        int n = (pBits + OutLen - 1) / OutLen - 1;
        int b = pBits - 1 - n * OutLen;
        int limbs = pBits / 64;
        var w = new ulong[limbs];
        Span<byte> input = stackalloc byte[seed.Length];
        Span<byte> digest = stackalloc byte[32];
        Span<ulong> v = stackalloc ulong[4];
        long offset = 1 + (long)counter * (n + 1);
        for (int j = 0; j <= n; j++)
        {
            // V_j = Hash((seed + offset + j) mod 2^seedlen), the seed read as a big-endian integer.
            seed.CopyTo(input);
            AddToBigEndian(input, offset + j);
            SHA256.HashData(input, digest);
            BigEndian.TryToLimbs(digest, v);
            if (j == n) MaskBits(v, b);                              // V_n mod 2^b
            for (int k = 0; k < 4 && j * 4 + k < limbs; k++) w[j * 4 + k] = v[k];
        }
        w[limbs - 1] |= 1UL << 63;                                   // X = W + 2^(L−1): W < 2^(L−1)

        // c = X mod 2q = 2·((X >> 1) mod q) + (X mod 2), q odd so Montgomery reduction applies.
        var ctxQ = new MontgomeryContext(q);
        var half = (ulong[])w.Clone();
        Limbs.ShiftRight(half, 1);
        var c = new ulong[4];
        ctxQ.Reduce(half, c);
        var cWide = new ulong[limbs];
        c.CopyTo(cWide, 0);
        Limbs.ShiftLeft(cWide, 1);
        cWide[0] |= w[0] & 1;
        Limbs.SubWord(cWide, 1);                                     // c − 1
        Limbs.Sub(w, w, cWide);                                      // p = X − (c − 1)
        return Limbs.GetBit(w, pBits - 1) == 0 ? null : w;
    }

    /// <summary>
    /// g = W^e mod p with e = (p − 1)/q and W = SHA-256(seed ‖ "ggen" ‖ index ‖ count) for count = 1, 2, …
    /// until g ≥ 2 (A.2.3). The division is done once by the caller, who passes e.
    /// </summary>
    public static ulong[] CanonicalGenerator(MontgomeryContext ctxP, ReadOnlySpan<ulong> cofactor, ReadOnlySpan<byte> seed, byte index)
    {
        int n = ctxP.LimbCount;
        byte[] u = new byte[seed.Length + 4 + 1 + 2];
        seed.CopyTo(u);
        "ggen"u8.CopyTo(u.AsSpan(seed.Length));
        u[seed.Length + 4] = index;
        var w = new ulong[n];
        var g = new ulong[n];
        Span<byte> digest = stackalloc byte[32];
        for (int count = 1; count <= ushort.MaxValue; count++)
        {
            u[^2] = (byte)(count >> 8);
            u[^1] = (byte)count;
            SHA256.HashData(u, digest);
            Array.Clear(w);
            BigEndian.TryToLimbs(digest, w);
            ctxP.ToMontgomery(w, w);
            ctxP.PowVarTime(w, cofactor, g);
            ctxP.FromMontgomery(g, g);
            if (Limbs.CompareVarTime(g, [1UL]) > 0) return g;
        }
        throw new InvalidOperationException("No generator found for this seed and index.");
    }

    /// <summary>(p − 1) / q for the generated primes, by schoolbook long division on limbs (public values).</summary>
    public static ulong[] Cofactor(ReadOnlySpan<ulong> p, ReadOnlySpan<ulong> q)
    {
        // Restoring binary long division: the size is fixed (≤ 3072 bits) and this runs at set-up only.
        var rem = new ulong[p.Length];
        var quotient = new ulong[p.Length];
        var num = p.ToArray();
        Limbs.SubWord(num, 1);
        var qWide = new ulong[p.Length];
        q.CopyTo(qWide);
        for (int bit = Limbs.BitLengthVarTime(num) - 1; bit >= 0; bit--)
        {
            Limbs.ShiftLeft(rem, 1);
            rem[0] |= Limbs.GetBit(num, bit);
            if (Limbs.CompareVarTime(rem, qWide) >= 0)
            {
                Limbs.Sub(rem, rem, qWide);
                quotient[bit >> 6] |= 1UL << (bit & 63);
            }
        }
        if (!Limbs.IsZeroVarTime(rem)) throw new ArgumentException("q does not divide p − 1.");
        return quotient;
    }

    /// <summary>
    /// Runs A.1.1.2 from seed index <paramref name="firstSeedIndex"/>: seed_i = SHA-256(label ‖ i as 4 bytes
    /// big-endian), the first i whose q is prime; then counters 0..4L−1 until p is prime.
    /// </summary>
    public static (byte[] Seed, int SeedIndex, int Counter, ulong[] P, ulong[] Q) Generate(string label, int pBits, int firstSeedIndex = 0)
    {
        for (int i = firstSeedIndex; ; i++)
        {
            byte[] seed = SeedFor(label, i);
            ulong[] q = CandidateQ(seed);
            if (!MillerRabin.IsProbablePrimeVarTime(q, RoundsForQ)) continue;
            for (int counter = 0; counter < 4 * pBits; counter++)
            {
                ulong[]? p = CandidateP(seed, q, pBits, counter);
                if (p is null || !MillerRabin.PassesTrialDivision(p)) continue;
                if (MillerRabin.IsProbablePrimeVarTime(p, RoundsForP(pBits))) return (seed, i, counter, p, q);
            }
        }
    }

    /// <summary>seed_i = SHA-256(UTF-8 label ‖ i as 4 bytes big-endian): a nothing-up-my-sleeve seed.</summary>
    public static byte[] SeedFor(string label, int index)
    {
        byte[] text = System.Text.Encoding.UTF8.GetBytes(label);
        byte[] input = new byte[text.Length + 4];
        text.CopyTo(input, 0);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(input.AsSpan(text.Length), index);
        return SHA256.HashData(input);
    }

    private static void AddToBigEndian(Span<byte> value, long addend)
    {
        ulong carry = (ulong)addend;
        for (int i = value.Length - 1; i >= 0 && carry != 0; i--)
        {
            ulong sum = value[i] + (carry & 0xff);
            value[i] = (byte)sum;
            carry = (carry >> 8) + (sum >> 8);
        }
    }

    private static void MaskBits(Span<ulong> v, int bits)
    {
        for (int k = 0; k < v.Length; k++)
        {
            int low = k * 64;
            if (low >= bits) v[k] = 0;
            else if (low + 64 > bits) v[k] &= (1UL << (bits - low)) - 1;
        }
    }
}
