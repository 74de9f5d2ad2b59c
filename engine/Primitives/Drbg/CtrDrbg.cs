using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Engine.Primitives.Drbg;

/// <summary>
/// CTR_DRBG with AES-256 and no derivation function (NIST SP 800-90A Rev. 1, §10.2.1), for bulk randomness such as
/// XOR secret shares (SPEC.md §0): seeded from the OS CSPRNG, it turns one AES key schedule into gigabytes of
/// output through counter-mode blocks. Tested with NIST CAVP vectors.
/// </summary>
/// <remarks>
/// Not thread-safe: one instance per thread or per session. A request is capped at 64 KiB internally (SP 800-90A's
/// limit for AES); longer requests are served in pieces, each followed by the state update. The instance reseeds
/// itself from the OS after 2^32 requests (the standard allows 2^48). <see cref="Dispose"/> wipes the state.
/// </remarks>
public sealed class CtrDrbg : IDisposable
{
    private const int KeySize = 32, BlockSize = 16, SeedSize = KeySize + BlockSize, MaxRequest = 1 << 16;
    private const long ReseedInterval = 1L << 32;
    private readonly byte[] _key = GC.AllocateArray<byte>(KeySize, pinned: true);
    private readonly byte[] _v = GC.AllocateArray<byte>(BlockSize, pinned: true);
    private readonly byte[] _counterBlocks = GC.AllocateArray<byte>(MaxRequest + SeedSize, pinned: true);
    private readonly Aes _aes = Aes.Create();
    private long _requests;
    private bool _disposed;

    private CtrDrbg() { }

    /// <summary>An instance seeded with 48 bytes from <see cref="RandomNumberGenerator"/>.</summary>
    public static CtrDrbg Create(ReadOnlySpan<byte> personalization = default)
    {
        var drbg = new CtrDrbg();
        Span<byte> entropy = stackalloc byte[SeedSize];
        RandomNumberGenerator.Fill(entropy);
        drbg.Instantiate(entropy, personalization);
        CryptographicOperations.ZeroMemory(entropy);
        return drbg;
    }

    /// <summary>Instantiation with caller-supplied entropy (known-answer tests only).</summary>
    internal static CtrDrbg CreateForTesting(ReadOnlySpan<byte> entropy, ReadOnlySpan<byte> personalization)
    {
        var drbg = new CtrDrbg();
        drbg.Instantiate(entropy, personalization);
        return drbg;
    }

    /// <summary>SP 800-90A 10.2.1.3.1: seed = entropy ⊕ personalization; Key = 0, V = 0; Update(seed).</summary>
    private void Instantiate(ReadOnlySpan<byte> entropy, ReadOnlySpan<byte> personalization)
    {
        if (entropy.Length != SeedSize) throw new ArgumentException("CTR_DRBG without a derivation function takes 48 bytes of entropy.", nameof(entropy));
        if (personalization.Length > SeedSize) throw new ArgumentException("Personalization is at most 48 bytes.", nameof(personalization));
        Span<byte> seed = stackalloc byte[SeedSize];
        Combine(entropy, personalization, seed);
        Array.Clear(_key);
        Array.Clear(_v);
        Update(seed);
        CryptographicOperations.ZeroMemory(seed);
        _requests = 0;
    }

    /// <summary>SP 800-90A 10.2.1.4.1: seed = entropy ⊕ additional input; Update(seed).</summary>
    internal void Reseed(ReadOnlySpan<byte> entropy, ReadOnlySpan<byte> additionalInput)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (entropy.Length != SeedSize) throw new ArgumentException("Reseeding takes 48 bytes of entropy.", nameof(entropy));
        if (additionalInput.Length > SeedSize) throw new ArgumentException("Additional input is at most 48 bytes.", nameof(additionalInput));
        Span<byte> seed = stackalloc byte[SeedSize];
        Combine(entropy, additionalInput, seed);
        Update(seed);
        CryptographicOperations.ZeroMemory(seed);
        _requests = 0;
    }

    /// <summary>Fills <paramref name="output"/> with pseudorandom bytes; <paramref name="additionalInput"/> (≤ 48 bytes) is mixed in.</summary>
    /// <exception cref="ArgumentException">Additional input longer than 48 bytes.</exception>
    /// <exception cref="ObjectDisposedException">Disposed.</exception>
    public void Generate(Span<byte> output, ReadOnlySpan<byte> additionalInput = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (additionalInput.Length > SeedSize) throw new ArgumentException("Additional input is at most 48 bytes.", nameof(additionalInput));
        while (!output.IsEmpty)
        {
            int take = Math.Min(output.Length, MaxRequest);
            GenerateOne(output[..take], additionalInput);
            output = output[take..];
        }
    }

    /// <summary>SP 800-90A 10.2.1.5.1 for one request of at most 64 KiB.</summary>
    private void GenerateOne(Span<byte> output, ReadOnlySpan<byte> additionalInput)
    {
        if (++_requests >= ReseedInterval)
        {
            Span<byte> entropy = stackalloc byte[SeedSize];
            RandomNumberGenerator.Fill(entropy);
            Reseed(entropy, default);
            CryptographicOperations.ZeroMemory(entropy);
        }
        Span<byte> additional = stackalloc byte[SeedSize];
        additional.Clear();
        additionalInput.CopyTo(additional);
        if (!additionalInput.IsEmpty) Update(additional);
        CounterBlocks(output.Length, output);
        Update(additional);                                  // additional is all zeros when none was given
    }

    /// <summary>
    /// Update (SP 800-90A 10.2.1.2): temp = AES(V+1) ‖ AES(V+2) ‖ AES(V+3), truncated to 48 bytes, ⊕ provided data;
    /// Key = temp[0..32], V = temp[32..48].
    /// </summary>
    private void Update(ReadOnlySpan<byte> providedData)
    {
        Span<byte> temp = stackalloc byte[SeedSize];
        CounterBlocks(SeedSize, temp);
        for (int i = 0; i < SeedSize; i++) temp[i] ^= providedData[i];
        temp[..KeySize].CopyTo(_key);
        temp[KeySize..].CopyTo(_v);
        CryptographicOperations.ZeroMemory(temp);
    }

    /// <summary>
    /// destination = AES_Key(V+1) ‖ AES_Key(V+2) ‖ … truncated to <paramref name="length"/>, leaving V at the last
    /// counter used: counter-mode blocks, encrypted with one ECB call.
    /// </summary>
    private void CounterBlocks(int length, Span<byte> destination)
    {
        int blocks = (length + BlockSize - 1) / BlockSize;
        Span<byte> counters = _counterBlocks.AsSpan(0, blocks * BlockSize);
        for (int b = 0; b < blocks; b++)
        {
            Increment(_v);
            _v.CopyTo(counters.Slice(b * BlockSize, BlockSize));
        }
        _aes.SetKey(_key);
        _aes.EncryptEcb(counters, counters, PaddingMode.None);
        counters[..length].CopyTo(destination);
        CryptographicOperations.ZeroMemory(counters);
    }

    /// <summary>V = (V + 1) mod 2^128, big-endian; the carry runs through every byte (V is secret: no early exit).</summary>
    private static void Increment(Span<byte> v)
    {
        uint carry = 1;
        for (int i = v.Length - 1; i >= 0; i--)
        {
            uint sum = v[i] + carry;
            v[i] = (byte)sum;
            carry = sum >> 8;
        }
    }

    private static void Combine(ReadOnlySpan<byte> entropy, ReadOnlySpan<byte> extra, Span<byte> seed)
    {
        entropy.CopyTo(seed);
        for (int i = 0; i < extra.Length; i++) seed[i] ^= extra[i];
    }

    /// <summary>Wipes the key, V and the block buffer.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        CryptographicOperations.ZeroMemory(_key);
        CryptographicOperations.ZeroMemory(_v);
        CryptographicOperations.ZeroMemory(_counterBlocks);
        _aes.Dispose();
    }
}
