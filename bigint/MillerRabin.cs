using System.Runtime.CompilerServices;
using System.Security.Cryptography;

namespace Engine.BigInt;

/// <summary>Probabilistic primality testing: trial division by small primes, then Miller–Rabin rounds with
/// random bases from the OS CSPRNG (FIPS 186-4 C.3.1).</summary>
public static class MillerRabin
{
    private static readonly uint[] SmallPrimes = BuildSmallPrimes(2000);

    /// <summary>
    /// True when <paramref name="candidate"/> is prime with error probability at most 4^(−rounds) for any input
    /// (far less for random ones). 2 and 3 are prime; 0, 1 and other even numbers are not.
    /// </summary>
    /// <remarks>Variable time: for public candidates (parameters, not secret keys).</remarks>
    [SkipLocalsInit]
    public static bool IsProbablePrimeVarTime(ReadOnlySpan<ulong> candidate, int rounds)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rounds);
        int n = Limbs.SignificantLimbsVarTime(candidate);
        if (n == 0) return false;
        candidate = candidate[..n];
        if (n == 1 && candidate[0] < 4) return candidate[0] >= 2;
        if ((candidate[0] & 1) == 0) return false;
        foreach (uint p in SmallPrimes)
        {
            if (n == 1 && candidate[0] == p) return true;
            if (ModSmall(candidate, p) == 0) return false;
        }
        if (n > MontgomeryContext.MaxLimbs) throw new ArgumentException("The candidate is too large.", nameof(candidate));

        var ctx = new MontgomeryContext(candidate);
        Span<ulong> d = stackalloc ulong[n];
        candidate.CopyTo(d);
        Limbs.SubWord(d, 1);                                         // d = candidate − 1
        Span<ulong> minusOne = stackalloc ulong[n];
        ctx.Subtract(new ulong[n], ctx.One, minusOne);               // −1 in Montgomery form
        int s = 0;
        while (Limbs.GetBit(d, s) == 0) s++;
        for (int k = 0; k < s; k += 63) Limbs.ShiftRight(d, Math.Min(63, s - k));

        Span<ulong> a = stackalloc ulong[n];
        Span<ulong> x = stackalloc ulong[n];
        Span<ulong> bound = stackalloc ulong[n];
        candidate.CopyTo(bound);
        Limbs.SubWord(bound, 3);                                     // a − 2 uniform in [0, candidate − 3)
        for (int round = 0; round < rounds; round++)
        {
            RandomScalar.Below(bound, a);
            Limbs.AddWord(a, 2);
            ctx.ToMontgomery(a, a);
            ctx.PowVarTime(a, d, x);
            if (Ct.EqualMask(x, ctx.One) != 0 || Ct.EqualMask(x, minusOne) != 0) continue;
            bool witness = true;
            for (int r = 1; r < s && witness; r++)
            {
                ctx.Square(x, x);
                if (Ct.EqualMask(x, minusOne) != 0) witness = false;
            }
            if (witness) return false;
        }
        return true;
    }

    /// <summary>Trial division only: false when a small prime ≤ 2000 divides the value (other than itself).</summary>
    internal static bool PassesTrialDivision(ReadOnlySpan<ulong> candidate)
    {
        foreach (uint p in SmallPrimes)
        {
            if (ModSmall(candidate, p) == 0)
                return Limbs.SignificantLimbsVarTime(candidate) == 1 && candidate[0] == p;
        }
        return true;
    }

    // value mod p for p < 2^32, from the top limb down: r·2^64 + limb ≡ r·(2^64 mod p) + limb mod p.
    private static ulong ModSmall(ReadOnlySpan<ulong> value, uint p)
    {
        ulong twoTo64 = (ulong)(((UInt128)1 << 64) % p), r = 0;
        for (int i = value.Length - 1; i >= 0; i--) r = (r * twoTo64 + value[i] % p) % p;
        return r;
    }

    private static uint[] BuildSmallPrimes(int limit)
    {
        var sieve = new bool[limit + 1];
        var primes = new List<uint>();
        for (int i = 3; i <= limit; i += 2)
        {
            if (sieve[i]) continue;
            primes.Add((uint)i);
            for (int j = i * i; j <= limit; j += 2 * i) sieve[j] = true;
        }
        return primes.ToArray();
    }
}
