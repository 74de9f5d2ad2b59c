using System.Text;
using Engine.Primitives.Groups;

namespace Engine.Primitives.Encryption;

/// <summary>
/// Encrypted payloads of the protocols' roles: version ‖ hashed ElGamal (AES-256-GCM) of the plaintext to the
/// recipient's key, with associated data "ENGINE-V1/" ‖ purpose ‖ 0 ‖ recipient, so a ciphertext made for one purpose
/// or recipient never opens as another. The plaintext is itself a whole payload (version first), signed where the
/// sender signs. One instance per protocol (its group and version byte).
/// </summary>
internal sealed class SealedPayload(PrimeOrderGroup group, byte version)
{
    /// <summary>Bytes a sealed payload adds to its plaintext.</summary>
    public int Overhead => 1 + HashedElGamal.Overhead(group);

    /// <summary>Seals <paramref name="plaintext"/> to <paramref name="publicKey"/>.</summary>
    /// <exception cref="EngineException">The public key does not decode (a key the caller stored after checking it).</exception>
    public byte[] Seal(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> plaintext, string purpose, string recipient)
    {
        byte[] payload = new byte[Overhead + plaintext.Length];
        payload[0] = version;
        EngineStatus status = HashedElGamal.Encrypt(group, publicKey, plaintext, AssociatedData(purpose, recipient), payload.AsSpan(1));
        if (status != EngineStatus.Ok) throw new EngineException(status, $"cannot encrypt to {recipient}'s key: {status}");
        return payload;
    }

    /// <summary>Seals <paramref name="plaintext"/> to <paramref name="publicKey"/> straight into <paramref name="destination"/>.</summary>
    /// <exception cref="EngineException">The public key does not decode.</exception>
    public void Seal(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> plaintext, string purpose, string recipient, System.Buffers.IBufferWriter<byte> destination)
    {
        int length = Overhead + plaintext.Length;
        Span<byte> payload = destination.GetSpan(length)[..length];
        payload[0] = version;
        EngineStatus status = HashedElGamal.Encrypt(group, publicKey, plaintext, AssociatedData(purpose, recipient), payload[1..]);
        if (status != EngineStatus.Ok) throw new EngineException(status, $"cannot encrypt to {recipient}'s key: {status}");
        destination.Advance(length);
    }

    /// <summary>
    /// Opens a sealed payload: <see cref="EngineStatus.BadLength"/>, <see cref="EngineStatus.UnsupportedVersion"/>, the
    /// decryption's status (a wrong key, purpose or recipient, or altered bytes), or Ok with the plaintext.
    /// </summary>
    public EngineStatus Open(HashedElGamalKey key, ReadOnlySpan<byte> payload, string purpose, string recipient, out byte[] plaintext)
    {
        plaintext = [];
        if (payload.Length < Overhead) return EngineStatus.BadLength;
        if (payload[0] != version) return EngineStatus.UnsupportedVersion;
        byte[] opened = new byte[payload.Length - Overhead];
        EngineStatus status = HashedElGamal.Decrypt(key, payload[1..], AssociatedData(purpose, recipient), opened);
        if (status == EngineStatus.Ok) plaintext = opened;
        return status;
    }

    private static byte[] AssociatedData(string purpose, string recipient) => Encoding.UTF8.GetBytes($"ENGINE-V1/{purpose}\0{recipient}");
}
