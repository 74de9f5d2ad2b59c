using System.Collections.Concurrent;
using Engine.BigInt;

namespace Engine.TwoServer;

/// <summary>
/// Public parameters of Protocol 2 (SPEC.md §2.1): the message block size B and the prime q of the authentication
/// code C(m̂, r) = m̂·r mod q. m̂ = b·2^(8B) + m with the flag b ∈ {0, 1}, so q must exceed 2^(8B+1); the engine
/// takes q = 2^(8B+1) + δ with δ the smallest value that makes q prime ("nothing up the sleeve", like the
/// Schnorr groups' seeds): anyone can regenerate δ, and <see cref="Validate"/> re-checks primality. A record is
/// C ‖ r ‖ m̂, each field ⌈|q|/8⌉ = B + 1 bytes big-endian.
/// </summary>
/// <remarks>Immutable and thread-safe; one instance per block size is cached by <see cref="ForBlockSize"/>.</remarks>
public sealed class TwoServerParameters
{
    /// <summary>The default block size (the paper's experiments use 256-byte messages).</summary>
    public const int DefaultBlockSize = 256;

    /// <summary>Smallest and largest supported block sizes.</summary>
    public const int MinBlockSize = 16, MaxBlockSize = 1016;

    /// <summary>Bytes of the length prefix inside a message block ([choice]: shorter messages are padded, so the length travels).</summary>
    public const int LengthPrefixSize = 2;

    // δ for the sizes used most, found by a search outside the engine (Python, Miller–Rabin) and re-derived by
    // tests/TwoServer/TwoServerParametersTests; other sizes are searched at first use.
    private static readonly Dictionary<int, int> KnownOffsets = new() { [16] = 17, [32] = 155, [64] = 159, [128] = 1481, [256] = 227, [512] = 51 };
    private static readonly ConcurrentDictionary<int, TwoServerParameters> Cache = new();

    private TwoServerParameters(int blockSize, int offset)
    {
        BlockSize = blockSize;
        PrimeOffset = offset;
        FieldSize = blockSize + 1;
        var q = new ulong[BigEndian.LimbsForBytes(FieldSize)];
        q[(8 * blockSize + 1) / 64] = 1UL << ((8 * blockSize + 1) % 64);
        Limbs.AddWord(q, (ulong)offset);
        Q = new MontgomeryContext(q);
    }

    /// <summary>The default parameters (B = 256, |q| = 2050 bits).</summary>
    public static TwoServerParameters Default => ForBlockSize(DefaultBlockSize);

    /// <summary>Parameters for block size <paramref name="blockSize"/> (a multiple of 8, 16 to 1016 bytes).</summary>
    /// <exception cref="ArgumentOutOfRangeException">Unsupported size.</exception>
    public static TwoServerParameters ForBlockSize(int blockSize)
    {
        if (blockSize is < MinBlockSize or > MaxBlockSize || blockSize % 8 != 0)
            throw new ArgumentOutOfRangeException(nameof(blockSize), blockSize, $"Block sizes are multiples of 8 from {MinBlockSize} to {MaxBlockSize} bytes.");
        return Cache.GetOrAdd(blockSize, b => new TwoServerParameters(b, KnownOffsets.TryGetValue(b, out int d) ? d : FindPrimeOffset(b)));
    }

    /// <summary>B: bytes of a message block (payload up to B − 2 bytes, after the length prefix).</summary>
    public int BlockSize { get; }

    /// <summary>Largest message payload in one record.</summary>
    public int MaxPayload => BlockSize - LengthPrefixSize;

    /// <summary>δ in q = 2^(8B+1) + δ.</summary>
    public int PrimeOffset { get; }

    /// <summary>Bytes of each record field (C, r, m̂): B + 1.</summary>
    public int FieldSize { get; }

    /// <summary>Bytes of a record (and of every share): 3 (B + 1).</summary>
    public int RecordSize => 3 * FieldSize;

    /// <summary>The Montgomery context of q.</summary>
    public MontgomeryContext Q { get; }

    /// <summary>Limbs of a value mod q.</summary>
    public int LimbCount => Q.LimbCount;

    /// <summary>
    /// The smallest δ ≥ 1 such that 2^(8B+1) + δ is prime (Miller–Rabin, 32 rounds): how the offsets were made.
    /// </summary>
    public static int FindPrimeOffset(int blockSize)
    {
        var candidate = new ulong[BigEndian.LimbsForBytes(blockSize + 1)];
        candidate[(8 * blockSize + 1) / 64] = 1UL << ((8 * blockSize + 1) % 64);
        Limbs.AddWord(candidate, 1);
        for (int offset = 1; ; offset += 2)
        {
            if (MillerRabin.IsProbablePrimeVarTime(candidate, 32)) return offset;
            Limbs.AddWord(candidate, 2);
        }
    }

    /// <summary>Re-checks that q is prime and exceeds 2^(8B+1) (what a careful deployment runs once).</summary>
    public bool Validate() => MillerRabin.IsProbablePrimeVarTime(Q.Modulus, 32) && Q.BitLength == 8 * BlockSize + 2;
}
