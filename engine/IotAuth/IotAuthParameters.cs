using Engine.Primitives.Groups;

namespace Engine.IotAuth;

/// <summary>
/// The fixed choices of Protocol 3 (SPEC.md §3.5): BLS12-381, ZCash-compressed points, 32-byte big-endian scalars,
/// RFC 9380 hash_to_field into Z_r with the DSTs below, and the sizes of every field on the wire.
/// </summary>
public static class IotAuthParameters
{
    /// <summary>G1 as the engine's group abstraction (Schnorr signatures and hashed ElGamal of the roles).</summary>
    public static PrimeOrderGroup Group => PrimeOrderGroups.Bls12381G1;

    /// <summary>DST of H_id (m = H_id(idlen ‖ ID ‖ epoch ‖ nonce)).</summary>
    public static ReadOnlySpan<byte> HashIdDst => "ENGINE-V1/iot-auth/H_id"u8;

    /// <summary>DST of H_c, the Fiat–Shamir challenge.</summary>
    public static ReadOnlySpan<byte> ChallengeDst => "ENGINE-V1/iot-auth/H_c"u8;

    /// <summary>HKDF info prefix of the session key (followed by the transcript hash).</summary>
    public static ReadOnlySpan<byte> SessionInfo => "ENGINE-V1/iot-auth/session"u8;

    /// <summary>Compressed G1 point.</summary>
    public const int G1Size = 48;

    /// <summary>Compressed G2 point.</summary>
    public const int G2Size = 96;

    /// <summary>Scalar (big-endian, canonical).</summary>
    public const int ScalarSize = 32;

    /// <summary>N_OC and the tag nonce.</summary>
    public const int NonceSize = 32;

    /// <summary>A' ‖ Ā ‖ T1 ‖ s1 ‖ s2 ‖ Y_D.</summary>
    public const int ProofSize = 3 * G1Size + 2 * ScalarSize + G1Size;

    /// <summary>Longest device or operation-centre identifier in UTF-8 bytes (the wire allows 65535; no deployment needs more).</summary>
    public const int MaxIdentityBytes = 255;

    /// <summary>Bytes of a key-confirmation MAC (HMAC-SHA256).</summary>
    public const int ConfirmationSize = 32;
}
