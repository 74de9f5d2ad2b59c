namespace Engine.IotAuth.Wire;

/// <summary>
/// Frame types of Protocol 3's servers (the cloud server CS and the operation centre OC). Every payload starts with
/// the version byte <see cref="IotWire.Version"/>; each request is answered on its connection by its response type
/// or by <see cref="Error"/>. Signatures are Schnorr in G1 (80 bytes) over everything before them; encryptions are
/// hashed ElGamal in G1 with AES-256-GCM. Timestamps T are Unix milliseconds (u64), except in the challenge fields CH,
/// whose T is in seconds as SPEC.md §3.5 fixes it.
/// </summary>
public enum IotMessageType : byte
{
    /// <summary>OC → device on connect: version ‖ OC id ‖ epoch (4) ‖ W (96) ‖ σ_OC over (id ‖ epoch ‖ W).</summary>
    Hello = 1,

    /// <summary>A refusal: version ‖ <see cref="EngineStatus"/> (1) ‖ reason (name, may be absent).</summary>
    Error = 2,

    /// <summary>Device → CS: version ‖ id ‖ signing key (48) ‖ encryption key (48) ‖ T (8) ‖ count (1) ‖ (name ‖ mantissa (8) ‖ scale (1))* ‖ σ_device.</summary>
    Evaluate = 10,

    /// <summary>CS → device: the sealed payload (<see cref="IotWire.Sealed"/>) of version ‖ id ‖ TL (2) ‖ T (8) ‖ σ_CS.</summary>
    Evaluated = 11,

    /// <summary>Device → CS: version ‖ voter id ‖ subject id ‖ vote (1) ‖ T (8) ‖ σ_voter.</summary>
    Vote = 12,

    /// <summary>A request done: version.</summary>
    Done = 13,

    /// <summary>OC → CS: version ‖ OC id ‖ device id ‖ nonce (32) ‖ T (8) ‖ σ_OC.</summary>
    QueryTrust = 14,

    /// <summary>CS → OC: the sealed payload of version ‖ device id ‖ device signing key (48) ‖ TL (2) ‖ nonce (32) ‖ T (8) ‖ σ_CS.</summary>
    TrustAnswer = 15,

    /// <summary>Device → OC: version ‖ id ‖ signing key (48) ‖ encryption key (48) ‖ T (8) ‖ HMAC(enrolment key).</summary>
    Register = 20,

    /// <summary>Device → OC: the sealed payload of version ‖ id ‖ TL (2) ‖ T (8) ‖ σ_device (SPEC.md §3.3 step 1).</summary>
    TagRequest = 22,

    /// <summary>OC → device: version ‖ hello length (2) ‖ the hello of the tag's epoch ‖ the sealed A (48) ‖ m (32) ‖ nonce (32) ‖ epoch (4).</summary>
    Tag = 23,

    /// <summary>Device → OC: version. Answer <see cref="Challenge"/>.</summary>
    GetChallenge = 24,

    /// <summary>OC → device: version ‖ CH ‖ σ_OC over CH (SPEC.md §3.4 step 1).</summary>
    Challenge = 25,

    /// <summary>Device → OC: version ‖ N_OC (32) ‖ proof (256) (SPEC.md §3.4 step 2).</summary>
    Authenticate = 26,

    /// <summary>OC → device: version ‖ session id (16) ‖ HMAC(K_mac, "OC" ‖ th).</summary>
    Authenticated = 27,

    /// <summary>Device → OC: version ‖ session id (16) ‖ HMAC(K_mac, "DEVICE" ‖ th). Answer <see cref="Done"/>.</summary>
    Confirm = 28,

    /// <summary>Operator → OC: version ‖ T (8) ‖ HMAC(admin key). Answer <see cref="Rotated"/>.</summary>
    RotateEpoch = 30,

    /// <summary>version ‖ the new epoch (4).</summary>
    Rotated = 31,

    /// <summary>Operator → OC: version ‖ device id ‖ T (8) ‖ HMAC(admin key). Answer <see cref="Done"/>: the device gets no tag from the next epoch on.</summary>
    Revoke = 32,
}
