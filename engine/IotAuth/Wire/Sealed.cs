using System.Text;
using Engine.Primitives.Encryption;

namespace Engine.IotAuth.Wire;

/// <summary>
/// Encrypted payloads of Protocol 3: version ‖ hashed ElGamal (AES-256-GCM) of the plaintext to the recipient's key,
/// with associated data "ENGINE-V1/" ‖ purpose ‖ 0 ‖ recipient, so a ciphertext made for one purpose or recipient
/// never opens as another. The plaintext is itself a whole payload (version first), signed where the sender signs.
/// </summary>
internal static class Sealed
{
    /// <summary>Bytes a sealed payload adds to its plaintext.</summary>
    public static int Overhead => 1 + HashedElGamal.Overhead(IotAuthParameters.Group);

    /// <summary>Seals <paramref name="plaintext"/> to <paramref name="publicKey"/>.</summary>
    /// <exception cref="EngineException">The public key does not decode (a key the caller stored after checking it).</exception>
    public static byte[] Seal(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> plaintext, string purpose, string recipient)
    {
        byte[] payload = new byte[Overhead + plaintext.Length];
        payload[0] = IotWire.Version;
        EngineStatus status = HashedElGamal.Encrypt(IotAuthParameters.Group, publicKey, plaintext, AssociatedData(purpose, recipient), payload.AsSpan(1));
        if (status != EngineStatus.Ok) throw new EngineException(status, $"cannot encrypt to {recipient}'s key: {status}");
        return payload;
    }

    /// <summary>
    /// Opens a sealed payload: <see cref="EngineStatus.BadLength"/>, <see cref="EngineStatus.UnsupportedVersion"/>, the
    /// decryption's status (a wrong key, purpose or recipient, or altered bytes), or Ok with the plaintext.
    /// </summary>
    public static EngineStatus Open(HashedElGamalKey key, ReadOnlySpan<byte> payload, string purpose, string recipient, out byte[] plaintext)
    {
        plaintext = [];
        if (payload.Length < Overhead) return EngineStatus.BadLength;
        if (payload[0] != IotWire.Version) return EngineStatus.UnsupportedVersion;
        byte[] opened = new byte[payload.Length - Overhead];
        EngineStatus status = HashedElGamal.Decrypt(key, payload[1..], AssociatedData(purpose, recipient), opened);
        if (status == EngineStatus.Ok) plaintext = opened;
        return status;
    }

    private static byte[] AssociatedData(string purpose, string recipient) => Encoding.UTF8.GetBytes($"ENGINE-V1/{purpose}\0{recipient}");
}
