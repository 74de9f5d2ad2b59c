using Engine.Primitives.Groups;
using Engine.Primitives.Schnorr;

namespace Engine.TwoServer.Integrity;

/// <summary>
/// Establishing a user's signing key without a PKI (paper §5.3.1): the user sends pu_b to both servers; each server
/// signs what it received (k_b^i) and sends it to the other; each accepts the key only if the other's receipt
/// verifies and names the same key. A user who shows different keys to the two servers is refused by both.
/// </summary>
public static class KeyRegistration
{
    /// <summary>Server <paramref name="server"/>'s receipt: Sign(k_b^i) over <see cref="SignedMessages.KeyReceipt"/>.</summary>
    public static byte[] Receipt(SchnorrSigningKey serverKey, int server, string userId, ReadOnlySpan<byte> receivedKey)
    {
        byte[] signature = new byte[SchnorrSignature.SizeInBytes(serverKey.Group)];
        SchnorrSignature.Sign(serverKey, SignedMessages.KeyReceipt(server, userId, receivedKey), signature);
        return signature;
    }

    /// <summary>
    /// The check a server runs on the other server's receipt: <see cref="EngineStatus.VerificationFailed"/> when the
    /// receipt does not verify under <paramref name="otherServerKey"/> or the keys differ (abort), the decoding status
    /// of a malformed user key, else Ok.
    /// </summary>
    public static EngineStatus CrossCheck(PrimeOrderGroup group, ReadOnlySpan<byte> otherServerKey, int otherServer, string userId,
                                          ReadOnlySpan<byte> keyReceivedHere, ReadOnlySpan<byte> keyOtherReceived, ReadOnlySpan<byte> otherReceipt)
    {
        Span<ulong> element = stackalloc ulong[group.ElementLimbs];
        EngineStatus status = group.Decode(keyReceivedHere, element);
        if (status != EngineStatus.Ok) return status;
        if (SchnorrSignature.Verify(group, otherServerKey, SignedMessages.KeyReceipt(otherServer, userId, keyOtherReceived), otherReceipt) != EngineStatus.Ok)
            return EngineStatus.VerificationFailed;
        return keyReceivedHere.SequenceEqual(keyOtherReceived) ? EngineStatus.Ok : EngineStatus.VerificationFailed;
    }
}
