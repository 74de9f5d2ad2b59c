using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Engine.Primitives.Aead;

/// <summary>Which way a channel's messages go; part of every nonce, so the two directions never share one.</summary>
public enum AeadDirection : byte
{
    /// <summary>Initiator to responder (client to server, forward along an onion path).</summary>
    Forward = 1,

    /// <summary>Responder to initiator.</summary>
    Backward = 2,
}

/// <summary>
/// AES-256-GCM for one key and one direction with the nonce discipline of SPEC.md §0: the 12-byte nonce is the
/// direction byte, three zero bytes and a 64-bit big-endian counter, so a nonce never repeats under a key.
/// A sealed message is counter (8 bytes) ‖ ciphertext ‖ tag (16 bytes); the receiver accepts strictly increasing
/// counters only (in-order transports), which also refuses replays. The caller's AAD binds the context
/// (protocol, link or session id, hop).
/// </summary>
/// <remarks>
/// Not thread-safe: one channel per direction per connection. <see cref="Dispose"/> wipes the key schedule.
/// </remarks>
public sealed class AeadChannel : IDisposable
{
    /// <summary>Bytes a sealed message adds to its plaintext.</summary>
    public const int Overhead = CounterSize + TagSize;

    private const int CounterSize = 8, TagSize = 16, NonceSize = 12, KeySize = 32;
    private readonly AesGcm _aes;
    private readonly AeadDirection _direction;
    private ulong _nextSend;
    private ulong _lastReceived;
    private bool _received;

    /// <summary>A channel for a 32-byte key (derive it with <see cref="Kdf.Kdf"/>).</summary>
    /// <exception cref="ArgumentException">The key is not 32 bytes.</exception>
    public AeadChannel(ReadOnlySpan<byte> key, AeadDirection direction)
    {
        if (key.Length != KeySize) throw new ArgumentException("AES-256-GCM needs a 32-byte key.", nameof(key));
        _aes = new AesGcm(key, TagSize);
        _direction = direction;
    }

    /// <summary>Encrypts with the next counter. <paramref name="destination"/> is plaintext length + <see cref="Overhead"/>.</summary>
    /// <exception cref="ArgumentException">Wrong destination size.</exception>
    /// <exception cref="InvalidOperationException">2^64 − 1 messages were sealed under this key.</exception>
    public void Seal(ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> associatedData, Span<byte> destination)
    {
        if (destination.Length != plaintext.Length + Overhead) throw new ArgumentException("Destination must be plaintext length + Overhead.", nameof(destination));
        if (_nextSend == ulong.MaxValue) throw new InvalidOperationException("Counter exhausted: rekey.");
        ulong counter = _nextSend++;
        Span<byte> nonce = stackalloc byte[NonceSize];
        Nonce(counter, nonce);
        BinaryPrimitives.WriteUInt64BigEndian(destination, counter);
        _aes.Encrypt(nonce, plaintext, destination.Slice(CounterSize, plaintext.Length), destination[(CounterSize + plaintext.Length)..], associatedData);
    }

    /// <summary>
    /// Decrypts and authenticates: <see cref="EngineStatus.BadLength"/> (shorter than the overhead or wrong
    /// destination), <see cref="EngineStatus.Replay"/> (counter not above the last accepted one, checked before
    /// decryption), <see cref="EngineStatus.VerificationFailed"/> (tag mismatch; the destination is cleared) or Ok.
    /// Only a message that authenticates advances the receive counter.
    /// </summary>
    public EngineStatus Open(ReadOnlySpan<byte> sealedMessage, ReadOnlySpan<byte> associatedData, Span<byte> destination)
    {
        if (sealedMessage.Length < Overhead || destination.Length != sealedMessage.Length - Overhead) return EngineStatus.BadLength;
        ulong counter = BinaryPrimitives.ReadUInt64BigEndian(sealedMessage);
        if (_received && counter <= _lastReceived) return EngineStatus.Replay;
        Span<byte> nonce = stackalloc byte[NonceSize];
        Nonce(counter, nonce);
        try
        {
            _aes.Decrypt(nonce, sealedMessage.Slice(CounterSize, destination.Length), sealedMessage[(CounterSize + destination.Length)..], destination, associatedData);
        }
        catch (AuthenticationTagMismatchException)
        {
            CryptographicOperations.ZeroMemory(destination);
            return EngineStatus.VerificationFailed;
        }
        _lastReceived = counter;
        _received = true;
        return EngineStatus.Ok;
    }

    private void Nonce(ulong counter, Span<byte> nonce)
    {
        nonce.Clear();
        nonce[0] = (byte)_direction;
        BinaryPrimitives.WriteUInt64BigEndian(nonce[4..], counter);
    }

    /// <summary>Releases the key schedule.</summary>
    public void Dispose() => _aes.Dispose();
}
